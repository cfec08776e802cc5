"""What ``fortuna graph`` prints: the wiring of a mandate, as Mermaid or DOT.

Every edge is labelled with the arg that makes it (``exchange``, ``kill_switches``; a
nested one as ``markets.price``), so two edges between the same components stay apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fortuna._internal.component import Ref
from fortuna._internal.plan import Plan, PlannedComponent

__all__ = ["to_dot", "to_mermaid"]


def _node_id(name: str) -> str:
    return "n_" + "".join(c if c.isalnum() else "_" for c in name)


def _arg_refs(value: Any) -> Iterator[tuple[str, str]]:
    """(arg label, referenced name) for every reference in ``value``, in order."""
    pending: list[tuple[tuple[str, ...], Any]] = [((), value)]
    while pending:
        path, item = pending.pop(0)
        if isinstance(item, Ref):
            yield ".".join(path), item.name
        elif isinstance(item, dict):
            pending.extend(((*path, str(k)), v) for k, v in item.items())
        elif isinstance(item, list | tuple):
            pending.extend((path, v) for v in item)


def edges(planned: PlannedComponent) -> list[tuple[str, str]]:
    """(dependency, label) for each component ``planned`` depends on, labels joined by
    ", " when several args reference the same one."""
    labels: dict[str, list[str]] = {dep: [] for dep in planned.dependencies}
    for label, name in _arg_refs(planned.raw_args):
        if name in labels and label not in labels[name]:
            labels[name].append(label)
    return [(dep, ", ".join(found)) for dep, found in labels.items()]


def _mermaid_label(text: str) -> str:
    return "".join(c if c.isalnum() or c in "_.,[] " else " " for c in text).strip()


def to_mermaid(plan: Plan) -> str:
    lines = ["flowchart LR"]
    for name, planned in plan.components.items():
        shape = ("[[", "]]") if name == plan.service else ("[", "]")
        label = f"{name}<br/><small>{planned.id}</small>"
        lines.append(f'    {_node_id(name)}{shape[0]}"{label}"{shape[1]}')
    for name, planned in plan.components.items():
        for dep, label in edges(planned):
            arrow = f'-- "{_mermaid_label(label)}" -->' if label else "-->"
            lines.append(f"    {_node_id(name)} {arrow} {_node_id(dep)}")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(plan: Plan) -> str:
    lines = ["digraph mandate {", "    rankdir=LR;", "    node [shape=box];"]
    for name, planned in plan.components.items():
        style = ", style=bold" if name == plan.service else ""
        lines.append(f"    {_quoted(name)} [label={_quoted(name + chr(10) + planned.id)}{style}];")
    for name, planned in plan.components.items():
        for dep, label in edges(planned):
            attributes = f" [label={_quoted(label)}]" if label else ""
            lines.append(f"    {_quoted(name)} -> {_quoted(dep)}{attributes};")
    lines.append("}")
    return "\n".join(lines) + "\n"
