"""Findings: every problem validation reports, each located in its file.

Two bounds keep the output linear in the size of the input, however hostile the input:
a value quoted in a message is cut (:func:`shown`, :data:`MAX_MESSAGE`), and the same
problem repeated many times (a bad value aliased a hundred thousand times) is folded into
one finding that says how many more there are (:func:`fold`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, NamedTuple

__all__ = [
    "ERROR",
    "MAX_MESSAGE",
    "WARNING",
    "Finding",
    "MandateError",
    "Position",
    "Severity",
    "dotted",
    "fold",
    "shown",
]

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
"""The mandate cannot run as written: validation fails."""
WARNING: Severity = "warning"
"""Probably a mistake, but the mandate can run: validation fails only with ``--strict``."""

MAX_MESSAGE = 1000
"""Characters of one finding's message; the rest is cut (a message quotes at most a few
short values, so only a value nobody could read anyway is ever cut)."""
MAX_SHOWN = 60
"""Characters of a value quoted in a message."""
FOLD_AFTER = 10
"""Findings with one message shown one by one before the rest are folded into a count."""


def dotted(path: tuple[str | int, ...]) -> str:
    """A value's path as findings print it: ``components.mm.args.levels[2]``."""
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{shown(part)}]"
        else:
            piece = cut(part, MAX_MESSAGE // 4) if isinstance(part, str) else shown(part)
            text += f".{piece}" if text else piece
    return cut(text, MAX_MESSAGE // 4)


def cut(text: str, limit: int = MAX_SHOWN) -> str:
    """``text``, or its two ends around how much was left out."""
    if len(text) <= limit:
        return text
    keep = max(limit // 2 - 12, 4)
    return f"{text[:keep]}...({len(text) - 2 * keep} characters)...{text[-keep:]}"


def shown(value: Any) -> str:
    """A value as a message quotes it: short, whatever its size or type, never raising
    (an integer of 5,000 digits has no ``repr`` under Python's conversion limit)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        if value.bit_length() > 3 * MAX_SHOWN:
            return f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
        return cut(str(value))
    if isinstance(value, Decimal):
        return cut(str(value))
    if isinstance(value, str):
        return repr(cut(value))
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return cut(repr(value))


class Position(NamedTuple):
    """A 1-based line and column in a source file (a tuple: cheap, ordered, hashable)."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: where it is, which value it concerns, what is wrong, and how bad.

    Warnings print with a ``warning:`` prefix; errors print as they always have."""

    source: str
    path: str
    message: str
    position: Position | None = None
    severity: Severity = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def __post_init__(self) -> None:
        if len(self.message) > MAX_MESSAGE:
            object.__setattr__(self, "message", cut(self.message, MAX_MESSAGE))

    def __str__(self) -> str:
        where = f"{self.source}:{self.position}" if self.position else self.source
        message = self.message if self.is_error else f"warning: {self.message}"
        return f"{where}: {self.path}: {message}" if self.path else f"{where}: {message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.source,
            "line": self.position.line if self.position else None,
            "column": self.position.column if self.position else None,
            "path": self.path,
            "message": self.message,
            "severity": self.severity,
        }


def fold(findings: list[Finding], keep: int = FOLD_AFTER) -> list[Finding]:
    """``findings`` in order, each message shown at most ``keep`` times; the rest of a
    message's findings become one finding, at the first left out, saying how many."""
    seen: dict[str, int] = {}
    for finding in findings:
        seen[finding.message] = seen.get(finding.message, 0) + 1
    if all(count <= keep for count in seen.values()):
        return findings
    result: list[Finding] = []
    counted: dict[str, int] = {}
    for finding in findings:
        index = counted[finding.message] = counted.get(finding.message, 0) + 1
        if index <= keep:
            result.append(finding)
        elif index == keep + 1:
            more = seen[finding.message] - keep
            result.append(Finding(finding.source, finding.path,
                                  f"{more} more like this (from here on): {finding.message}",
                                  finding.position, finding.severity))
    return result


class MandateError(Exception):
    """A mandate is invalid; ``findings`` says every reason at once."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__("\n".join(str(f) for f in findings if f.is_error))
