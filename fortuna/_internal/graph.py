"""Dependency order and reference cycles: the one implementation, two callers.

Validation orders a mandate's names (components and vars) so that everything a name refers
to comes before it, and reports each reference cycle once; the container loads components
as their dependencies finish, concurrently. Both are Kahn's algorithm over the same edges,
so both use :class:`DependencyOrder`: validation drains it in one go (:func:`order`), the
container feeds it completions as loads finish. Cycles are strongly connected components
(Tarjan's algorithm, iterative, so a chain of a hundred thousand names needs no recursion).

Order among names that are ready together is the order the edges were given in (file
order), so plans, load order and findings are stable from run to run.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping

__all__ = ["DependencyOrder", "cycles", "order"]


class DependencyOrder:
    """Kahn's algorithm, step by step: which names are ready once others are done.

    ``edges`` maps each name to the names it depends on; a dependency that is not itself a
    key is ignored (it is outside the graph). :meth:`done` returns the names it releases.
    """

    def __init__(self, edges: Mapping[str, Iterable[str]]) -> None:
        self._waiting: dict[str, int] = {}
        self._dependents: dict[str, list[str]] = {name: [] for name in edges}
        for name, targets in edges.items():
            inside = {target for target in targets if target in self._dependents}
            self._waiting[name] = len(inside)
            for target in inside:
                self._dependents[target].append(name)

    def ready(self) -> list[str]:
        """The names with no dependency at all, in the order of ``edges``."""
        return [name for name, count in self._waiting.items() if count == 0]

    def done(self, name: str) -> list[str]:
        """Mark ``name`` finished; the names that became ready because of it."""
        released: list[str] = []
        for dependent in self._dependents.get(name, ()):
            self._waiting[dependent] -= 1
            if self._waiting[dependent] == 0:
                released.append(dependent)
        return released


def order(edges: Mapping[str, Iterable[str]]) -> tuple[list[str], dict[str, list[str]]]:
    """Every name whose dependencies can all be ordered, dependencies first; and the edges
    among the names left over (each of them is in, or depends on, a cycle)."""
    materialised = {name: list(dict.fromkeys(targets)) for name, targets in edges.items()}
    kahn = DependencyOrder(materialised)
    ready = deque(kahn.ready())
    ordered: list[str] = []
    while ready:
        name = ready.popleft()
        ordered.append(name)
        ready.extend(kahn.done(name))
    if len(ordered) == len(materialised):
        return ordered, {}
    placed = set(ordered)
    leftover = {name: [t for t in targets if t in materialised and t not in placed]
                for name, targets in materialised.items() if name not in placed}
    return ordered, leftover


def cycles(edges: Mapping[str, list[str]]) -> list[list[str]]:
    """Each cycle of ``edges`` once, as the set of its members (Tarjan, iterative): a
    strongly connected component of more than one name, or a name that refers to itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in edges:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child_index = work.pop()
            if child_index == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = edges.get(node, [])
            if child_index < len(children):
                work.append((node, child_index + 1))
                child = children[child_index]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                members: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                if len(members) > 1 or node in children:
                    found.append(members)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def walk_cycle(members: Iterable[str], start: str, edges: Mapping[str, list[str]]) -> list[str]:
    """One closed path through a cycle's ``members`` from ``start``: ``[a, b, c, a]``."""
    inside = set(members)
    path, seen, node = [start], {start}, start
    while True:
        following = next(c for c in edges[node] if c in inside)
        path.append(following)
        if following in seen:
            return path[path.index(following):]
        seen.add(following)
        node = following
