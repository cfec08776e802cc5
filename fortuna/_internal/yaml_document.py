"""What the loader returns and raises: the parsed ``Document``, its ``Limits``, the failures.

Kept apart from the builder so the validator and the mandate can name these types without
the event-stream machinery; ``fortuna._internal.loader`` re-exports every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fortuna._internal.findings import Finding, Position

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Limits:
    """Bounds that turn hostile or broken input into a finding instead of a hang."""

    max_bytes: int = 16 * 1024 * 1024
    max_depth: int = 64
    max_alias_expansion: int = 100_000
    """Values that aliases may add to the document (each alias adds its anchor's count)."""
    max_alias_characters: int = 16 * 1024 * 1024
    """Characters of scalars that aliases may add: an alias of a 1 MB string adds 1 MB, so
    what later stages read stays within a fixed multiple of the file's size."""


@dataclass
class Document:
    """Parsed data plus where each value (``positions``) and each key (``keys``) stands."""

    source: str
    data: Any
    positions: dict[Path, Position] = field(default_factory=dict)
    keys: dict[Path, Position] = field(default_factory=dict)
    env_names: dict[str, bool] = field(default_factory=dict)
    """Every ``!env`` variable the file reads, set or not, and whether every use of it has
    a default (a run can do without it)."""
    env_values: dict[str, str] = field(default_factory=dict)
    """Each value read from an ``!env`` variable, with the variable's name: findings never
    echo these (a credential put in the wrong arg must not reach a CI log)."""
    directory: str | None = None
    """The absolute folder of the file the document was read from (relative paths in args
    resolve against it); None for text that came from no file."""

    def locate(self, path: Path, *, key: bool = False) -> Position | None:
        """The position of ``path``, or of its nearest located ancestor."""
        if key and path in self.keys:
            return self.keys[path]
        while True:
            found = self.positions.get(path)
            if found is not None or not path:
                return found
            path = path[:-1]


class LoadFailed(Exception):
    def __init__(self, finding: Finding) -> None:
        self.finding = finding
        super().__init__(str(finding))


class UsageFailed(Exception):
    """The file cannot be read at all (missing, unreadable, not text): exit code 2."""
