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


def _duration_text(seconds: float) -> str:
    """``3600.0`` as ``1h``, ``0.25`` as ``250ms``: how a mandate writes it."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    if seconds == 0:
        return "0s"
    millis = seconds * 1000
    return f"{millis:g}ms" if millis == int(millis) else f"{seconds:g}s"


def _plain(value: Any, is_duration: bool) -> str:
    """A default as a mandate would write it: ``0``, ``1h``, ``"sim"``, ``null``, ``[]``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_duration and isinstance(value, int | float):
        return _duration_text(float(value))
    if isinstance(value, Decimal | int | float):
        return str(value)
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list | tuple | dict) and not value:
        return "[]" if not isinstance(value, dict) else "{}"
    if isinstance(value, BaseModel):
        return "(its defaults)"
    return str(value)


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    is_duration = type_name(info.annotation, info.metadata).startswith("duration")
    if info.default_factory is not None:
        try:
            made = info.default_factory()  # type: ignore[call-arg]
        except TypeError:
            return "default: (computed)"
        return f"default: {_plain(made, is_duration)}"
    if info.default is PydanticUndefined:
        return ""
    return f"default: {_plain(info.default, is_duration)}"


_BOUNDS = (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<="),
           ("min_length", "length >= {}"), ("max_length", "length <= {}"))


def _constraints(info: FieldInfo) -> str:
    """The field's bounds as an operator reads them: ``> 0, <= 1``."""
    found: list[str] = []
    pending: list[Any] = list(info.metadata)
    annotation = info.annotation
    for argument in get_args(annotation):
        if get_origin(argument) is Annotated:
            pending.extend(get_args(argument)[1:])
    if get_origin(annotation) is Annotated:
        pending.extend(get_args(annotation)[1:])
    for marker in pending:
        for attribute, form in _BOUNDS:
            value = getattr(marker, attribute, None)
            if value is None or isinstance(marker, type):
                continue
            text = form.format(value) if "{}" in form else f"{form} {value}"
            if text not in found:
                found.append(text)
    return ", ".join(found)


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    pending = [annotation]
    while pending:
        item = pending.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
        pending.extend(get_args(item))
    return None


def _fields(model: type[BaseModel], indent: str, depth: int) -> list[str]:
    lines: list[str] = []
    for name, info in model.model_fields.items():
        bounds = _constraints(info)
        extra = f"; {bounds}" if bounds else ""
        lines.append(f"{indent}{name}: {type_name(info.annotation, info.metadata)}  "
                     f"({_default(info)}{extra})")
        if info.description:
            lines.append(f"{indent}    {info.description}")
        nested = _nested_model(info.annotation)
        if nested is not None and depth < 3 and nested.model_fields:
            lines.append(f"{indent}    each {nested.__name__} has:")
            lines.extend(_fields(nested, indent + "      ", depth + 1))
    return lines


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
    lines.extend(_fields(model, "    ", 0))
    return "\n".join(lines)
