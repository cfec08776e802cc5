"""The catalog index: what validation needs to know of each id, precompiled to JSON.

``fortuna index PACKAGE`` writes ``PACKAGE/fortuna_index.json`` for the ids the installed
entry points map into ``PACKAGE``; ``--check`` fails when the file is stale (CI runs it beside
the JSON Schema check). Per id the index holds: the entry point's target, the interfaces the
class provides, whether it is a service, a clock or standalone, the semantic checks it
declares, and its args as an *acceptance schema*: a pydantic-core schema, in JSON, that
accepts exactly the inputs the args model accepts (models become typed dicts, enums
literals, known constraint functions are folded into their number schemas, references are
named by interface). An id whose args hold anything this translation does not know (a
model validator, a closure, an arbitrary type) is recorded without args schema: validating
a mandate that uses it takes the full path. Every source file the entry depends on is
listed with its hash, so an edited plugin is noticed before its stale entry is used.

``validation_fast`` reads the index; ``docs/architecture.md`` says how the two paths agree.
"""

from __future__ import annotations

import builtins
import functools
import hashlib
import importlib
import importlib.util
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from enum import Enum
from types import ModuleType
from typing import Any

from fortuna._internal.registry import FAMILY_SUFFIX, Registry

__all__ = [
    "FORMAT",
    "INDEX_NAME",
    "Unsupported",
    "build_index",
    "environment",
    "index_path",
    "render",
    "source_hash",
]

FORMAT = 1
INDEX_NAME = "fortuna_index.json"
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
_THIRD_PARTY = frozenset({"pydantic", "pydantic_core", "typing_extensions", "annotated_types",
                          "typing_inspection"})


class Unsupported(Exception):
    """The args model holds something the acceptance schema cannot say."""


def _name(obj: Any) -> str:
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


class _Translator:
    """Core schema -> acceptance schema (JSON), noting every class and function met."""

    def __init__(self) -> None:
        self.met: list[Any] = []

    def __call__(self, schema: Any) -> dict[str, Any]:
        kind = schema.get("type")
        method = getattr(self, "_" + str(kind).replace("-", "_"), None)
        if method is None:
            raise Unsupported(f"a {kind} schema")
        result: dict[str, Any] = method(schema)
        if "ref" in schema:
            result["ref"] = schema["ref"]
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
        return {"type": "definition-ref", "schema_ref": schema["schema_ref"]}

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
                    "interface": _name(metadata["fortuna_interface"])}
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
        return _name(function)
    except Unsupported:
        return ""


# --- sources ----------------------------------------------------------------------------


def source_hash(path: str) -> str | None:
    """The hash of one source file, None when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()[:24]
    except OSError:
        return None


@functools.cache
def package_root(top: str) -> str | None:
    """The directory holding the top-level package or module ``top`` (no import)."""
    spec = importlib.util.find_spec(top)
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return os.path.dirname(os.path.abspath(list(spec.submodule_search_locations)[0]))
    return os.path.dirname(os.path.abspath(spec.origin)) if spec.origin else None


def relative_source(module: ModuleType) -> str | None:
    """``top/sub/file.py`` of a module of the project, None for the standard library and
    pydantic's own packages (their versions are recorded instead)."""
    top = module.__name__.partition(".")[0]
    origin = getattr(module, "__file__", None)
    if not origin or top in sys.stdlib_module_names or top in _THIRD_PARTY:
        return None
    root = package_root(top)
    if root is None or root in _standard_library():
        return None
    relative = os.path.relpath(os.path.abspath(origin), root)
    return None if relative.startswith("..") else relative.replace(os.sep, "/")


@functools.cache
def _standard_library() -> frozenset[str]:
    import sysconfig

    paths = sysconfig.get_paths()
    folders = {paths["stdlib"], paths["platstdlib"]}
    folders |= {os.path.join(folder, "lib-dynload") for folder in set(folders)}
    return frozenset(os.path.abspath(folder) for folder in folders)


class _ImportGraph:
    """Who imports whom, recorded while the catalog is imported (``trace``)."""

    def __init__(self) -> None:
        self.edges: dict[str, set[str]] = {}

    @contextmanager
    def trace(self) -> Iterator[None]:
        original = builtins.__import__

        def recording(name: str, globals: Any = None, locals: Any = None,
                      fromlist: Any = (), level: int = 0) -> Any:
            module = original(name, globals, locals, fromlist, level)
            importer = (globals or {}).get("__name__")
            if isinstance(importer, str):
                found = self.edges.setdefault(importer, set())
                found.add(getattr(module, "__name__", name) if level else name)
                for item in fromlist or ():
                    value = getattr(module, item, None)
                    if isinstance(value, ModuleType):
                        found.add(value.__name__)
            return module

        builtins.__import__ = recording
        try:
            yield
        finally:
            builtins.__import__ = original

    def closure(self, roots: set[str]) -> set[str]:
        seen: set[str] = set()
        pending = list(roots)
        while pending:
            name = pending.pop()
            if name in seen or name not in sys.modules:
                continue
            seen.add(name)
            pending.extend(self.edges.get(name, ()))
            parent = name.rpartition(".")[0]
            if parent:
                pending.append(parent)
        return seen


def _sources(graph: _ImportGraph, met: list[Any], extra: list[str]) -> dict[str, str]:
    roots = {str(getattr(obj, "__module__", "")) for obj in met} | set(extra)
    roots |= {"fortuna._internal.component", "fortuna._internal.types"}
    found: dict[str, str] = {}
    for name in sorted(graph.closure({r for r in roots if r})):
        relative = relative_source(sys.modules[name])
        if relative is None:
            continue
        digest = source_hash(os.path.join(package_root(name.partition(".")[0]) or "", relative))
        if digest is not None:
            found[relative] = digest
    return found


# --- the index --------------------------------------------------------------------------


def environment() -> dict[str, str]:
    """What an index depends on besides the sources: the interpreter and pydantic."""
    import pydantic
    import pydantic_core

    return {"python": f"{sys.version_info[0]}.{sys.version_info[1]}",
            "pydantic": str(pydantic.VERSION), "pydantic_core": pydantic_core.__version__}


def _entry(cls: type[Any], target: str, translator: _Translator,
           schemas: dict[str, Any]) -> dict[str, Any]:
    from fortuna._internal.checks import declared
    from fortuna._internal.component import Interface, Service
    from fortuna._internal.time import Clock

    translator.met.extend(cls.__mro__)
    entry: dict[str, Any] = {
        "target": target,
        "provides": sorted(_name(k) for k in cls.__mro__
                           if issubclass(k, Interface) and k is not Interface),
        "service": issubclass(cls, Service),
        "clock": issubclass(cls, Clock),
        "standalone": bool(cls.standalone),
        "checks": list(declared(cls)),
        "args": None,
    }
    try:
        schema = translator(cls.Args.__pydantic_core_schema__)
    except Unsupported as exc:
        entry["full_path_because"] = str(exc)
        return entry
    key = _Tables.key(schema)
    schemas[key] = schema
    entry["args"] = key
    return entry


class _Tables:
    """The index's shared tables: entries, args schemas and source sets are stored once
    and referred to by key (a hundred ccxt venues share a handful of entries)."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {}
        self.source_sets: dict[str, list[str]] = {}
        self.entries: dict[str, Any] = {}
        self.schemas: dict[str, Any] = {}

    @staticmethod
    def key(value: Any) -> str:
        return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]

    def sources(self, sources: dict[str, str]) -> str:
        self.files.update(sources)
        key = self.key(sorted(sources))
        self.source_sets[key] = sorted(sources)
        return key

    def entry(self, entry: dict[str, Any]) -> str:
        key = self.key(entry)
        self.entries[key] = entry
        return key


def _in_package(target: str, package: str) -> bool:
    module = target.partition(":")[0]
    return module == package or module.startswith(package + ".")


def build_index(package: str, registry: Registry | None = None) -> dict[str, Any]:
    """The index of every id whose entry point names a module of ``package``."""
    graph = _ImportGraph()
    tables = _Tables()
    components: dict[str, str] = {}
    family_records: dict[str, Any] = {}
    with graph.trace():
        registry = registry or Registry.from_entry_points()
        targets, family_targets = registry.targets()
        for prefix, target in sorted(family_targets.items()):
            if not _in_package(target, package):
                continue
            family = registry.families()[prefix]
            module = target.partition(":")[0]
            sources = _sources(graph, [type(family)], [module]) | _data_files(module)
            family_records[prefix] = {"target": target, "members": sorted(family.members()),
                                      "sources": tables.sources(sources)}
            for member in sorted(family.members()):
                translator = _Translator()
                cid = f"{prefix}.{member}"
                entry = _entry(registry.resolve(cid), target, translator, tables.schemas)
                entry["family"] = prefix
                entry["sources"] = tables.sources(_sources(graph, translator.met, [module]))
                components[cid] = tables.entry(entry)
        for cid, target in sorted(targets.items()):
            if not _in_package(target, package):
                continue
            translator = _Translator()
            entry = _entry(registry.resolve(cid), target, translator, tables.schemas)
            entry["sources"] = tables.sources(
                _sources(graph, translator.met, [target.partition(":")[0]]))
            components[cid] = tables.entry(entry)
    return {"format": FORMAT, "package": package, "environment": environment(),
            "families": family_records, "components": components, "entries": tables.entries,
            "schemas": tables.schemas, "source_sets": tables.source_sets,
            "files": tables.files}


def _data_files(module: str) -> dict[str, str]:
    """The data files beside a family's module (a pinned id list): its members come
    from them."""
    relative = relative_source(sys.modules[module])
    root = package_root(module.partition(".")[0])
    if relative is None or root is None:
        return {}
    folder = os.path.dirname(relative)
    found: dict[str, str] = {}
    for name in sorted(os.listdir(os.path.join(root, folder))):
        path = f"{folder}/{name}"
        if os.path.isfile(os.path.join(root, path)) and not name.endswith((".py", ".pyc")):
            digest = source_hash(os.path.join(root, path))
            if digest is not None:
                found[path] = digest
    return found


def render(index: dict[str, Any]) -> str:
    return json.dumps(index, indent=0, sort_keys=True) + "\n"


def index_path(package: str) -> str | None:
    """Where ``package`` keeps its index (beside its ``__init__``), None if not installed."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.join(list(spec.submodule_search_locations)[0], INDEX_NAME)


__all__ += ["FAMILY_SUFFIX"]
