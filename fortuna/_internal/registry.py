"""The registry: component ids to classes, discovered through entry points.

The group ``fortuna.components`` maps an id to ``module:Class``. An entry whose id ends in
``.*`` names a :class:`Family`, which resolves every id under that prefix (for example every
exchange ccxt ships, as ``exchanges.ccxt.<id>``). Nothing is imported until an id is
resolved, so a mandate costs only the modules of the ids it uses.
"""

from __future__ import annotations

import abc
import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fortuna._internal.suggest import Suggester

if TYPE_CHECKING:
    from fortuna._internal.component import Component

__all__ = ["ENTRY_POINT_GROUP", "Family", "Registry", "UnknownComponent"]

ENTRY_POINT_GROUP = "fortuna.components"
FAMILY_SUFFIX = ".*"


class Family(abc.ABC):
    """Every id under one prefix, generated rather than listed one by one.

    ``members`` must be cheap (no heavy import): validation, the catalog and the JSON Schema
    call it. ``resolve`` may import what it needs.
    """

    description: str = ""

    @abc.abstractmethod
    def members(self) -> Sequence[str]:
        """The suffixes this family resolves, for example ``["binance", "mexc", ...]``."""

    @abc.abstractmethod
    def resolve(self, member: str) -> type[Component[Any]]:
        """The component class for one member. Called only for members listed above."""

    def args_model(self) -> type[Any] | None:
        """The args model shared by every member, if they share one (for the JSON Schema)."""
        return None


class UnknownComponent(LookupError):
    def __init__(self, component_id: str, suggestions: Sequence[str]) -> None:
        self.component_id = component_id
        self.suggestions = list(suggestions)
        hint = f' (did you mean "{suggestions[0]}"?)' if suggestions else ""
        super().__init__(f'unknown component "{component_id}"{hint}')


class ComponentImportError(ImportError):
    """An id is registered but its module cannot be imported (a broken installation)."""


@dataclass
class _Entry:
    target: str | type[Component[Any]]

    def load(self) -> Any:
        if isinstance(self.target, str):
            module_name, _, attribute = self.target.partition(":")
            try:
                value: Any = importlib.import_module(module_name)
                for part in attribute.split("."):
                    value = getattr(value, part)
            except (ImportError, AttributeError) as exc:
                raise ComponentImportError(
                    f"cannot import {self.target}: {type(exc).__name__}: {exc}"
                ) from exc
            self.target = value
        return self.target


class Registry:
    """Ids to component classes. ``Registry.default()`` reads the installed entry points."""

    _default: Registry | None = None

    def __init__(
        self,
        components: Mapping[str, str | type[Component[Any]]] | None = None,
        families: Mapping[str, str | Family] | None = None,
    ) -> None:
        self._components = {cid: _Entry(target) for cid, target in (components or {}).items()}
        self._families: dict[str, Any] = dict(families or {})
        self._targets = {cid: _target_name(t) for cid, t in (components or {}).items()}
        self._family_targets = {p: _target_name(t) for p, t in (families or {}).items()}
        self._family_members: dict[str, frozenset[str]] = {}
        self._suggesters: dict[str, Suggester] = {}

    @classmethod
    def from_entry_points(cls, group: str = ENTRY_POINT_GROUP) -> Registry:
        from importlib.metadata import entry_points

        components: dict[str, str | type[Component[Any]]] = {}
        families: dict[str, str | Family] = {}
        for entry in entry_points(group=group):
            if entry.name.endswith(FAMILY_SUFFIX):
                families[entry.name[: -len(FAMILY_SUFFIX)]] = entry.value
            else:
                components[entry.name] = entry.value
        return cls(components, families)

    @classmethod
    def default(cls) -> Registry:
        """The registry of the installed catalog, read once per process."""
        if cls._default is None:
            cls._default = cls.from_entry_points()
        return cls._default

    def register(self, component_id: str, target: str | type[Component[Any]]) -> None:
        """Add one id (the Python API and tests use this; packages use entry points)."""
        self._components[component_id] = _Entry(target)
        self._targets[component_id] = _target_name(target)
        self._suggesters.pop("", None)

    # --- families ---------------------------------------------------------------------

    def _family(self, prefix: str) -> Family:
        family = self._families[prefix]
        if isinstance(family, str):
            family = _Entry(family).load()
            if isinstance(family, type):
                family = family()
            if not isinstance(family, Family):
                raise ComponentImportError(f"{prefix}{FAMILY_SUFFIX} does not name a Family")
            self._families[prefix] = family
        assert isinstance(family, Family)
        return family

    def _members(self, prefix: str) -> frozenset[str]:
        if prefix not in self._family_members:
            self._family_members[prefix] = frozenset(self._family(prefix).members())
        return self._family_members[prefix]

    def _family_of(self, component_id: str) -> tuple[str, str] | None:
        for prefix in self._families:
            if component_id.startswith(prefix + "."):
                return prefix, component_id[len(prefix) + 1 :]
        return None

    def targets(self) -> tuple[dict[str, str], dict[str, str]]:
        """The ``module:attribute`` of each id and of each family prefix, as registered
        (a class or family given directly is named by its module and qualified name)."""
        return dict(self._targets), dict(self._family_targets)

    def families(self) -> dict[str, Family]:
        return {prefix: self._family(prefix) for prefix in sorted(self._families)}

    # --- lookup -----------------------------------------------------------------------

    def __contains__(self, component_id: object) -> bool:
        if not isinstance(component_id, str):
            return False
        if component_id in self._components:
            return True
        found = self._family_of(component_id)
        return found is not None and found[1] in self._members(found[0])

    def ids(self, prefix: str = "") -> list[str]:
        """Every id, family members included, optionally under ``prefix``."""
        everything = list(self._components)
        for family_prefix in self._families:
            everything.extend(f"{family_prefix}.{m}" for m in self._members(family_prefix))
        return sorted(cid for cid in everything if cid.startswith(prefix))

    def resolve(self, component_id: str) -> type[Component[Any]]:
        """The class for ``component_id``; raises :class:`UnknownComponent` with suggestions."""
        entry = self._components.get(component_id)
        if entry is not None:
            cls = entry.load()
        else:
            found = self._family_of(component_id)
            if found is None or found[1] not in self._members(found[0]):
                raise UnknownComponent(component_id, self.suggest(component_id))
            cls = self._family(found[0]).resolve(found[1])
            self._components[component_id] = _Entry(cls)
        from fortuna._internal.component import Component

        if not (isinstance(cls, type) and issubclass(cls, Component)):
            raise ComponentImportError(f"{component_id} does not name a Component class")
        return cls

    def suggest(self, component_id: str) -> list[str]:
        """The closest registered id, if one is close (from an index, not a scan)."""
        found = self._family_of(component_id)
        if found is not None:
            prefix, member = found
            if prefix not in self._suggesters:
                self._suggesters[prefix] = Suggester(self._members(prefix))
            close = self._suggesters[prefix].closest(member)
            return [f"{prefix}.{close}"] if close else []
        if "" not in self._suggesters:
            self._suggesters[""] = Suggester(self.ids())
        close = self._suggesters[""].closest(component_id)
        return [close] if close else []


def _target_name(target: Any) -> str:
    if isinstance(target, str):
        return target
    named = target if isinstance(target, type) else type(target)
    return f"{named.__module__}:{named.__qualname__}"


def first_line(cls: type[Any]) -> str:
    """The first line of a class docstring: what ``fortuna catalog`` prints."""
    doc = cls.__doc__ or ""
    for line in doc.strip().splitlines():
        if line.strip():
            return line.strip()
    return ""
