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
import importlib.util
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from fortuna._internal.catalog_acceptance import Translator, Unsupported, qualified_name
from fortuna._internal.registry import Registry

__all__ = [
    "FORMAT",
    "INDEX_NAME",
    "build_index",
    "environment",
    "index_path",
    "render",
    "source_hash",
]

FORMAT = 1
INDEX_NAME = "fortuna_index.json"
_THIRD_PARTY = frozenset({"pydantic", "pydantic_core", "typing_extensions", "annotated_types",
                          "typing_inspection"})
"""Packages whose versions the index records instead of their files."""

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
        return os.path.dirname(os.path.abspath(next(iter(spec.submodule_search_locations))))
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


def _entry(cls: type[Any], target: str, translator: Translator,
           schemas: dict[str, Any]) -> dict[str, Any]:
    from fortuna._internal.checks import declared
    from fortuna._internal.component import Interface, Service
    from fortuna._internal.time import Clock

    translator.met.extend(cls.__mro__)
    entry: dict[str, Any] = {
        "target": target,
        "provides": sorted(qualified_name(k) for k in cls.__mro__
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

    def compact_sources(self) -> dict[str, Any]:
        """``files``: ``[path, hash]`` sorted by path; ``source_sets``: positions in it."""
        files = sorted(self.files.items())
        position = {path: number for number, (path, _) in enumerate(files)}
        return {"files": [list(item) for item in files],
                "source_sets": {key: [position[path] for path in paths]
                                for key, paths in self.source_sets.items()}}

    def entry(self, entry: dict[str, Any]) -> str:
        key = self.key(entry)
        self.entries[key] = entry
        return key


def _in_package(target: str, package: str | None) -> bool:
    if package is None:
        return True
    module = target.partition(":")[0]
    return module == package or module.startswith(package + ".")


def build_index(package: str | None, registry: Registry | None = None) -> dict[str, Any]:
    """The index of every id of ``registry`` (the installed entry points by default) whose
    target is a module of ``package`` (every id when None). An id that cannot be indexed
    (its module does not import, its class has no importable name) is listed under
    ``left_out`` with the reason: mandates using it take the full path."""
    graph = _ImportGraph()
    tables = _Tables()
    catalog = registry or Registry.from_entry_points()
    components: dict[str, str] = {}
    family_records: dict[str, Any] = {}
    left_out: dict[str, str] = {}

    def add(cid: str, target: str, module: str, family: str | None) -> None:
        translator = Translator()
        try:
            entry = _entry(catalog.resolve(cid), target, translator, tables.schemas)
        except Exception as exc:  # a broken or unnamed component: the full path says why
            left_out[cid] = f"{type(exc).__name__}: {exc}"
            return
        if family is not None:
            entry["family"] = family
        entry["sources"] = tables.sources(_sources(graph, translator.met, [module]))
        components[cid] = tables.entry(entry)

    with graph.trace():
        targets, family_targets = catalog.targets()
        for prefix, target in sorted(family_targets.items()):
            if not _in_package(target, package):
                continue
            module = target.partition(":")[0]
            try:
                family = catalog.families()[prefix]
                members = sorted(family.members())
            except Exception as exc:
                left_out[prefix + ".*"] = f"{type(exc).__name__}: {exc}"
                continue
            sources = _sources(graph, [type(family)], [module]) | _data_files(module)
            family_records[prefix] = {"target": target, "members": members,
                                      "sources": tables.sources(sources)}
            for member in members:
                add(f"{prefix}.{member}", target, module, prefix)
        for cid, target in sorted(targets.items()):
            if _in_package(target, package):
                add(cid, target, target.partition(":")[0], None)
    return {"format": FORMAT, "package": package, "environment": environment(),
            "families": family_records, "components": components, "entries": tables.entries,
            "schemas": tables.schemas, **tables.compact_sources(), "left_out": left_out}


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
        if (os.path.isfile(os.path.join(root, path)) and name != INDEX_NAME
                and not name.endswith((".py", ".pyc"))):
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
    return os.path.join(next(iter(spec.submodule_search_locations)), INDEX_NAME)


