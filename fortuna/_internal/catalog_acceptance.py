"""Acceptance schemas: an args model's core schema, translated to JSON for the catalog index.

An acceptance schema is a pydantic-core schema that accepts exactly the inputs the args
model accepts, and needs neither the model nor the plugin's module to run: models become
typed dicts, string enums literals, ``gt``/``ge``/``lt``/``le`` checks applied after a
number's parsing are folded into the number's schema, references are checked by interface
name, a type may declare its own acceptance form (``metadata={"fortuna_accepts": ...}``, as
``schemas.Symbol`` does for its pattern), and the only functions kept are the light ones of
:data:`LIGHT_FUNCTIONS`. Anything else (a model or field validator, a closure, an arbitrary
type, a validated default) raises :class:`Unsupported`, and the id is indexed without args:
mandates using it take the full path. Only acceptance matters, not wording: the fast path
never words a finding (see ``validation_fast``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal
from enum import Enum
from typing import Any

__all__ = ["LIGHT_FUNCTIONS", "Translator", "Unsupported", "encode_value", "qualified_name"]

LIGHT_FUNCTIONS = ("fortuna._internal.types:to_exact_decimal",
                   "fortuna._internal.types:parse_duration")
"""Functions an acceptance schema may call: light modules, imported by the fast path."""
_CONSTRAINTS = {
    "greater_than_validator": "gt",
    "greater_than_or_equal_validator": "ge",
    "less_than_validator": "lt",
    "less_than_or_equal_validator": "le",
}
_TIGHTER: dict[str, Callable[[Any, Any], Any]] = {"gt": max, "ge": max, "lt": min, "le": min}
_SCALARS = frozenset({"str", "int", "float", "decimal", "bool", "none", "any", "bytes"})
_CONTAINERS = {"list": ("items_schema",), "set": ("items_schema",),
               "frozenset": ("items_schema",), "dict": ("keys_schema", "values_schema"),
               "nullable": ("schema",)}
_DROPPED_KEYS = frozenset({"metadata", "serialization", "ref", "type"})
_MODEL_CONFIG = frozenset({"extra_fields_behavior", "title"})
_NEVER_FAIL = frozenset({"pydantic.types:SecretStr", "pydantic.types:SecretBytes"})
"""After-functions that accept whatever their inner schema produced (wrappers)."""


class Unsupported(Exception):
    """The args model holds something the acceptance schema cannot say."""


def qualified_name(obj: Any) -> str:
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or "<" in qualname:
        raise Unsupported(f"{obj!r} has no importable name")
    return f"{module}:{qualname}"


def encode_value(value: Any) -> Any:
    """A JSON form of a schema constant: decimals tagged, everything else plain JSON."""
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        return value
    if isinstance(value, list | tuple):
        return [encode_value(item) for item in value]
    raise Unsupported(f"constant {value!r} has no JSON form")


class Translator:
    """Core schema -> acceptance schema (JSON), noting every class and function met."""

    def __init__(self) -> None:
        self.met: list[Any] = []
        self._refs: dict[str, str] = {}

    def ref(self, original: str) -> str:
        """A stable name for a pydantic ref (``module.Model:<id>``): the same in every run."""
        if original not in self._refs:
            base = original.rpartition(":")[0] if original.rpartition(":")[2].isdigit() \
                else original
            taken = set(self._refs.values())
            name, count = base, 1
            while name in taken:
                count += 1
                name = f"{base}#{count}"
            self._refs[original] = name
        return self._refs[original]

    def __call__(self, schema: Any) -> dict[str, Any]:
        kind = schema.get("type")
        method = getattr(self, "_" + str(kind).replace("-", "_"), None)
        if method is None:
            raise Unsupported(f"a {kind} schema")
        result: dict[str, Any] = method(schema)
        if "ref" in schema:
            result["ref"] = self.ref(schema["ref"])
        return result

    def _plain(self, schema: dict[str, Any]) -> dict[str, Any]:
        out = {"type": schema["type"]}
        out.update({k: encode_value(v) for k, v in schema.items() if k not in _DROPPED_KEYS})
        return out

    def _str(self, schema: dict[str, Any]) -> dict[str, Any]:
        return self._plain(schema)

    _int = _float = _decimal = _bool = _none = _any = _bytes = _str

    def _literal(self, schema: dict[str, Any]) -> dict[str, Any]:
        expected = schema["expected"]
        if not all(value is None or isinstance(value, str | int) for value in expected):
            raise Unsupported(f"literal {expected!r}")
        return {"type": "literal", "expected": list(expected)}

    def _enum(self, schema: dict[str, Any]) -> dict[str, Any]:
        self.met.append(schema["cls"])
        if schema.get("sub_type") != "str" or "missing" in schema:
            raise Unsupported(f"enum {schema['cls']!r}")
        return {"type": "literal",
                "expected": [member.value for member in schema["members"]
                             if isinstance(member, Enum)]}

    def _container(self, schema: dict[str, Any]) -> dict[str, Any]:
        out = self._plain({k: v for k, v in schema.items() if k not in _CONTAINERS[schema["type"]]})
        for key in _CONTAINERS[schema["type"]]:
            if key in schema:
                out[key] = self(schema[key])
        return out

    _list = _set = _frozenset = _dict = _nullable = _container

    def _tuple(self, schema: dict[str, Any]) -> dict[str, Any]:
        out = self._plain({k: v for k, v in schema.items() if k != "items_schema"})
        out["items_schema"] = [self(item) for item in schema["items_schema"]]
        return out

    def _default(self, schema: dict[str, Any]) -> dict[str, Any]:
        if schema.get("validate_default") or "on_error" in schema:
            raise Unsupported("a default that is validated")
        # the default itself never meets validation: only whether the arg may be absent
        return {"type": "default", "schema": self(schema["schema"]), "default": None}

    def _json_or_python(self, schema: dict[str, Any]) -> dict[str, Any]:
        return self(schema["python_schema"])

    def _lax_or_strict(self, schema: dict[str, Any]) -> dict[str, Any]:
        if schema.get("strict"):
            return self(schema["strict_schema"])
        return self(schema["lax_schema"])

    def _custom_error(self, schema: dict[str, Any]) -> dict[str, Any]:
        return self(schema["schema"])  # changes what an error says, not what is accepted

    def _union(self, schema: dict[str, Any]) -> dict[str, Any]:
        choices = []
        for choice in schema["choices"]:
            inner, label = (choice, None) if isinstance(choice, dict) else choice
            if inner.get("type") == "is-instance":
                self.met.append(inner["cls"])
                continue  # an instance of a class never comes out of a YAML file
            converted = self(inner)
            choices.append(converted if label is None else [converted, label])
        if not choices:
            raise Unsupported("a union of instances only")
        out: dict[str, Any] = {"type": "union", "choices": choices}
        if "mode" in schema:
            out["mode"] = schema["mode"]
        return out

    def _tagged_union(self, schema: dict[str, Any]) -> dict[str, Any]:
        discriminator = schema["discriminator"]
        if callable(discriminator):
            raise Unsupported("a discriminator function")
        return {"type": "tagged-union", "discriminator": discriminator,
                "choices": {key: self(value) for key, value in schema["choices"].items()}}

    def _definitions(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {"type": "definitions", "schema": self(schema["schema"]),
                "definitions": [self(item) for item in schema["definitions"]]}

    def _definition_ref(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {"type": "definition-ref", "schema_ref": self.ref(schema["schema_ref"])}

    def _model(self, schema: dict[str, Any]) -> dict[str, Any]:
        self.met.append(schema["cls"])
        self.met.extend(schema["cls"].__mro__)
        if schema.get("root_model") or schema.get("custom_init") or schema.get("post_init"):
            raise Unsupported(f"model {schema['cls'].__name__} has its own init")
        config = schema.get("config") or {}
        if set(config) - _MODEL_CONFIG:
            raise Unsupported(f"model config {sorted(set(config) - _MODEL_CONFIG)}")
        fields_schema = schema["schema"]
        if fields_schema.get("type") != "model-fields":
            raise Unsupported(f"model {schema['cls'].__name__} validates itself")
        if fields_schema.get("extras_schema") is not None:
            raise Unsupported("a schema for extra args")
        fields: dict[str, Any] = {}
        for name, field in fields_schema["fields"].items():
            if field.get("validation_alias") is not None:
                raise Unsupported(f"arg {name} has an alias")
            inner = self(field["schema"])
            fields[name] = {"type": "typed-dict-field", "schema": inner,
                            "required": inner["type"] != "default"}
        return {"type": "typed-dict", "fields": fields,
                "extra_behavior": config.get("extra_fields_behavior", "ignore")}

    def _function(self, schema: dict[str, Any]) -> dict[str, Any]:
        metadata = schema.get("metadata") or {}
        if "fortuna_interface" in metadata:
            self.met.append(metadata["fortuna_interface"])
            return {"type": "fortuna-interface",
                    "interface": qualified_name(metadata["fortuna_interface"])}
        if "fortuna_accepts" in metadata:
            function = schema["function"]["function"]
            self.met.append(function)
            return dict(metadata["fortuna_accepts"])
        function = schema["function"]["function"]
        self.met.append(function)
        kind = schema["type"]
        if isinstance(function, functools.partial) and kind == "function-after":
            constrained = self._constrain(function, self(schema["schema"]))
            if constrained is not None:
                return constrained
        if kind == "function-after" and _safe_name(function) in _NEVER_FAIL:
            return self(schema["schema"])
        name = _safe_name(function)
        if name not in LIGHT_FUNCTIONS or kind not in ("function-before", "function-after"):
            raise Unsupported(f"a {kind} validator {name or repr(function)}")
        return {"type": kind, "function": {"type": schema["function"]["type"], "function": name},
                "schema": self(schema["schema"])}

    _function_before = _function_after = _function_plain = _function_wrap = _function

    def _constrain(self, function: functools.partial[Any], inner: dict[str, Any]
                   ) -> dict[str, Any] | None:
        """``gt``/``ge``/``lt``/``le`` applied after a number schema, folded into it."""
        key = _CONSTRAINTS.get(getattr(function.func, "__name__", ""))
        if key is None or function.args or set(function.keywords) != {key}:
            return None
        target = inner
        while target["type"] in ("function-before",):
            target = target["schema"]
        if target["type"] not in ("int", "float", "decimal"):
            return None
        bound = function.keywords[key]
        if not isinstance(bound, int | float | Decimal) or isinstance(bound, bool):
            return None
        if key in target:
            bound = _TIGHTER[key](_decoded(target[key]), bound)
        target[key] = encode_value(bound)
        return inner


def _decoded(value: Any) -> Any:
    return Decimal(value["$decimal"]) if isinstance(value, dict) else value


def _safe_name(function: Any) -> str:
    try:
        return qualified_name(function)
    except Unsupported:
        return ""


