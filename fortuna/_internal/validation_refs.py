"""Validation stages 3 and 4: references resolved, vars substituted, cycles, dependencies.

One walk resolves every ``"@name"`` (components become ``Ref``, vars their resolved value,
``@@`` unescapes) and records each reference; vars resolve in dependency order, so no chain
recurses, and each reference cycle is reported once. Unset ``!env`` variables are noted here.
"""

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from fortuna._internal.findings import (
    Finding,
    Position,
    cut,
    dotted,
)
from fortuna._internal.graph import cycles, order, walk_cycle
from fortuna._internal.plan import MissingEnv
from fortuna._internal.references import Ref
from fortuna._internal.suggest import Suggester
from fortuna._internal.validation_report import (
    _UNRESOLVABLE,
    Path,
    _State,
)

_INERT = frozenset({int, float, bool, Decimal, type(None)})
"""Leaf types that can hold no reference: the resolving walk skips them."""
def _references(value: Any) -> Iterator[str]:
    """The names ``"@name"`` strings inside ``value`` refer to (iterative: any depth)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if item.startswith("@") and not item.startswith("@@"):
                yield item[1:]
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


class _ReferenceResolver(_State):
    # --- stage 3: references, resolved in the same walk ------------------------------

    def scan(self, value: Any, path: Path, refs: list[tuple[Path, str]]) -> Any:
        """``value`` resolved (vars substituted, components as ``Ref``, ``@@`` unescaped),
        collecting every reference into ``refs``. Unchanged subtrees are returned as is."""
        if isinstance(value, str):
            if not value.startswith("@"):
                return value
            if value.startswith("@@"):
                return value[1:]
            target = value[1:]
            if target in self.components:
                refs.append((path, target))
                return Ref(target)
            if target in self.vars:
                refs.append((path, target))
                return self.var_value(target)
            self.report(path, f'"{cut(value)}" is not a component or var'
                        f"{self.name_hint(target)}")
            return _UNRESOLVABLE
        if isinstance(value, dict):
            changed: dict[Any, Any] | None = None
            for key, item in value.items():
                if type(item) in _INERT or (type(item) is str and not item.startswith("@")):
                    continue
                new = self.scan(item, (*path, key), refs)
                if new is not item:
                    changed = dict(value) if changed is None else changed
                    changed[key] = new
            return value if changed is None else changed
        if isinstance(value, list):
            items: list[Any] | None = None
            for index, item in enumerate(value):
                if type(item) in _INERT or (type(item) is str and not item.startswith("@")):
                    continue
                new = self.scan(item, (*path, index), refs)
                if new is not item:
                    items = list(value) if items is None else items
                    items[index] = new
            return value if items is None else items
        if isinstance(value, MissingEnv):
            self.unset_env[value.variable] = None
            self.missing_env.append(Finding(
                self.source, dotted(path), f"environment variable {value.variable} is not set",
                value.position or self.document.locate(path)))
        return value

    def name_hint(self, target: str) -> str:
        """ "(did you mean "@x"?)" among the vars and components, from an index."""
        if self._names is None:
            self._names = Suggester([*self.vars, *self.components])
        close = self._names.closest(target)
        return f' (did you mean "@{close}"?)' if close else ""

    def var_value(self, name: str) -> Any:
        """A var's resolved value. Vars resolve in dependency order (no recursion, however
        long a chain), so one referring to an unresolved var is inside or after a cycle,
        which is reported on its own."""
        return self.resolved_vars.get(name, _UNRESOLVABLE)

    def resolve_all(self) -> dict[str, Any]:
        """Resolve every var (used or not, so each is checked once) and every component's
        args; returns the resolved args by component name."""
        var_edges = {name: [t for t in _references(value) if t in self.vars]
                     for name, value in self.vars.items()}
        ordered, leftover = order(var_edges)
        for name in [*ordered, *leftover]:
            refs = self.references.setdefault(name, [])
            self.resolved_vars[name] = self.scan(self.vars[name], ("vars", name), refs)
        return {name: self.scan(spec["args"], ("components", name, "args"),
                                self.references.setdefault(name, []))
                for name, spec in self.components.items()}

    def order(self) -> tuple[list[str], set[str]]:
        """Names in dependency order (file order among equals), and the names caught in a
        reference cycle, each cycle reported once."""
        edges = {name: [target for _, target in refs] for name, refs in self.references.items()}
        ordered, leftover = order(edges)
        in_cycle: set[str] = set()
        for members in cycles(leftover):
            in_cycle.update(members)
            self.report_cycle(members, leftover)
        return ordered, in_cycle

    def report_cycle(self, members: list[str], edges: dict[str, list[str]]) -> None:
        start = min(members, key=lambda n: (self.position_of(n) or Position(0, 0), n))
        cycle = walk_cycle(members, start, edges)
        where = ", ".join(f"{name} at {self.position_of(name)}" for name in cycle[:-1]
                          if self.position_of(name))
        message = "reference cycle: " + " -> ".join(cycle) + (f" ({where})" if where else "")
        self.findings.append(Finding(self.source, "", message))

    # --- stage 4: dependencies -------------------------------------------------------

    def dependencies(self, name: str, cyclic: set[str]) -> tuple[str, ...]:
        found: dict[str, None] = {}
        pending = [target for _, target in self.references.get(name, [])]
        seen_vars: set[str] = set()
        while pending:
            target = pending.pop()
            if target in self.components:
                found[target] = None
            elif target not in seen_vars and target not in cyclic:
                seen_vars.add(target)
                pending.extend(t for _, t in self.references.get(target, []))
        return tuple(found)
