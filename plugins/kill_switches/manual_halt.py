"""``kill_switches.manual_halt``: an operator halts trading by creating a file."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from fortuna import ComponentArgs
from plugins.kill_switches._latch import LatchedSwitch

__all__ = ["ManualHaltArgs", "ManualHaltSwitch"]


class ManualHaltArgs(ComponentArgs):
    path: str = Field(
        min_length=1,
        description="trading halts while this file exists (e.g. touch /run/fortuna/HALT); a "
        "relative path is taken from the mandate file's folder",
    )


class ManualHaltSwitch(LatchedSwitch[ManualHaltArgs]):
    """Trips when an operator creates a halt file; stays tripped until reset."""

    _path: Path | None = None

    async def load(self) -> None:
        await super().load()
        self._path = self.context.resolve_path(self.args.path)
        self.log.info("halt file watched", path=str(self._path))

    async def evaluate(self) -> str | None:
        return self.look()

    def look(self) -> str | None:
        """One ``stat`` of the file: microseconds, so it runs inline, not in a thread (a
        thread would also hide the wait from the virtual clock)."""
        path = self._path
        if path is None:
            path = self._path = self.context.resolve_path(self.args.path)
        if path.exists():
            return f"halt file {path} is present"
        return None
