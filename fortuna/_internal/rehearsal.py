"""Rehearsal: the same mandate, every live part swapped in memory for a simulated one.

``fortuna rehearse FILE`` must run *the mandate the operator approves*, not a copy edited
by hand, so the file is never touched: the mandate is validated as written, then each
component is offered to the *substitute* the catalog declares for its id, which may
replace it (a live exchange by the simulated venue), add components (a shared simulated
price process), refuse it with a reason (an on-chain venue nothing here can simulate), or
keep it. The core knows clocks, so it puts a virtual clock in place of the wall clock
itself; it knows nothing of venues: which ids are venues, and what simulates them, is the
plugins' knowledge.

Substitutes are declared in the entry-point group ``fortuna.rehearsal``: ``id =
"module:function"``, where an id ending in ``.*`` covers a whole prefix
(``"exchanges.ccxt.*"``). A substitute is ``function(node, view, rehearsal) -> None``:
``node`` and ``view`` are the mandate as the semantic checks see it, except that
``node.args`` is the component's args as data (vars substituted, references written
``"@name"``), ready to be edited into a replacement; ``rehearsal`` is the
:class:`Rehearsal` it acts on. Nothing is imported but the substitutes of the ids the
mandate uses. The result is validated again like any mandate, so a substitute that
produces a wrong arg gets the same located finding a file would.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fortuna._internal.checks import Node, View
from fortuna._internal.component import Ref
from fortuna._internal.mandate import Mandate
from fortuna._internal.plan import Plan
from fortuna._internal.time import Clock

__all__ = [
    "REHEARSAL_GROUP",
    "Rehearsal",
    "RehearsalRefused",
    "Substitution",
    "rehearse_mandate",
]

REHEARSAL_GROUP = "fortuna.rehearsal"
VIRTUAL_CLOCK = "clock.virtual"

Substitute = Callable[[Node, View, "Rehearsal"], None]


@dataclass(frozen=True, slots=True)
class Substitution:
    """One line of what the rehearsal changed: ``component`` was ``was``, now ``becomes``."""

    component: str
    was: str | None
    becomes: str | None
    note: str = ""

    def __str__(self) -> str:
        if self.was is None:
            return f"  + {self.component}: {self.becomes} ({self.note})" if self.note else \
                f"  + {self.component}: {self.becomes}"
        if self.becomes is None:
            return f"  {self.component}: {self.was} kept" + (f" ({self.note})"
                                                              if self.note else "")
        text = f"  {self.component}: {self.was} -> {self.becomes}"
        return f"{text} ({self.note})" if self.note else text


class RehearsalRefused(Exception):
    """The mandate cannot be rehearsed: each reason names a component and why."""

    def __init__(self, source: str, reasons: list[str]) -> None:
        self.source = source
        self.reasons = reasons
        super().__init__("; ".join(reasons))


@dataclass
class Rehearsal:
    """What the substitutes act on: the mandate's data (a deep copy) and the options.

    ``options`` are the command's (``data``, ``seed``, ``prices``, ``balances``...), read by
    the substitutes; ``shared`` is scratch space substitutes use to agree (one price process
    for every simulated venue, say).
    """

    data: dict[str, Any]
    options: Mapping[str, Any] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict)
    substitutions: list[Substitution] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    simulated: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)
    """The options some substitute acted on (an option nobody used is worth saying)."""
    clock_start: Any = None
    """Where the virtual clock starts (ISO 8601 text or a datetime), when a substitute
    knows (recorded data)."""
    span: float | None = None
    """How long the recorded data lasts, in seconds: the rehearsal's default duration."""

    @property
    def components(self) -> dict[str, Any]:
        found = self.data.setdefault("components", {})
        assert isinstance(found, dict)
        return found

    def replace(self, name: str, component_id: str, args: Mapping[str, Any], note: str = ""
                ) -> None:
        """``name`` becomes ``component_id`` with ``args`` (references as ``"@name"``)."""
        was = self.components.get(name, {}).get("id")
        self.components[name] = {"id": component_id, "args": dict(args)}
        self.substitutions.append(Substitution(name, was, component_id, note))
        self.simulated.add(name)

    def use(self, option: str) -> Any:
        """The value of ``option``, noted as used."""
        self.used.add(option)
        return self.options.get(option)

    def keep(self, name: str, note: str = "") -> None:
        """``name`` is already simulated: it stays as written."""
        self.substitutions.append(Substitution(name, self.components[name]["id"], None, note))
        self.simulated.add(name)

    def add(self, name: str, component_id: str, args: Mapping[str, Any], note: str = "") -> str:
        """Add a component under a name no component or var has yet; returns the name."""
        taken = set(self.components) | set(self.data.get("vars") or {})
        unique, n = name, 2
        while unique in taken:
            unique, n = f"{name}_{n}", n + 1
        self.components[unique] = {"id": component_id, "args": dict(args)}
        self.substitutions.append(Substitution(unique, None, component_id, note))
        return unique

    def refuse(self, name: str | None, reason: str) -> None:
        """``name`` (the whole rehearsal when None) cannot be rehearsed, for ``reason``:
        the command exits 2."""
        self.refusals.append(f"components.{name}: {reason}" if name else reason)


def _substitutes() -> dict[str, str]:
    from importlib.metadata import entry_points

    return {entry.name: entry.value for entry in entry_points(group=REHEARSAL_GROUP)}


def _substitute_for(component_id: str, declared: Mapping[str, str]) -> Substitute | None:
    spec = declared.get(component_id)
    if spec is None:
        prefixes = [k for k in declared if k.endswith(".*")
                    and component_id.startswith(k[:-1])]
        if not prefixes:
            return None
        spec = declared[max(prefixes, key=len)]
    module_name, _, attribute = spec.partition(":")
    found = getattr(importlib.import_module(module_name), attribute)
    assert callable(found), f"{spec} is not a function"
    substitute: Substitute = found
    return substitute


def _view(plan: Plan) -> View:
    nodes = {
        name: Node(name, planned.id, _as_written(dict(planned.raw_args)), planned.cls)
        for name, planned in plan.components.items()
    }
    referrers: dict[str, list[str]] = {}
    for name, planned in plan.components.items():
        for dependency in planned.dependencies:
            referrers.setdefault(dependency, []).append(name)
    return View(nodes, plan.service, {k: tuple(v) for k, v in referrers.items()})


def _as_written(value: Any) -> Any:
    """Raw args back to mandate data: a ``Ref`` becomes ``"@name"`` again."""
    if isinstance(value, Ref):
        return f"@{value.name}"
    if isinstance(value, dict):
        return {key: _as_written(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_written(item) for item in value]
    return value


def rehearse_mandate(
    mandate: Mandate, plan: Plan, options: Mapping[str, Any] | None = None,
    *, substitutes: Mapping[str, str] | None = None,
) -> tuple[Mandate, Rehearsal]:
    """The rehearsal of a valid mandate (``plan`` is its validation): a new mandate with
    every declared substitute applied and a virtual clock, and what changed. Raises
    :class:`RehearsalRefused` when a component cannot be rehearsed or nothing of the
    mandate is a venue to simulate. The new mandate still has to be validated."""
    data = copy.deepcopy(mandate.data)
    rehearsal = Rehearsal(data, dict(options or {}))
    declared = _substitutes() if substitutes is None else substitutes
    view = _view(plan)
    for _name, node in view.nodes.items():
        substitute = _substitute_for(node.id, declared)
        if substitute is not None:
            substitute(node, view, rehearsal)
    if rehearsal.refusals:
        raise RehearsalRefused(mandate.source, rehearsal.refusals)
    if not rehearsal.simulated:
        raise RehearsalRefused(mandate.source, [
            "nothing to rehearse: no component is a venue that a rehearsal simulates "
            "(an exchange, or a recorded market with --data)"])
    _virtual_clock(plan, rehearsal)
    # Components the substitutes replaced keep their position for findings; new ones have none.
    document = copy.copy(mandate.document)
    document.data = rehearsal.data
    return Mandate.from_document(document), rehearsal


def _virtual_clock(plan: Plan, rehearsal: Rehearsal) -> None:
    """The mandate's clock becomes virtual (starting where the data starts, if known)."""
    args: dict[str, Any] = {}
    if rehearsal.clock_start is not None:
        args["start"] = rehearsal.clock_start
    if plan.clock is None:
        rehearsal.add("clock", VIRTUAL_CLOCK, args, "simulated time instead of the wall clock")
        return
    planned = plan.components[plan.clock]
    assert issubclass(planned.cls, Clock)
    if planned.id == VIRTUAL_CLOCK and not args:
        rehearsal.keep(plan.clock, "already simulated time")
        rehearsal.simulated.discard(plan.clock)
        return
    written = _as_written(dict(planned.raw_args)) if planned.id == VIRTUAL_CLOCK else {}
    written.update(args)
    note = "starts where the recorded data starts" if args else "simulated time"
    rehearsal.replace(plan.clock, VIRTUAL_CLOCK, written, note)
    rehearsal.simulated.discard(plan.clock)
