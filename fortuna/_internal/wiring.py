"""What ``fortuna graph`` prints: the wiring of a mandate, as Mermaid or DOT."""

from __future__ import annotations

from fortuna._internal.plan import Plan

__all__ = ["to_dot", "to_mermaid"]


def _node_id(name: str) -> str:
    return "n_" + "".join(c if c.isalnum() else "_" for c in name)


def to_mermaid(plan: Plan) -> str:
    lines = ["flowchart LR"]
    for name, planned in plan.components.items():
        shape = ("[[", "]]") if name == plan.service else ("[", "]")
        label = f"{name}<br/><small>{planned.id}</small>"
        lines.append(f'    {_node_id(name)}{shape[0]}"{label}"{shape[1]}')
    for name, planned in plan.components.items():
        lines.extend(f"    {_node_id(name)} --> {_node_id(dep)}"
                     for dep in planned.dependencies)
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(plan: Plan) -> str:
    lines = ["digraph mandate {", "    rankdir=LR;", "    node [shape=box];"]
    for name, planned in plan.components.items():
        style = ", style=bold" if name == plan.service else ""
        lines.append(f"    {_quoted(name)} [label={_quoted(name + chr(10) + planned.id)}{style}];")
    for name, planned in plan.components.items():
        lines.extend(f"    {_quoted(name)} -> {_quoted(dep)};" for dep in planned.dependencies)
    lines.append("}")
    return "\n".join(lines) + "\n"
