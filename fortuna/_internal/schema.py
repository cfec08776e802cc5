"""JSON Schema for mandate files, so editors complete and check them as they are typed.

Each catalog id becomes one branch of a ``oneOf`` keyed by ``id: {const: ...}`` (a family
shares one branch with an ``enum`` of its ids), so once ``id`` is chosen the editor offers
that component's args with their descriptions. Every arg also accepts an ``"@name"``
reference, since any value may come from a var. Draft-07 with ``definitions``: the dialect
editors' YAML language servers support best.
"""

from __future__ import annotations

import json
from typing import Any, get_args

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from fortuna._internal.component import REFERENCE_PATTERN, Component
from fortuna._internal.registry import Registry, first_line
from fortuna._internal.validation import NAME

__all__ = ["mandate_schema", "mandate_schema_text"]

REFERENCE = {"$ref": "#/definitions/Reference"}
_WRAPPED = "x-fortuna-reference-ok"


def _accepting_references(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` or a reference, keeping the docs at the top so hover text survives."""
    if schema.get("pattern") == REFERENCE_PATTERN or schema.get(_WRAPPED):
        return schema
    outer: dict[str, Any] = {
        key: schema[key] for key in ("title", "description", "default") if key in schema
    }
    inner = {key: value for key, value in schema.items() if key not in ("title", "default")}
    return {**outer, "anyOf": [inner, REFERENCE], _WRAPPED: True}


_BOUND_KEYWORDS = {"gt": "exclusiveMinimum", "ge": "minimum", "lt": "exclusiveMaximum",
                   "le": "maximum"}
_NOT_DRAFT_07 = frozenset({_WRAPPED, "x-fortuna-interface", "writeOnly"})
"""Keys pydantic or Fortuna add that draft-07 does not define: dropped from the output."""
_SUBSCHEMA = frozenset({"items", "additionalProperties", "not", "if", "then", "else",
                        "propertyNames", "contains", "additionalItems"})
_SUBSCHEMA_LISTS = frozenset({"anyOf", "oneOf", "allOf"})
_SUBSCHEMA_MAPS = frozenset({"properties", "definitions", "patternProperties", "$defs"})


def _schemas_in(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The subschemas directly inside ``schema`` (not the names in ``properties``)."""
    found: list[dict[str, Any]] = []
    for key, value in schema.items():
        if key in _SUBSCHEMA:
            found.extend(v for v in (value if isinstance(value, list) else [value])
                         if isinstance(v, dict))
        elif key in _SUBSCHEMA_LISTS and isinstance(value, list):
            found.extend(v for v in value if isinstance(v, dict))
        elif key in _SUBSCHEMA_MAPS and isinstance(value, dict):
            found.extend(v for v in value.values() if isinstance(v, dict))
    return found


def _draft07(schema: dict[str, Any]) -> None:
    """In place, at every depth: pydantic's raw ``gt``/``ge``/``lt``/``le`` (left where it
    could not push a bound into a wrapped type, which every validator ignores) become the
    draft's keywords on the numeric branches, as numbers; keys the draft lacks go."""
    pending = [schema]
    while pending:
        node = pending.pop()
        bounds = {key: node.pop(key) for key in list(node) if key in _BOUND_KEYWORDS}
        for key in _NOT_DRAFT_07 & node.keys():
            del node[key]
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if isinstance(node.get(key), str):
                node[key] = _number(node[key])
        if bounds:
            branches = [b for b in node.get("anyOf", []) if isinstance(b, dict)
                        and b.get("type") in ("number", "integer")]
            for target in branches or [node]:
                for key, value in bounds.items():
                    target.setdefault(_BOUND_KEYWORDS[key], _number(value))
        pending.extend(_schemas_in(node))


_LOWER = {"gt": "exclusiveMinimum", "ge": "minimum"}
_UPPER = {"lt": "exclusiveMaximum", "le": "maximum"}


def _field_bounds(metadata: list[Any]) -> dict[str, Any]:
    """The tightest of every bound on a field, as draft keywords: a bound declared on the
    field and another inside its type (``Rate`` with ``ge=0``) both hold in validation,
    while the type's own JSON Schema (``WithJsonSchema``) only knows its own."""
    lower: tuple[Any, str] = (None, "")
    upper: tuple[Any, str] = (None, "")
    for marker in metadata:
        for name, keyword in _LOWER.items():
            value = getattr(marker, name, None)
            if value is not None and (lower[0] is None or value > lower[0] or
                                      (value == lower[0] and name == "gt")):
                lower = (value, keyword)
        for name, keyword in _UPPER.items():
            value = getattr(marker, name, None)
            if value is not None and (upper[0] is None or value < upper[0] or
                                      (value == upper[0] and name == "lt")):
                upper = (value, keyword)
    return {keyword: _number(value) for value, keyword in (lower, upper) if keyword}


def _numeric_branches(prop: dict[str, Any]) -> list[dict[str, Any]]:
    if prop.get("type") in ("number", "integer"):
        return [prop]
    found: list[dict[str, Any]] = []
    for branch in prop.get("anyOf", []):
        if isinstance(branch, dict):
            found.extend(_numeric_branches(branch))
    return found


def _tighten(model: type[BaseModel], definition: dict[str, Any]) -> None:
    properties = definition.get("properties", {})
    for name, info in model.model_fields.items():
        prop = properties.get(info.alias or name)
        bounds = _field_bounds(list(info.metadata))
        if not isinstance(prop, dict) or not bounds:
            continue
        replaced = [pair for pair in (("minimum", "exclusiveMinimum"),
                                      ("maximum", "exclusiveMaximum"))
                    if bounds.keys() & set(pair)]
        for branch in _numeric_branches(prop):
            for pair in replaced:
                for keyword in pair:
                    branch.pop(keyword, None)
            branch.update(bounds)


def _reachable(models: list[type[BaseModel]]) -> list[type[BaseModel]]:
    """``models`` and every model their fields hold, at any depth."""
    found: dict[type[BaseModel], None] = {}
    pending: list[Any] = list(models)
    while pending:
        item = pending.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            if item in found:
                continue
            found[item] = None
            pending.extend(info.annotation for info in item.model_fields.values())
        else:
            pending.extend(get_args(item))
    return list(found)


def _number(value: Any) -> int | float:
    """A bound as a JSON number (pydantic may hand a Decimal or its text)."""
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _open_to_references(definition: dict[str, Any]) -> None:
    properties = definition.get("properties")
    if isinstance(properties, dict):
        for name, prop in properties.items():
            if isinstance(prop, dict):
                _draft07(prop)
                items = prop.get("items")
                if isinstance(items, dict):
                    prop["items"] = _accepting_references(items)
                properties[name] = _accepting_references(prop)


def mandate_schema(registry: Registry | None = None) -> dict[str, Any]:
    """The whole mandate schema for the installed (or given) catalog."""
    registry = registry or Registry.default()
    families = registry.families()
    family_ids = {f"{prefix}.{m}" for prefix, family in families.items()
                  for m in family.members()}
    single: dict[str, type[Component[Any]]] = {
        cid: registry.resolve(cid) for cid in registry.ids() if cid not in family_ids
    }
    family_args: dict[str, type[BaseModel]] = {}
    for prefix, family in families.items():
        model = family.args_model()
        if model is None and family.members():
            model = family.resolve(sorted(family.members())[0]).Args
        if model is not None:
            family_args[prefix] = model

    models = {cls.Args for cls in single.values()} | set(family_args.values())
    ordered = sorted(models, key=lambda m: (m.__module__, m.__qualname__))
    keys, top = models_json_schema(
        [(model, "validation") for model in ordered], ref_template="#/definitions/{model}"
    )
    definitions: dict[str, Any] = dict(top.get("$defs", {}))
    for model in _reachable(ordered):
        definition = definitions.get(model.__name__)
        if definition is not None:
            _tighten(model, definition)
    for definition in definitions.values():
        _open_to_references(definition)

    def args_ref(model: type[BaseModel]) -> dict[str, Any]:
        return dict(keys[(model, "validation")])

    branches: list[dict[str, Any]] = []
    for cid, cls in sorted(single.items()):
        branches.append(_branch(cid, {"const": cid, "description": first_line(cls)},
                                args_ref(cls.Args)))
    for prefix, model in sorted(family_args.items()):
        members = sorted(f"{prefix}.{m}" for m in families[prefix].members())
        description = families[prefix].description or f"one of the {prefix}.* family"
        branches.append(_branch(f"{prefix}.*", {"enum": members, "description": description},
                                args_ref(model)))

    definitions["Reference"] = {
        "type": "string",
        "pattern": REFERENCE_PATTERN,
        "description": 'a reference to a var or a component, "@name" ("@@text" is the '
                       'literal "@text")',
    }
    definitions["Component"] = {
        "type": "object",
        "description": "a component: its catalog id and its args",
        "required": ["id"],
        "oneOf": branches,
    }
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://fortuna.invalid/mandate.schema.json",
        "title": "Fortuna mandate",
        "description": "A market-making mandate: the service that runs, shared vars, and the "
                       "components it is composed of.",
        "type": "object",
        "additionalProperties": False,
        "required": ["service", "components"],
        "properties": {
            "service": {
                "type": "string",
                "pattern": REFERENCE_PATTERN,
                "description": 'the component that runs, as a reference: "@name"',
            },
            "vars": {
                "type": "object",
                "description": "named values shared by reference (\"@name\")",
                "propertyNames": {"pattern": NAME.pattern},
            },
            "components": {
                "type": "object",
                "description": "the components, by name",
                "propertyNames": {"pattern": NAME.pattern},
                "additionalProperties": {"$ref": "#/definitions/Component"},
            },
        },
        "definitions": dict(sorted(definitions.items())),
    }
    _draft07(schema)
    return schema


def _branch(title: str, id_schema: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": title,
        "type": "object",
        "additionalProperties": False,
        "required": ["id"],
        "properties": {"id": id_schema, "args": args},
    }


def mandate_schema_text(registry: Registry | None = None) -> str:
    """The schema as the committed file holds it: stable key order, trailing newline."""
    return json.dumps(mandate_schema(registry), indent=2, ensure_ascii=False) + "\n"
