"""Validation at the speed of a linter: a valid mandate proved valid from the catalog index.

Most of the cost of ``fortuna validate`` was importing the plugin modules a mandate names and
building their pydantic models. The catalog index (``catalog_index.py``, committed beside
the catalog as ``fortuna_index.json``) holds, per id, what validation needs without them:
the interfaces the class provides, its flags, and an *acceptance schema* of its args (a
pydantic-core schema that accepts exactly what the args model accepts).

The design keeps one rule: ``fortuna run`` and ``fortuna validate`` never disagree. So the
fast path only ever *proves a mandate has no finding at all*; it never words a finding.
It runs the very same stages as the full path for the file's shape, names, ids, references,
vars and cycles (``validation_shape``, ``validation_refs``), checks each component's args
against its acceptance schema with pydantic-core, and checks the service, the clock and
the "referenced by nothing" rule from the index's flags. The moment anything would be a
finding, or anything is not covered by the index, it gives up and the full path
(``validation.py``) validates the file from the start, with the plugins imported, and says
what is wrong, as it always did. A wrong fast answer could therefore only be "valid" for a
mandate the full path refuses; the differential test (``tests/core/test_validation_fast.py``)
checks every config, every bad input of the test suite and fuzzed mandates for that.

The full path is taken when:
- the mandate fails anything (then its findings come from the full path);
- an id has no index entry (a third-party plugin, a component added since the index was
  written), or an entry whose args the index could not translate (a model validator, a
  closure), or one that declares semantic checks (they run on real args models);
- an entry is stale: a source file it was built from has changed, the installed entry
  point maps its id elsewhere (or a second distribution registers it too), or the
  interpreter's, pydantic's or pydantic-core's version differs from the index's;
- the caller needs a plan or refuses unset ``!env`` variables (``fortuna run``,
  ``--require-env``).

An unset ``!env`` value is tolerated exactly where the full path tolerates it: an args error
whose input is an unset variable is not a finding of plain validation.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fortuna._internal.catalog_acceptance import LIGHT_FUNCTIONS
from fortuna._internal.catalog_index import FORMAT, INDEX_NAME, package_root, source_hash
from fortuna._internal.loader import Document, LoadFailed, UsageFailed, load_file
from fortuna._internal.plan import MissingEnv
from fortuna._internal.references import REFS_CONTEXT, Ref
from fortuna._internal.registry import FAMILY_SUFFIX
from fortuna._internal.validation_refs import _ReferenceResolver
from fortuna._internal.validation_report import Report
from fortuna._internal.validation_shape import _ShapeChecks

__all__ = ["Index", "fast_report", "validate_file"]

ENTRY_POINT_SECTION = "[fortuna.components]"


@dataclass(frozen=True, slots=True)
class _Stand:
    """A component during fast validation: what it provides, by interface name."""

    name: str
    id: str
    provides: frozenset[str]


# --- the installed catalog, read without importlib.metadata ---------------------------


def installed_entry_points() -> dict[str, set[str]]:
    """Every ``fortuna.components`` entry point on ``sys.path``: id -> targets.

    A direct read of each distribution's ``entry_points.txt`` (what ``importlib.metadata``
    reads too, at ten times the cost): the fast path only uses it to confirm that an id
    still maps where the index says, and that nothing else registers it."""
    found: dict[str, set[str]] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(folder or ".", name, "entry_points.txt"),
                          encoding="utf-8") as handle:
                    text = handle.read()
            except OSError:
                continue
            if ENTRY_POINT_SECTION in text:
                _parse_section(text, found)
    return found


def _parse_section(text: str, found: dict[str, set[str]]) -> None:
    inside = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            inside = line == ENTRY_POINT_SECTION
        elif inside and "=" in line and not line.startswith(("#", ";")):
            name, _, value = line.partition("=")
            found.setdefault(name.strip(), set()).add(value.strip())


# --- the index ----------------------------------------------------------------------------


class Index:
    """The indexes of the installed catalog, checked entry by entry as ids are used."""

    def __init__(self, installed: Mapping[str, set[str]], indexes: list[dict[str, Any]]) -> None:
        self.installed = installed
        self.indexes = indexes
        self._fresh: dict[str, bool] = {}
        self._validators: dict[str, Any] = {}

    @classmethod
    def load(cls) -> Index:
        """The indexes the installed catalog's packages ship (``PACKAGE/fortuna_index.json``
        beside each top-level package an entry point names). Whatever cannot be read
        is left out: the ids it would cover take the full path."""
        installed = installed_entry_points()
        packages = {target.partition(":")[0].partition(".")[0]
                    for targets in installed.values() for target in targets}
        indexes = []
        for package in sorted(packages):
            try:
                root = package_root(package)
                if root is None:
                    continue
                with open(os.path.join(root, package, INDEX_NAME), encoding="utf-8") as handle:
                    index = json.load(handle)
            except (ImportError, OSError, ValueError):  # a broken package: the full path says
                continue
            if isinstance(index, dict) and index.get("format") == FORMAT:
                indexes.append(index)
        return cls(installed, indexes)

    @classmethod
    def of_registry(cls, registry: Any, package: str | None = None) -> Index:
        """An index built now from ``registry`` (the Python API's and tests' registries),
        its ids taken as installed where the registry maps them."""
        from fortuna._internal.catalog_index import build_index

        components, families = registry.targets()
        installed = {cid: {target} for cid, target in components.items()}
        installed.update({prefix + FAMILY_SUFFIX: {target} for prefix, target in
                          families.items()})
        return cls(installed, [build_index(package, registry)])

    def entry(self, component_id: str) -> dict[str, Any] | None:
        """The usable entry of ``component_id``: present, translated, fresh; else None."""
        for index in self.indexes:
            key = index["components"].get(component_id)
            if key is None:
                continue
            entry: dict[str, Any] = index["entries"][key]
            if entry["args"] is None or entry["checks"] or not self._current(index, entry,
                                                                             component_id):
                return None
            return entry
        return None

    def _current(self, index: dict[str, Any], entry: dict[str, Any], component_id: str) -> bool:
        from fortuna._internal.catalog_index import environment

        if "environment" not in self._fresh:
            self._fresh["environment"] = all(
                index.get("environment") == environment() for index in self.indexes)
        if not self._fresh["environment"]:
            return False
        family = entry.get("family")
        if family is None:
            if self.installed.get(component_id) != {entry["target"]}:
                return False
        else:
            record = index["families"][family]
            if (self.installed.get(family + FAMILY_SUFFIX) != {record["target"]}
                    or component_id in self.installed
                    or not self._sources_match(index, record["sources"])):
                return False
        return self._sources_match(index, entry["sources"])

    def _sources_match(self, index: dict[str, Any], key: str) -> bool:
        for position in index["source_sets"][key]:
            relative, digest = index["files"][position]
            if relative not in self._fresh:
                root = package_root(relative.partition("/")[0])
                actual = source_hash(os.path.join(root, relative)) if root else None
                self._fresh[relative] = actual == digest
            if not self._fresh[relative]:
                return False
        return True

    def validator(self, index_entry: dict[str, Any]) -> Any:
        """The pydantic-core validator of an entry's acceptance schema (built once)."""
        key = index_entry["args"]
        if key not in self._validators:
            from pydantic_core import SchemaValidator

            schema = next(index["schemas"][key] for index in self.indexes
                          if key in index["schemas"])
            self._validators[key] = SchemaValidator(_live(schema))
        return self._validators[key]


def _live(schema: Any) -> Any:
    """An acceptance schema from JSON: decimals back to ``Decimal``, function names to the
    functions, interface checks to a check over the index's stand-ins."""
    if isinstance(schema, list):
        return [_live(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if set(schema) == {"$decimal"}:
        return Decimal(schema["$decimal"])
    if schema.get("type") == "fortuna-interface":
        return {"type": "function-plain",
                "function": {"type": "with-info", "function": _interface_check(
                    schema["interface"])}}
    live = {key: _live(value) for key, value in schema.items()}
    function = live.get("function")
    if isinstance(function, dict) and isinstance(function.get("function"), str):
        function["function"] = _function(function["function"])
    return live


def _function(name: str) -> Any:
    if name not in LIGHT_FUNCTIONS:
        raise LookupError(f"{name} is not a light function")
    import importlib

    module, _, attribute = name.partition(":")
    return getattr(importlib.import_module(module), attribute)


def _interface_check(interface: str) -> Any:
    from pydantic_core import PydanticCustomError

    def check(value: Any, info: Any) -> Any:
        if isinstance(value, Ref) and info.context and REFS_CONTEXT in info.context:
            value = info.context[REFS_CONTEXT].get(value.name, value)
        if isinstance(value, _Stand) and interface in value.provides:
            return value
        raise PydanticCustomError("reference_interface", "not a {interface}",
                                  {"interface": interface})

    return check


# --- the pass -----------------------------------------------------------------------------


class _GiveUp(Exception):
    """Something the fast path does not prove: the full path takes the file."""


class _FastValidator(_ShapeChecks, _ReferenceResolver):
    """The shared stages 1-4, with ids looked up in the index instead of imported."""

    def __init__(self, document: Document, index: Index) -> None:
        super().__init__(document, None)  # type: ignore[arg-type]  # no registry needed
        self.index = index
        self.entries: dict[str, dict[str, Any]] = {}

    def give_up_on_findings(self) -> None:
        if self.findings:
            raise _GiveUp

    def look_up_ids(self) -> None:
        for name, spec in self.components.items():
            component_id = spec["id"]
            entry = self.index.entry(component_id) if isinstance(component_id, str) else None
            if entry is None:
                raise _GiveUp
            self.entries[name] = entry
            self.ids[name] = component_id


def fast_report(document: Document, index: Index) -> Report | None:
    """The report of a mandate with no finding, proved from the index; None when the
    full path must decide."""
    checker = _FastValidator(document, index)
    try:
        if not checker.check_shape() or checker.stray:
            return None
        checker.give_up_on_findings()
        checker.look_up_ids()
        resolved_args = checker.resolve_all()
        checker.give_up_on_findings()
        _, cyclic = checker.order()
        checker.give_up_on_findings()
        stands = {name: _Stand(name, entry["target"], frozenset(entry["provides"]))
                  for name, entry in checker.entries.items()}
        for name, raw_args in resolved_args.items():
            _check_args(index.validator(checker.entries[name]), raw_args, stands)
        _check_root(checker, cyclic)
    except _GiveUp:
        return None
    except Exception:  # an index this code cannot read is no reason to fail: go the full way
        return None
    return Report(document.source, unset_env=tuple(sorted(checker.unset_env)))


def _check_args(validator: Any, raw_args: Any, stands: dict[str, _Stand]) -> None:
    from pydantic_core import ValidationError

    try:
        validator.validate_python(raw_args, context={REFS_CONTEXT: stands})
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            if not isinstance(error.get("input"), MissingEnv) or error["type"] == \
                    "extra_forbidden":
                raise _GiveUp from None


def _check_root(checker: _FastValidator, cyclic: set[str]) -> None:
    """The service, the one clock, and that every component is used: as ``validation``
    checks them, from the index's flags."""
    reference = checker.document.data.get("service")
    if not isinstance(reference, str) or not reference.startswith("@") or \
            reference.startswith("@@"):
        raise _GiveUp
    service = reference[1:]
    if service in checker.vars or service not in checker.entries or \
            not checker.entries[service]["service"]:
        raise _GiveUp
    if sum(1 for entry in checker.entries.values() if entry["clock"]) > 1:
        raise _GiveUp
    referenced = {dependency for name in checker.components
                  for dependency in checker.dependencies(name, cyclic)}
    for name, entry in checker.entries.items():
        if name != service and name not in referenced and not entry["standalone"] and \
                not entry["clock"]:
            raise _GiveUp


def validate_file(path: str, *, for_run: bool = False,
                  env: Mapping[str, str] | None = None, index: Index | None = None) -> Report:
    """``fortuna validate`` of one file: the fast path when it proves the file valid, the
    full path otherwise (and always when ``for_run``). ``OSError`` if it cannot be read."""
    if not for_run:
        try:
            document = load_file(path, env=env)
        except LoadFailed as exc:
            return Report(exc.finding.source, [exc.finding])
        except UsageFailed as exc:
            raise OSError(str(exc)) from None
        report = fast_report(document, index or Index.load())
        if report is not None:
            return report
        target: Any = document
    else:
        target = path
    from fortuna._internal.validation import validate

    return validate(target, for_run=for_run, env=env)
