"""What a run tells its log besides the components' lines: the simulated time every line
is stamped with, and the progress of a run with a duration.

Light on purpose (no structlog, no asyncio): the runtime sets the clock here when a graph
runs on a simulated one, the logging processors read it, and neither imports the other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from fortuna._internal.time import Clock

__all__ = ["Progress", "format_elapsed", "sim_time", "use_clock"]

_clock: Clock | None = None


def use_clock(clock: Clock | None) -> None:
    """Stamp log lines with ``clock``'s time (a simulated clock), or stop (None)."""
    global _clock
    _clock = clock


def sim_time() -> str | None:
    """The simulated time now, ISO 8601 in UTC (``2026-01-01T00:05:00Z``), or None when
    the run is on the wall clock."""
    clock = _clock
    if clock is None:
        return None
    return format_time(clock.now())


def format_time(when: datetime) -> str:
    text = when.isoformat(timespec="milliseconds" if when.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def format_elapsed(seconds: float) -> str:
    """``3725.5`` -> ``"1:02:05"`` (days as ``2d 01:00:00``)."""
    whole = int(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{hours}:{minutes:02d}:{secs:02d}"


class Progress(Protocol):
    """Shows how far a run with a duration has come; told ``steps`` times, evenly."""

    steps: int

    def __call__(self, elapsed: float, duration: float) -> None: ...

    def close(self) -> None: ...
