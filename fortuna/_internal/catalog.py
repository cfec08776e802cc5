"""What ``fortuna catalog`` prints: ids with one-line descriptions, or one id's args."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from fortuna._internal.component import Interface
from fortuna._internal.registry import Registry, first_line
from fortuna._internal.types import _DecimalJsonSchema, _DurationJsonSchema

__all__ = ["describe_component", "list_components"]


def list_components(registry: Registry, prefix: str = "") -> list[tuple[str, str]]:
    """``(id, description)`` for every id under ``prefix``.

    A family (``exchanges.ccxt.*``) is one row, ``exchanges.ccxt.<id>``, saying how many
    members it has and how to list them, unless ``prefix`` is inside the family: then each
    member is a row with its own class's first docstring line (where a tuned venue says
    "tuned" and what it emulates, and any other says "generic")."""
    rows: list[tuple[str, str]] = []
    families = registry.families()
    folded: set[str] = set()
    for cid in registry.ids(prefix):
        family_prefix = next((p for p in families if cid.startswith(p + ".")), None)
        if family_prefix is None:
            rows.append((cid, first_line(registry.resolve(cid))))
            continue
        family = families[family_prefix]
        if prefix.startswith(family_prefix + ".") or prefix == family_prefix:
            try:
                line = first_line(registry.resolve(cid))
            except Exception:  # a member that cannot be built: say what the family says
                line = family.description
            rows.append((cid, line or family.description))
        elif family_prefix not in folded:
            folded.add(family_prefix)
            count = len(family.members())
            rows.append((f"{family_prefix}.<id>",
                         f"{family.description} ({count} ids; `fortuna catalog "
                         f"{family_prefix}` lists them, tuned ones marked)"))
    return rows


def type_name(annotation: Any, metadata: Sequence[Any] = ()) -> str:
    """A type as an operator reads it: ``decimal``, ``duration``, ``@Exchange`` (a
    reference), ``list[decimal]``, ``duration | null``."""
    for marker in metadata:
        if isinstance(marker, _DurationJsonSchema):
            return "duration"
        if isinstance(marker, _DecimalJsonSchema):
            return "decimal"
    origin, arguments = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return type_name(arguments[0], arguments[1:])
    if origin in (Union, UnionType):
        return " | ".join(type_name(argument) for argument in arguments)
    if origin is Literal:
        return " | ".join(repr(argument) for argument in arguments)
    if origin is not None:
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{', '.join(type_name(argument) for argument in arguments)}]"
    if annotation is type(None):
        return "null"
    if annotation is Decimal:
        return "decimal"
    if isinstance(annotation, type):
        if issubclass(annotation, Interface):
            return f"@{annotation.__name__}"
        return annotation.__name__
    return str(annotation)


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    if info.default_factory is not None:
        return "default: (computed)"
    if info.default is PydanticUndefined:
        return ""
    return f"default: {info.default!r}"


def describe_component(registry: Registry, component_id: str) -> str:
    cls = registry.resolve(component_id)
    lines = [component_id, f"  {first_line(cls)}", ""]
    doc = (cls.__doc__ or "").strip().splitlines()[1:]
    body = [line.strip() for line in doc if line.strip()]
    if body:
        lines.extend(f"  {line}" for line in body)
        lines.append("")
    model: type[BaseModel] = cls.Args
    if not model.model_fields:
        lines.append("  takes no args")
        return "\n".join(lines)
    lines.append("  args:")
    for name, info in model.model_fields.items():
        lines.append(f"    {name}: {type_name(info.annotation, info.metadata)}  ({_default(info)})")
        if info.description:
            lines.append(f"        {info.description}")
    return "\n".join(lines)
