"""Semantic checks: what a mandate's types cannot say, checked across its components.

The core knows nothing of trading. A component *declares* its checks by name::

    class MarketMaking(TickService[MarketMakingArgs]):
        semantic_checks = ("plugins.market_making._checks:sizes",)

and the plugin that knows the domain *implements* them, in a light module (no asyncio, no
client library at import). Declarations are plain strings, so a precompiled catalog index
can carry them without importing the component's module; only the check module is
imported, once, when a mandate uses the component.

A check is a function ``check(node, view) -> Iterable[Problem]``: ``node`` is the
component declaring it (name, catalog id, validated args), ``view`` the whole mandate
(every node whose args are valid, who references whom, the service). It runs after every
type check of the same pass, with no network and no instance built, and only when the
args of the declaring component are valid. Each :class:`Problem` it yields becomes a
finding located at an arg of any component (the declaring one by default), an error or a
warning. A check that raises is reported as a finding naming it, never a traceback.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pydantic import SecretStr

from fortuna._internal.component import Placeholder, Ref
from fortuna._internal.findings import ERROR, WARNING, Severity

__all__ = ["ERROR", "WARNING", "Check", "CheckFailed", "Identity", "Node", "Problem", "View",
           "load_check"]

ArgPath = tuple[str | int, ...]


class Identity(NamedTuple):
    """Who a value is, never what it is: ``key`` compares equal for equal values, ``label``
    names it in a finding.

    A value read from a set ``!env`` variable or written in the file is known by a digest of
    it (so two variables holding one API key are one key); an unset variable by its name.
    The label is ``!env NAME`` or "a value written in the file": never the value.
    """

    key: str
    label: str


@dataclass(frozen=True, slots=True)
class Problem:
    """What a check found: a message, the arg it concerns, and how bad it is.

    ``path`` is inside the args of ``component`` (the component running the check when
    None): ``("levels",)``, ``("markets", 0, "min_notional")``.
    """

    message: str
    path: tuple[str | int, ...] = ()
    component: str | None = None
    severity: Severity = ERROR


@dataclass(frozen=True, slots=True)
class Node:
    """One component of the mandate as checks see it: name, catalog id, validated args.

    ``args`` is the component's args model with every reference still a stand-in
    (:class:`Placeholder`); :meth:`View.node` turns one into the node it names.
    """

    name: str
    id: str
    args: Any
    cls: type[Any]
    env: Mapping[ArgPath, str] = field(default_factory=dict)
    """The ``!env`` variable each arg was read from (directly or through a var), by path."""
    unset: frozenset[ArgPath] = frozenset()
    """The args whose ``!env`` variable is not set here: their value is a stand-in."""

    def identity(self, *path: str | int) -> Identity | None:
        """Who the arg at ``path`` is (see :class:`Identity`); None when it has no value."""
        variable = self.env.get(path)
        if path in self.unset and variable is not None:
            return Identity(f"!env {variable}", f"!env {variable}")
        value: Any = self.args
        for part in path:
            try:
                value = value[part] if isinstance(part, int) else getattr(value, part, None)
            except (IndexError, KeyError, TypeError):
                return None
            if value is None:
                return None
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        digest = hashlib.sha256(str(value).encode("utf-8", "surrogatepass")).hexdigest()
        label = f"!env {variable}" if variable is not None else (
            f"the {'.'.join(str(p) for p in path)} written in the file")
        return Identity(f"sha256:{digest}", label)


@dataclass
class View:
    """The mandate as a whole, for checks: nodes by name, the service, references."""

    nodes: Mapping[str, Node]
    service: str | None = None
    referrers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    vars: Mapping[str, Any] = field(default_factory=dict)
    """The mandate's vars whose values are plain scalars (a number, a string, a boolean):
    hints a mandate gives its checks, such as a price known before the run."""

    def node(self, value: Any) -> Node | None:
        """The node ``value`` stands for (a placeholder, a reference or a name), if its
        args are valid; None otherwise."""
        if isinstance(value, Placeholder | Ref):
            value = value.name
        return self.nodes.get(value) if isinstance(value, str) else None

    def referring(self, name: str) -> Iterator[Node]:
        """The valid nodes whose args reference ``name`` (directly or through a var)."""
        for other in self.referrers.get(name, ()):
            node = self.nodes.get(other)
            if node is not None:
                yield node

    @property
    def service_node(self) -> Node | None:
        return self.nodes.get(self.service) if self.service else None


Check = Callable[[Node, View], Iterable[Problem]]


class CheckFailed(Exception):
    """A declared check could not be imported (its name is wrong, or its module broken)."""


_LOADED: dict[str, Check] = {}


def load_check(spec: str) -> Check:
    """The function ``"package.module:function"`` names, imported once."""
    loaded = _LOADED.get(spec)
    if loaded is not None:
        return loaded
    module_name, _, attribute = spec.partition(":")
    try:
        found = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError) as exc:
        raise CheckFailed(f"check {spec} cannot be loaded: {exc}") from exc
    if not callable(found):
        raise CheckFailed(f"check {spec} is not a function")
    check: Check = found
    _LOADED[spec] = check
    return check


def declared(cls: type[Any]) -> tuple[str, ...]:
    """The checks a component class declares (its own and its bases')."""
    specs: dict[str, None] = {}
    for klass in reversed(cls.__mro__):
        found = klass.__dict__.get("semantic_checks", ())
        if isinstance(found, tuple | list):
            specs.update((spec, None) for spec in found if isinstance(spec, str))
    return tuple(specs)


def run_checks(view: View) -> Iterator[tuple[Node, Problem]]:
    """Every problem of every declared check, with the node that found it."""
    for node in view.nodes.values():
        for spec in declared(node.cls):
            try:
                check = load_check(spec)
                problems = list(check(node, view))
            except CheckFailed as exc:
                yield node, Problem(str(exc), severity=ERROR)
                continue
            except Exception as exc:  # a bug in a plugin's check: say so, go on
                yield node, Problem(f"check {spec} failed: {type(exc).__name__}: {exc}",
                                    severity=ERROR)
                continue
            for problem in problems:
                yield node, problem
