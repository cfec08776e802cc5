"""What ``fortuna graph`` prints: the wiring of a mandate, as Mermaid or DOT.

Every edge is labelled with the arg that makes it (``exchange``, ``kill_switches``; a
nested one as ``markets.price``), so two edges between the same components stay apart.
With ``key_args`` each component also shows its plain args (``symbol=BTC/USDT``,
``interval=1s``): never an arg typed as a secret, one whose name says it holds a credential,
or a value read from the environment, since a graph is pasted into tickets and chats.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from decimal import Decimal
from typing import Any

from fortuna._internal.component import Ref
from fortuna._internal.plan import Plan, PlannedComponent
from fortuna._internal.redaction import CREDENTIAL_NAME

__all__ = ["key_args", "to_dot", "to_mermaid"]

_LONGEST_VALUE = 24


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


def _secret_fields(planned: PlannedComponent) -> set[str]:
    fields = getattr(getattr(planned.cls, "Args", None), "model_fields", {})
    return {name for name, info in fields.items() if "Secret" in repr(info.annotation)}


def key_args(planned: PlannedComponent, hidden: Collection[str] = ()) -> list[str]:
    """``name=value`` for each plain (scalar, not a reference) arg of ``planned`` that may
    be shown: none typed as a secret or named like a credential, none whose value is in
    ``hidden`` (the values read from the environment); long values are cut."""
    secret = _secret_fields(planned)
    shown = []
    for name, value in planned.raw_args.items():
        if (name in secret or CREDENTIAL_NAME.search(name) or isinstance(value, Ref)
                or not isinstance(value, str | int | Decimal | bool)):
            continue
        text = str(value).lower() if isinstance(value, bool) else (
            format(value, "f") if isinstance(value, Decimal) else str(value))
        if text in hidden:
            continue
        if len(text) > _LONGEST_VALUE:
            text = text[:_LONGEST_VALUE - 1] + "…"
        shown.append(f"{name}={text}")
    return shown


def _mermaid_label(text: str) -> str:
    return "".join(c if c.isalnum() or c in "_.,[] " else " " for c in text).strip()


def _mermaid_text(text: str) -> str:
    """``text`` safe inside a quoted Mermaid label (quotes and markup become entities)."""
    return (text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;")
            .replace(">", "#gt;"))


def to_mermaid(plan: Plan, *, args: bool = False, hidden: Collection[str] = ()) -> str:
    lines = ["flowchart LR"]
    for name, planned in plan.components.items():
        shape = ("[[", "]]") if name == plan.service else ("[", "]")
        label = f"{name}<br/><small>{planned.id}</small>"
        shown = key_args(planned, hidden) if args else []
        if shown:
            label += "<br/><small>" + _mermaid_text(", ".join(shown)) + "</small>"
        lines.append(f'    {_node_id(name)}{shape[0]}"{label}"{shape[1]}')
    for name, planned in plan.components.items():
        for dep, label in edges(planned):
            arrow = f'-- "{_mermaid_label(label)}" -->' if label else "-->"
            lines.append(f"    {_node_id(name)} {arrow} {_node_id(dep)}")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(plan: Plan, *, args: bool = False, hidden: Collection[str] = ()) -> str:
    lines = ["digraph mandate {", "    rankdir=LR;", "    node [shape=box];"]
    for name, planned in plan.components.items():
        style = ", style=bold" if name == plan.service else ""
        label = "\n".join([name, planned.id, *(key_args(planned, hidden) if args else [])])
        lines.append(f"    {_quoted(name)} [label={_quoted(label)}{style}];")
    for name, planned in plan.components.items():
        for dep, label in edges(planned):
            attributes = f" [label={_quoted(label)}]" if label else ""
            lines.append(f"    {_quoted(name)} -> {_quoted(dep)}{attributes};")
    lines.append("}")
    return "\n".join(lines) + "\n"
