"""Whole-graph validation: one pass that reports every problem, each located.

The stages run in order and each adds findings without stopping the others: the file's
shape, component ids, references (existence, then cycles), vars, every component's args
against its pydantic model, the root service. Args are checked with :class:`Placeholder`
objects standing for components, so interface checks happen before anything is built;
the container later validates the same args with the live instances, with the same code.
``fortuna validate`` and ``fortuna run`` share this path, so what validates also starts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from fortuna._internal.checks import Node, View, run_checks
from fortuna._internal.component import REFS_CONTEXT, Component, Placeholder, Ref, Service
from fortuna._internal.findings import (
    WARNING,
    Finding,
    MandateError,
    Position,
    cut,
    dotted,
    fold,
    shown,
)
from fortuna._internal.graph import cycles, order, walk_cycle
from fortuna._internal.loader import Document, LoadFailed, UsageFailed, load_file
from fortuna._internal.mandate import Mandate
from fortuna._internal.plan import MissingEnv, Plan, PlannedComponent
from fortuna._internal.registry import ComponentImportError, Registry, UnknownComponent
from fortuna._internal.suggest import Suggester, closest
from fortuna._internal.time import Clock
from fortuna._internal.wording import plain

__all__ = ["Report", "plan_for", "validate"]

Path = tuple[str | int, ...]

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
TOP_LEVEL_KEYS = ("service", "vars", "components")
COMPONENT_KEYS = ("id", "args")
SECRET_NAME = re.compile(r"secret|password|passphrase|token|key", re.IGNORECASE)


@dataclass
class Report:
    """The outcome of validating one mandate: every finding, and the plan when valid."""

    source: str
    findings: list[Finding] = field(default_factory=list)
    plan: Plan | None = None
    unset_env: tuple[str, ...] = ()
    """The ``!env`` variables the mandate reads that are not set (a run refuses them)."""

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [finding for finding in self.findings if not finding.is_error]

    @property
    def ok(self) -> bool:
        """No errors (warnings allow a run; ``--strict`` refuses them too)."""
        return not self.errors

    def raise_for_findings(self) -> Plan:
        if self.errors or self.plan is None:
            raise MandateError(self.findings)
        return self.plan


_INERT = frozenset({int, float, bool, Decimal, type(None)})
"""Leaf types that can hold no reference: the resolving walk skips them."""


_MIN_ECHO_HIDDEN = 4  # shorter !env values are not searched for in free text


class _EnvValue:
    """Stands for a value read from ``!env`` in a finding, which never shows the value."""

    def __init__(self, variable: str) -> None:
        self.variable = variable

    def __repr__(self) -> str:
        return f"the value of !env {self.variable}"


class _Unresolvable:
    """Stands for a reference already reported as broken, so it is not reported twice."""

    def __repr__(self) -> str:
        return "<unresolved>"


_UNRESOLVABLE = _Unresolvable()


def suggestion(word: str, candidates: Any, *, prefix: str = "") -> str:
    """A "did you mean" among a few fixed names (keys, an args model's fields)."""
    close = closest(word, candidates)
    return f' (did you mean "{prefix}{close}"?)' if close else ""


def _key(key: Any) -> str:
    return f'"{cut(key)}"' if isinstance(key, str) else shown(key)


def _references(value: Any) -> Iterator[str]:
    """The names ``"@name"`` strings inside ``value`` refer to (iterative: any depth)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if item.startswith("@") and not item.startswith("@@"):
                yield item[1:]
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


class _Validator:
    def __init__(self, document: Document, registry: Registry) -> None:
        self.document = document
        self.source = document.source
        self.registry = registry
        self.findings: list[Finding] = []
        self.missing_env: list[Finding] = []
        self.unset_env: dict[str, None] = {}
        self.stray: dict[str, list[Any]] = {}
        self.via_vars: dict[tuple[Path, str], list[tuple[Path, str]]] = {}
        self.vars: dict[str, Any] = {}
        self.components: dict[str, dict[str, Any]] = {}
        self.classes: dict[str, type[Component[Any]]] = {}
        self.ids: dict[str, str] = {}
        self.references: dict[str, list[tuple[Path, str]]] = {}
        self.resolved_vars: dict[str, Any] = {}
        self._names: Suggester | None = None

    # --- reporting --------------------------------------------------------------------

    def report(
        self, path: Path, message: str, *, key: bool = False, at: Path | None = None
    ) -> None:
        position = self.document.locate(path if at is None else at, key=key)
        for value, name in self.document.env_values.items():  # never echo an !env value
            if len(value) >= _MIN_ECHO_HIDDEN and value in message:
                message = message.replace(value, f"<the value of !env {name}>")
        self.findings.append(Finding(self.source, dotted(path), message, position))

    def position_of(self, name: str) -> Position | None:
        section = "components" if name in self.components else "vars"
        return self.document.locate((section, name), key=True)

    # --- stage 1: shape ---------------------------------------------------------------

    def check_shape(self) -> bool:
        data = self.document.data
        if not isinstance(data, dict):
            self.report((), "a mandate is a mapping with service, vars and components")
            return False
        for key in data:
            if key not in TOP_LEVEL_KEYS:
                hint = suggestion(key, TOP_LEVEL_KEYS) if isinstance(key, str) else ""
                self.report((key,), f'unknown key {_key(key)}{hint}; a mandate has '
                            f"service, vars and components", key=True)
        if "service" not in data:
            self.report((), 'missing "service": the name of the component that runs, '
                        'like service: "@mm"')
        elif not isinstance(data["service"], str):
            self.report(("service",), 'service must be a reference like "@mm"')
        vars_ = data.get("vars", {})
        if vars_ is None:
            vars_ = {}
        if not isinstance(vars_, dict):
            self.report(("vars",), "vars must be a mapping of names to values")
            vars_ = {}
        for name, value in vars_.items():
            if self.check_name(("vars", name), name):
                self.vars[name] = value
        components = data.get("components")
        if components is None:
            self.report((), 'missing "components": a mapping of names to {id, args}')
            components = {}
        elif not isinstance(components, dict):
            self.report(("components",), "components must be a mapping of names to {id, args}")
            components = {}
        for name, spec in components.items():
            path: Path = ("components", name)
            if not self.check_name(path, name):
                continue
            if name in self.vars:
                self.report(path, f'"{name}" is both a var and a component; they share one '
                            "namespace", key=True)
                continue
            if not isinstance(spec, dict):
                self.report(path, "a component is a mapping with id and args")
                continue
            stray = [key for key in spec if key not in COMPONENT_KEYS]
            if stray:
                self.stray[name] = stray
            args = spec.get("args", {})
            if args is None:
                args = {}
            if not isinstance(args, dict):
                self.report((*path, "args"), "args must be a mapping of arg names to values")
                args = {}
            if "id" not in spec:
                self.report(path, 'missing "id": which catalog component this is '
                            "(see `fortuna catalog`)")
            elif not isinstance(spec["id"], str):
                self.report((*path, "id"), "id must be a catalog id such as exchanges.sim")
            self.components[name] = {"id": spec.get("id"), "args": args}
        return True

    def check_name(self, path: Path, name: Any) -> bool:
        if isinstance(name, str) and NAME.match(name):
            return True
        self.report(path, f"{shown(name)} is not a valid name: use letters, digits, _ . -, "
                    "starting with a letter or _", key=True)
        return False

    # --- stage 2: ids -----------------------------------------------------------------

    def report_stray_keys(self) -> None:
        """Keys of a component other than id and args: args written beside ``args:`` (or
        without it) become one finding saying to move them under it, and are checked as
        args meanwhile (no "missing arg" cascade); any other key is unknown."""
        for name, keys in self.stray.items():
            path: Path = ("components", name)
            cls = self.classes.get(name)
            fields = cls.Args.model_fields if cls is not None else {}
            args_keys = [k for k in keys if isinstance(k, str) and k in fields]
            spec = self.components[name]
            if args_keys:
                has_args = "args" in self.document.data["components"][name]
                listed = ", ".join(f'"{k}"' for k in args_keys)
                what = ("is an arg of {}, not a key" if len(args_keys) == 1
                        else "are args of {}, not keys").format(self.ids[name])
                where = ('move it under "args:"' if len(args_keys) == 1 else
                         'move them under "args:"')
                if not has_args:
                    where += " (the component has no args: line; write one)"
                self.report((*path, args_keys[0]), f"{listed} {what} of the component: {where}, "
                            "indented one level more", key=True)
                merged = dict(spec["args"])
                for key in args_keys:
                    merged.setdefault(key, self.document.data["components"][name][key])
                spec["args"] = merged
            for key in keys:
                if key in args_keys:
                    continue
                hint = suggestion(key, COMPONENT_KEYS) if isinstance(key, str) else ""
                self.report((*path, key), f'unknown key {_key(key)}{hint}; a component has '
                            "id and args", key=True)

    def resolve_ids(self) -> None:
        for name, spec in self.components.items():
            component_id = spec["id"]
            if not isinstance(component_id, str):
                continue
            path: Path = ("components", name, "id")
            try:
                self.classes[name] = self.registry.resolve(component_id)
                self.ids[name] = component_id
            except UnknownComponent as exc:
                hint = f' (did you mean "{exc.suggestions[0]}"?)' if exc.suggestions else ""
                self.report(path, f'unknown component "{cut(component_id)}"{hint}')
            except ComponentImportError as exc:
                self.report(path, f'component "{cut(component_id)}" is installed but broken: '
                            f"{exc}")

    # --- stage 3: references, resolved in the same walk ------------------------------

    def scan(self, value: Any, path: Path, refs: list[tuple[Path, str]]) -> Any:
        """``value`` resolved (vars substituted, components as ``Ref``, ``@@`` unescaped),
        collecting every reference into ``refs``. Unchanged subtrees are returned as is."""
        if isinstance(value, str):
            if not value.startswith("@"):
                return value
            if value.startswith("@@"):
                return value[1:]
            target = value[1:]
            if target in self.components:
                refs.append((path, target))
                return Ref(target)
            if target in self.vars:
                refs.append((path, target))
                return self.var_value(target)
            self.report(path, f'"{cut(value)}" is not a component or var'
                        f"{self.name_hint(target)}")
            return _UNRESOLVABLE
        if isinstance(value, dict):
            changed: dict[Any, Any] | None = None
            for key, item in value.items():
                if type(item) in _INERT or (type(item) is str and not item.startswith("@")):
                    continue
                new = self.scan(item, (*path, key), refs)
                if new is not item:
                    changed = dict(value) if changed is None else changed
                    changed[key] = new
            return value if changed is None else changed
        if isinstance(value, list):
            items: list[Any] | None = None
            for index, item in enumerate(value):
                if type(item) in _INERT or (type(item) is str and not item.startswith("@")):
                    continue
                new = self.scan(item, (*path, index), refs)
                if new is not item:
                    items = list(value) if items is None else items
                    items[index] = new
            return value if items is None else items
        if isinstance(value, MissingEnv):
            self.unset_env[value.variable] = None
            self.missing_env.append(Finding(
                self.source, dotted(path), f"environment variable {value.variable} is not set",
                value.position or self.document.locate(path)))
        return value

    def name_hint(self, target: str) -> str:
        """ "(did you mean "@x"?)" among the vars and components, from an index."""
        if self._names is None:
            self._names = Suggester([*self.vars, *self.components])
        close = self._names.closest(target)
        return f' (did you mean "@{close}"?)' if close else ""

    def var_value(self, name: str) -> Any:
        """A var's resolved value. Vars resolve in dependency order (no recursion, however
        long a chain), so one referring to an unresolved var is inside or after a cycle,
        which is reported on its own."""
        return self.resolved_vars.get(name, _UNRESOLVABLE)

    def resolve_all(self) -> dict[str, Any]:
        """Resolve every var (used or not, so each is checked once) and every component's
        args; returns the resolved args by component name."""
        var_edges = {name: [t for t in _references(value) if t in self.vars]
                     for name, value in self.vars.items()}
        ordered, leftover = order(var_edges)
        for name in [*ordered, *leftover]:
            refs = self.references.setdefault(name, [])
            self.resolved_vars[name] = self.scan(self.vars[name], ("vars", name), refs)
        return {name: self.scan(spec["args"], ("components", name, "args"),
                                self.references.setdefault(name, []))
                for name, spec in self.components.items()}

    def order(self) -> tuple[list[str], set[str]]:
        """Names in dependency order (file order among equals), and the names caught in a
        reference cycle, each cycle reported once."""
        edges = {name: [target for _, target in refs] for name, refs in self.references.items()}
        ordered, leftover = order(edges)
        in_cycle: set[str] = set()
        for members in cycles(leftover):
            in_cycle.update(members)
            self.report_cycle(members, leftover)
        return ordered, in_cycle

    def report_cycle(self, members: list[str], edges: dict[str, list[str]]) -> None:
        start = min(members, key=lambda n: (self.position_of(n) or Position(0, 0), n))
        cycle = walk_cycle(members, start, edges)
        where = ", ".join(f"{name} at {self.position_of(name)}" for name in cycle[:-1]
                          if self.position_of(name))
        message = "reference cycle: " + " -> ".join(cycle) + (f" ({where})" if where else "")
        self.findings.append(Finding(self.source, "", message))

    # --- stage 4: dependencies -------------------------------------------------------

    def dependencies(self, name: str, cyclic: set[str]) -> tuple[str, ...]:
        found: dict[str, None] = {}
        pending = [target for _, target in self.references.get(name, [])]
        seen_vars: set[str] = set()
        while pending:
            target = pending.pop()
            if target in self.components:
                found[target] = None
            elif target not in seen_vars and target not in cyclic:
                seen_vars.add(target)
                pending.extend(t for _, t in self.references.get(target, []))
        return tuple(found)

    # --- stage 5: args ----------------------------------------------------------------

    def check_args(
        self, name: str, raw_args: Any, placeholders: dict[str, Placeholder]
    ) -> Any | None:
        """The validated args (references as placeholders), or None when invalid."""
        cls = self.classes[name]
        try:
            return cls.Args.model_validate(raw_args, context={REFS_CONTEXT: placeholders})
        except ValidationError as exc:
            self.report_args_errors(name, cls, raw_args, exc, placeholders)
            return None

    def report_args_errors(
        self,
        name: str,
        cls: type[Component[Any]],
        raw_args: Any,
        exc: ValidationError,
        placeholders: dict[str, Placeholder],
    ) -> None:
        grouped: dict[Path, list[str]] = {}
        abouts: dict[Path, str] = {}
        keyed: set[Path] = set()
        missing: set[Path] = set()
        for error in exc.errors(include_url=False):
            value = error.get("input")
            if isinstance(value, Ref):
                if value.name in placeholders:
                    error = {**error, "input": placeholders[value.name]}
                elif error["type"] != "extra_forbidden":
                    continue  # its id is unknown, already reported
            if isinstance(value, MissingEnv | _Unresolvable) and error["type"] != "extra_forbidden":
                continue  # already reported; an unknown arg is news whatever its value
            if isinstance(value, str) and value in self.document.env_values:
                error = {**error, "input": _EnvValue(self.document.env_values[value])}
            loc = self.data_path(raw_args, error["loc"])
            path: Path = ("components", name, "args", *loc)
            message = self.describe(error, cls, loc, self.ids[name])
            if error["type"] == "extra_forbidden":
                keyed.add(path)
            elif error["type"] == "missing":
                missing.add(path)
            messages = grouped.setdefault(path, [])
            if message not in messages:
                messages.append(message)
            if error["type"] not in ("extra_forbidden", "missing") and not isinstance(
                    error.get("input"), Placeholder):
                abouts.setdefault(path, _description(cls, loc))
        for path, messages in grouped.items():
            about = abouts.get(path, "")
            arg = next((str(p) for p in reversed(path) if isinstance(p, str)), "")
            through = self.through_var(path) if path not in keyed and path not in missing else None
            if through is not None:
                uses = self.via_vars.setdefault((through, "; or ".join(messages)), [])
                uses.append((path, f"{arg}: {about}" if about else ""))
                continue
            if about:
                messages = [*messages[:-1], f"{messages[-1]}; {arg}: {about}"]
            # a missing arg has no position of its own: point at the mapping that lacks it
            self.report(path, "; or ".join(messages), key=path in keyed or path in missing,
                        at=path[:-1] if path in missing else None)

    def through_var(self, path: Path) -> Path | None:
        """Where the value at ``path`` is written when it came through vars (``"@size"``):
        the path inside the last var on the way, or None when it is written in place."""
        found: Path | None = None
        here: Any = self.document.data
        rest = list(path)
        steps = 0
        while rest and steps < 10_000:
            steps += 1
            part = rest.pop(0)
            if isinstance(here, dict) and part in here:
                here = here[part]
            elif isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here):
                here = here[part]  # a branch of its own: mypy narrows the index per branch
            else:
                return found
            while (isinstance(here, str) and here.startswith("@") and not here.startswith("@@")
                   and here[1:] in self.vars and steps < 10_000):
                steps += 1
                name = here[1:]
                found = ("vars", name, *rest)
                here = self.vars[name]
            if found is not None and found[2:] != tuple(rest):
                found = ("vars", found[1], *rest)
        return found

    def report_via_vars(self) -> None:
        """One finding per bad value written in a var, at the var, naming its uses."""
        for (path, message), uses in self.via_vars.items():
            shown_uses = ", ".join(dotted(use) for use, _ in uses[:5])
            more = f" and {len(uses) - 5} more" if len(uses) > 5 else ""
            about = next((text for _, text in uses if text), "")
            self.report(path, f'{message} (in var "{path[1]}", used by {shown_uses}{more})'
                        + (f"; {about}" if about else ""))

    @staticmethod
    def data_path(raw: Any, loc: tuple[str | int, ...]) -> Path:
        """Keep the parts of a pydantic location that exist in the data (drop union tags)."""
        path: list[str | int] = []
        here = raw
        for part in loc:
            in_dict = isinstance(here, dict) and part in here
            in_list = isinstance(here, list) and isinstance(part, int) and part < len(here)
            if in_dict or in_list:
                path.append(part)
                here = here[part]
            elif isinstance(here, dict) and isinstance(part, str) and part.isidentifier():
                path.append(part)
                here = None
        return tuple(path)

    @staticmethod
    def describe(error: Any, cls: type[Component[Any]], loc: Path, component_id: str) -> str:
        kind = error["type"]
        field_name = str(loc[-1]) if loc else ""
        arg_name = next((str(part) for part in reversed(loc) if isinstance(part, str)), "")
        if kind == "extra_forbidden":
            fields = cls.Args.model_fields if len(loc) == 1 else {}
            hint = suggestion(field_name, fields)
            accepted = ", ".join(fields) if fields and not hint else ""
            tail = f"; {component_id} takes {accepted}" if accepted else ""
            return f'unknown arg "{cut(field_name)}"{hint}{tail}'
        if kind == "missing":
            info = cls.Args.model_fields.get(field_name) if len(loc) == 1 else None
            about = f" ({info.description})" if info is not None and info.description else ""
            return f'missing required arg "{field_name}"{about}'
        value = error.get("input")
        if isinstance(value, Placeholder) and not kind.startswith("reference_"):
            return (f'"@{value.name}" is a {value.id} component, but this arg takes a value, '
                    "not a component")
        message = str(error["msg"])
        if kind.startswith("reference_"):
            return message
        message = plain(kind, message, dict(error.get("ctx") or {}))
        quoted = shown(value)
        if SECRET_NAME.search(arg_name) or quoted in message:
            return message
        return f"{message} (got {quoted})"


def _description(cls: type[Component[Any]], loc: Path) -> str:
    """The description of the field at ``loc`` of ``cls``'s args, through nested models
    and lists of them; "" when there is none."""
    model: Any = cls.Args
    description = ""
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(model, "model_fields", None)
        info = fields.get(part) if isinstance(fields, dict) else None
        if info is None:
            return ""
        description = info.description or ""
        model = _inner_model(info.annotation)
    return description


def _inner_model(annotation: Any) -> Any:
    """The pydantic model inside ``annotation`` (``Spec``, ``list[Spec]``, ``Spec | None``)."""
    pending = [annotation]
    while pending:
        item = pending.pop()
        if isinstance(item, type) and hasattr(item, "model_fields"):
            return item
        pending.extend(getattr(item, "__args__", ()))
    return None


def _validate_document(
    document: Document, registry: Registry, *, for_run: bool
) -> Report:
    checker = _Validator(document, registry)
    report = Report(document.source)
    if not checker.check_shape():
        report.findings = checker.findings
        return report
    checker.resolve_ids()
    checker.report_stray_keys()
    resolved_args = checker.resolve_all()
    ordered, cyclic = checker.order()
    placeholders = {name: Placeholder(name, checker.ids[name], cls)
                    for name, cls in checker.classes.items()}

    planned: dict[str, PlannedComponent] = {}
    valid: dict[str, Node] = {}
    for name, raw_args in resolved_args.items():
        if name in checker.classes:
            args = checker.check_args(name, raw_args, placeholders)
            if args is not None:
                valid[name] = Node(name, checker.ids[name], args, checker.classes[name])
            planned[name] = PlannedComponent(
                name=name,
                id=checker.ids[name],
                cls=checker.classes[name],
                raw_args=raw_args,
                dependencies=checker.dependencies(name, cyclic),
                position=document.locate(("components", name), key=True),
            )

    checker.report_via_vars()
    service_name = check_service(checker)
    clock_name = check_clock(checker)
    referrers: dict[str, list[str]] = {}
    for name in checker.components:
        for dependency in checker.dependencies(name, cyclic):
            referrers.setdefault(dependency, []).append(name)
    check_semantics(checker, planned, valid, service_name, referrers)

    report.unset_env = tuple(sorted(checker.unset_env))
    if for_run:
        checker.findings.extend(checker.missing_env)
    report.findings = fold(sorted(
        checker.findings,
        key=lambda f: (f.position is None, f.position or Position(0, 0), f.path),
    ))
    if not report.errors and service_name is not None:
        report.plan = Plan(
            source=document.source,
            service=service_name,
            components={name: planned[name] for name in ordered if name in planned},
            clock=clock_name,
            missing_env=tuple(checker.missing_env),
        )
    return report


def check_service(checker: _Validator) -> str | None:
    data = checker.document.data
    reference = data.get("service")
    if not isinstance(reference, str):
        return None
    path: Path = ("service",)
    if not reference.startswith("@") or reference.startswith("@@"):
        checker.report(path, f'service must be a reference like "@{reference}"')
        return None
    name = reference[1:]
    if name in checker.vars:
        checker.report(path, f'"{reference}" is a var; service names a component')
        return None
    if name not in checker.components:
        checker.report(path, f'"{cut(reference)}" is not a component'
                       f"{checker.name_hint(name)}")
        return None
    cls = checker.classes.get(name)
    if cls is None:
        return None
    if not issubclass(cls, Service):
        services = [n for n, c in checker.classes.items() if issubclass(c, Service)]
        hint = f' (did you mean "@{services[0]}"?)' if len(services) == 1 else ""
        checker.report(path, f'"{reference}" is a {checker.ids[name]} component, which is '
                       f"not a service and cannot run a mandate{hint}")
        return None
    return name


def check_semantics(
    checker: _Validator,
    planned: dict[str, PlannedComponent],
    valid: dict[str, Node],
    service: str | None,
    referrers: dict[str, list[str]],
) -> None:
    """The components' declared checks over the valid ones, and what nothing uses."""
    view = View(valid, service, {k: tuple(v) for k, v in referrers.items()})
    seen: set[tuple[str, str, str]] = set()
    for node, problem in run_checks(view):
        target = problem.component or node.name
        path: Path = ("components", target, "args", *problem.path) if problem.path else (
            "components", target)
        if (target, dotted(path), problem.message) in seen:
            continue
        seen.add((target, dotted(path), problem.message))
        position = checker.document.locate(path, key=not problem.path)
        checker.findings.append(Finding(checker.source, dotted(path), problem.message,
                                        position, problem.severity))
    if service is None or any(finding.is_error for finding in checker.findings):
        return  # a component unused because a reference to it is broken is no news
    for name in planned:
        cls = checker.classes[name]
        if name == service or name in referrers or cls.standalone or issubclass(cls, Clock):
            continue
        checker.findings.append(Finding(
            checker.source, dotted(("components", name)),
            f'"{name}" ({checker.ids[name]}) is referenced by nothing, so it does nothing: '
            f'use it as "@{name}" in an arg, or remove it',
            checker.document.locate(("components", name), key=True), WARNING))


def check_clock(checker: _Validator) -> str | None:
    clocks = [name for name, cls in checker.classes.items() if issubclass(cls, Clock)]
    for extra in clocks[1:]:
        checker.report(("components", extra), f'a mandate has at most one clock; "{clocks[0]}"'
                       " is one already", key=True)
    return clocks[0] if clocks else None


def _document_of(
    target: Any, env: Mapping[str, str] | None
) -> Document:
    if isinstance(target, Mandate):
        return target.document
    if isinstance(target, Document):
        return target
    if isinstance(target, str | os.PathLike):
        return load_file(os.fspath(target), env=env)
    if isinstance(target, Mapping):
        return Document("<python>", dict(target))
    raise TypeError(f"cannot validate a {type(target).__name__}: pass a Mandate, a path or a dict")


def validate(
    target: Mandate | Document | Mapping[str, Any] | str | os.PathLike[str],
    *,
    registry: Registry | None = None,
    for_run: bool = False,
    env: Mapping[str, str] | None = None,
) -> Report:
    """Validate a mandate (object, dict or file path) and report every finding at once.

    ``for_run`` also refuses unset ``!env`` variables, which plain validation tolerates so
    that CI can check configs without production secrets. A file that cannot be read
    raises ``OSError``.
    """
    try:
        document = _document_of(target, env)
    except LoadFailed as exc:
        return Report(exc.finding.source, [exc.finding])
    except UsageFailed as exc:
        raise OSError(str(exc)) from None
    try:
        return _validate_document(document, registry or Registry.default(), for_run=for_run)
    except RecursionError:
        # only a mandate built in Python can nest this deep: the loader stops at 64 levels
        return Report(document.source, [Finding(document.source, "", "nesting too deep")])


def plan_for(
    target: Mandate | Document | Mapping[str, Any] | str | os.PathLike[str],
    *,
    for_run: bool = True,
    registry: Registry | None = None,
    env: Mapping[str, str] | None = None,
) -> Plan:
    """The plan for a valid mandate; :class:`MandateError` with every finding otherwise."""
    if isinstance(target, Plan):
        return target
    return validate(target, registry=registry, for_run=for_run, env=env).raise_for_findings()
