"""The committed JSON Schema says what validation enforces, in draft-07's own words.

Checked with an independent validator (``jsonschema``): the schema passes the draft-07
meta-schema, uses no keyword the draft does not define, and for every numeric bound of
every registered component's args, a value just outside the bound fails the schema exactly
when it fails ``fortuna validate`` (and the bound itself, where allowed, passes both).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types
import pytest
from jsonschema import Draft7Validator
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from fortuna import Mandate, Registry, validate

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "jsonschema" / "mandate.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
REGISTRY = Registry.default()

_SUBSCHEMA = ("items", "additionalProperties", "not", "if", "then", "else", "propertyNames",
              "contains", "additionalItems")
_SUBSCHEMA_LISTS = ("anyOf", "oneOf", "allOf")
_SUBSCHEMA_MAPS = ("properties", "definitions", "patternProperties")


def subschemas(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every schema object in ``schema``, itself included (property names are not)."""
    pending = [schema]
    while pending:
        node = pending.pop()
        yield node
        for key, value in node.items():
            if key in _SUBSCHEMA:
                pending.extend(v for v in (value if isinstance(value, list) else [value])
                               if isinstance(v, dict))
            elif key in _SUBSCHEMA_LISTS:
                pending.extend(value)
            elif key in _SUBSCHEMA_MAPS:
                pending.extend(value.values())


def test_committed_schema_passes_the_draft7_meta_schema() -> None:
    Draft7Validator.check_schema(SCHEMA)


def test_committed_schema_uses_no_keyword_draft7_does_not_define() -> None:
    defined = set(Draft7Validator.META_SCHEMA["properties"])
    used = {key for node in subschemas(SCHEMA) for key in node}
    assert used - defined == set()


def test_every_bound_in_the_schema_is_a_number() -> None:
    keywords = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
    bounds = [node[k] for node in subschemas(SCHEMA) for k in keywords if k in node]
    assert bounds
    assert all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)


# --- every numeric bound of every registered Args model -----------------------------------

Wrap = Callable[[Any], Any]
_BOUNDS = (annotated_types.Gt, annotated_types.Ge, annotated_types.Lt, annotated_types.Le)


def _is_int(annotation: Any) -> bool:
    return annotation is int or int in get_args(annotation)


def _bounds(annotation: Any, metadata: list[Any], wrap: Wrap) -> Iterator[tuple[Any, bool, Wrap]]:
    """``(bound, is_int, wrap)`` for each bound in a field's type, at any depth."""
    for marker in metadata:
        if isinstance(marker, _BOUNDS):
            yield marker, _is_int(annotation), wrap
        elif isinstance(marker, FieldInfo):
            yield from _bounds(annotation, list(marker.metadata), wrap)
    origin, arguments = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        yield from _bounds(arguments[0], list(arguments[1:]), wrap)
    elif origin in (Union, UnionType):
        for argument in arguments:
            yield from _bounds(argument, [], wrap)
    elif origin is list and arguments:
        def in_a_list(value: Any, outer: Wrap = wrap) -> Any:
            return outer([value])

        yield from _bounds(arguments[0], [], in_a_list)


def _models() -> dict[str, type[BaseModel]]:
    families = REGISTRY.families()
    models: dict[str, type[BaseModel]] = {}
    for cid in REGISTRY.ids():
        if not any(cid.startswith(p + ".") for p in families):
            models.setdefault(cid, REGISTRY.resolve(cid).Args)
    for prefix, family in families.items():
        models[f"{prefix}.{sorted(family.members())[0]}"] = REGISTRY.resolve(
            f"{prefix}.{sorted(family.members())[0]}").Args
    return models


def _cases() -> Iterator[tuple[str, str, Any]]:
    for cid, model in sorted(_models().items()):
        for name, info in model.model_fields.items():
            for bound, is_int, wrap in _bounds(info.annotation, list(info.metadata),
                                               lambda v: v):
                step: Any = 1 if is_int else Decimal("0.001")
                limit: Any = next(getattr(bound, k) for k in ("gt", "ge", "lt", "le")
                                  if hasattr(bound, k))
                limit = limit if is_int else Decimal(str(limit))
                outside = {"gt": limit, "lt": limit, "ge": limit - step, "le": limit + step}
                kind = type(bound).__name__.lower()
                yield cid, name, wrap(outside[kind])
                if kind in ("ge", "le"):
                    yield cid, name, wrap(limit)


CASES = list(_cases())


def _args_schema(component_id: str) -> dict[str, Any]:
    for branch in SCHEMA["definitions"]["Component"]["oneOf"]:
        id_schema = branch["properties"]["id"]
        if id_schema.get("const") == component_id or component_id in id_schema.get("enum", []):
            return {**branch["properties"]["args"], "definitions": SCHEMA["definitions"]}
    raise AssertionError(f"{component_id} has no branch in {SCHEMA_PATH}")


def _fails_schema(component_id: str, name: str, value: Any) -> bool:
    validator = Draft7Validator(_args_schema(component_id))
    return any(tuple(error.absolute_path)[:1] == (name,)
               for error in validator.iter_errors({name: value}))


def _fails_validate(component_id: str, name: str, value: Any) -> bool:
    mandate = Mandate("@c", {"c": {"id": component_id, "args": {name: value}}})
    path = f"components.c.args.{name}"
    return any(f.path == path or f.path.startswith(path + "[")
               for f in validate(mandate, registry=REGISTRY).findings)


def test_there_are_bounds_to_compare() -> None:
    assert len(CASES) > 50


@pytest.mark.parametrize(("component_id", "name", "value"), CASES,
                         ids=[f"{c}.{n}={v!r}" for c, n, v in CASES])
def test_a_bound_fails_the_schema_exactly_when_it_fails_validate(
    component_id: str, name: str, value: Any
) -> None:
    assert _fails_schema(component_id, name, value) == _fails_validate(component_id, name, value)


# --- the ccxt family's ids are pinned --------------------------------------------------------


def test_ccxt_family_lists_the_pinned_ids_not_the_installed_release() -> None:
    from plugins.exchanges.ccxt.family import FAMILY, pinned_exchange_ids

    assert tuple(FAMILY.members()) == pinned_exchange_ids()
    enum = next(branch["properties"]["id"]["enum"]
                for branch in SCHEMA["definitions"]["Component"]["oneOf"]
                if branch["title"] == "exchanges.ccxt.*")
    assert enum == [f"exchanges.ccxt.{member}" for member in pinned_exchange_ids()]


def test_pinned_ccxt_ids_are_those_of_the_installed_ccxt() -> None:
    from plugins.exchanges.ccxt.family import installed_exchange_ids, pinned_exchange_ids

    added = sorted(set(installed_exchange_ids()) - set(pinned_exchange_ids()))
    removed = sorted(set(pinned_exchange_ids()) - set(installed_exchange_ids()))
    assert (added, removed) == ([], []), (
        "the installed ccxt does not ship the exchanges pinned in "
        "plugins/exchanges/ccxt/ids.txt: regenerate the list with `.venv/bin/python -m "
        "plugins.exchanges.ccxt.family > plugins/exchanges/ccxt/ids.txt`, then the schema "
        "with `.venv/bin/fortuna schema -o jsonschema/mandate.schema.json`, and commit both")
