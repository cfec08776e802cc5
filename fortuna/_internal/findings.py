"""Findings: every problem validation reports, each located in its file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["Finding", "MandateError", "Position", "dotted"]


def dotted(path: tuple[str | int, ...]) -> str:
    """A value's path as findings print it: ``components.mm.args.levels[2]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class Position(NamedTuple):
    """A 1-based line and column in a source file (a tuple: cheap, ordered, hashable)."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: where it is, which value it concerns, and what is wrong."""

    source: str
    path: str
    message: str
    position: Position | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.position}" if self.position else self.source
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.source,
            "line": self.position.line if self.position else None,
            "column": self.position.column if self.position else None,
            "path": self.path,
            "message": self.message,
        }


class MandateError(Exception):
    """A mandate is invalid; ``findings`` says every reason at once."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__("\n".join(str(f) for f in findings))
