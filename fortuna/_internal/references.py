"""References as validation sees them: a ``Ref`` in a plan's args, a ``Placeholder`` for a
component before it exists, and the validation-context key that maps one to the other.

Light on purpose (no pydantic model, no runtime): both validation paths use them, the full
one (``validation.py``) and the fast one from the catalog index (``validation_fast.py``).
``fortuna._internal.component`` re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["REFS_CONTEXT", "Placeholder", "Ref"]


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to the component called ``name``, as it stands in a plan's args."""

    name: str


REFS_CONTEXT = "fortuna_refs"
"""Validation-context key: a mapping from component name to its :class:`Placeholder`."""


@dataclass(frozen=True, slots=True)
class Placeholder:
    """Stands for a component during validation, before any instance exists."""

    name: str
    id: str
    cls: type[Any]

    def __repr__(self) -> str:
        return f"@{self.name}"
