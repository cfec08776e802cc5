"""The plan: a validated mandate, ready for the container to build.

Validation produces a :class:`Plan`; the container consumes it. Between the two, args are
plain data in which every var is already substituted and every reference to a component is
a :class:`Ref`. The container swaps each ``Ref`` for the live instance (``substitute``) and
validates the args with the component's model once more, with the same code that checked
them against placeholders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fortuna._internal.findings import Finding, Position
from fortuna._internal.references import Ref

if TYPE_CHECKING:
    from fortuna._internal.component import Component

__all__ = ["MissingEnv", "Plan", "PlannedComponent", "Ref", "substitute"]


@dataclass(frozen=True, slots=True)
class MissingEnv:
    """An ``!env`` variable that is not set and has no default."""

    variable: str
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class PlannedComponent:
    name: str
    id: str
    cls: type[Component[Any]]
    raw_args: Mapping[str, Any]
    dependencies: tuple[str, ...]
    position: Position | None = None


@dataclass(frozen=True)
class Plan:
    """A whole mandate, validated. ``components`` is in load order: dependencies first."""

    source: str
    service: str
    components: Mapping[str, PlannedComponent]
    clock: str | None = None
    missing_env: tuple[Finding, ...] = field(default=())
    directory: str | None = None
    """The mandate file's folder: relative paths in args resolve against it."""


def substitute(value: Any, lookup: Callable[[str], Any]) -> Any:
    """``value`` with every :class:`Ref` replaced by ``lookup(name)``, at any depth."""
    if isinstance(value, Ref):
        return lookup(value.name)
    if isinstance(value, dict):
        return {key: substitute(item, lookup) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute(item, lookup) for item in value]
    return value
