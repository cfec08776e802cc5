"""Whole-graph validation: one pass that reports every problem, each located.

The stages run in order and each adds findings without stopping the others: the file's
shape, component ids, references (existence, then cycles), vars, every component's args
against its pydantic model, the root service. Args are checked with :class:`Placeholder`
objects standing for components, so interface checks happen before anything is built;
the container later validates the same args with the live instances, with the same code.
``fortuna validate`` and ``fortuna run`` share this path, so what validates also starts.

This module runs the pass (and checks the root service, the clock and the components'
declared checks); the stages live beside it: ``validation_report.py`` (the ``Report`` and
the state every stage shares), ``validation_shape.py`` (shape and ids),
``validation_refs.py`` (references, vars, cycles), ``validation_args.py`` (args).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from fortuna._internal.book import Claim, Held, declared_claims, run_claims
from fortuna._internal.checks import ArgPath, Node, View, run_checks
from fortuna._internal.component import Placeholder, Service
from fortuna._internal.findings import (
    WARNING,
    Finding,
    Position,
    cut,
    dotted,
    fold,
)
from fortuna._internal.loader import Document, LoadFailed, UsageFailed, load_file
from fortuna._internal.mandate import Mandate
from fortuna._internal.plan import MissingEnv, Plan, PlannedComponent
from fortuna._internal.references import REFS_CONTEXT
from fortuna._internal.registry import Registry
from fortuna._internal.time import Clock
from fortuna._internal.validation_args import _ArgsChecks
from fortuna._internal.validation_refs import _ReferenceResolver
from fortuna._internal.validation_report import NAME as NAME
from fortuna._internal.validation_report import Path
from fortuna._internal.validation_report import Report as Report
from fortuna._internal.validation_report import suggestion as suggestion
from fortuna._internal.validation_shape import _ShapeChecks

__all__ = ["Report", "plan_for", "validate"]


class _Validator(_ShapeChecks, _ReferenceResolver, _ArgsChecks):
    """The stages of one validation pass over one document, sharing their state."""


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
    report.claims = collect_claims(checker, resolved_args, valid, placeholders, service_name,
                                   referrers)

    report.unset_env = tuple(sorted(checker.unset_env))
    report.env = dict(sorted(document.env_names.items()))
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
            directory=document.directory,
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
    view = View(valid, service, {k: tuple(v) for k, v in referrers.items()},
                {name: value for name, value in checker.vars.items()
                 if isinstance(value, str | int | Decimal | bool)})
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


def _env_sources(
    checker: _Validator, value: Any, path: ArgPath, env: dict[ArgPath, str],
    unset: set[ArgPath],
) -> Any:
    """``value`` with each unset ``!env`` replaced by a stand-in string; ``env`` and
    ``unset`` filled with where each ``!env`` value sits."""
    if isinstance(value, MissingEnv):
        env[path] = value.variable
        unset.add(path)
        return f"<unset !env {value.variable}>"
    if isinstance(value, str):
        variable = checker.document.env_values.get(value)
        if variable is not None:
            env[path] = variable
        return value
    if isinstance(value, dict):
        return {k: _env_sources(checker, v, (*path, k), env, unset) for k, v in value.items()}
    if isinstance(value, list):
        return [_env_sources(checker, v, (*path, i), env, unset) for i, v in enumerate(value)]
    return value


def collect_claims(
    checker: _Validator,
    resolved_args: dict[str, Any],
    valid: dict[str, Node],
    placeholders: dict[str, Placeholder],
    service: str | None,
    referrers: dict[str, list[str]],
) -> list[Held]:
    """What the mandate holds in a book (``fortuna._internal.book``), each claim located at
    the arg to change (at the var, when the value came through one). A component whose
    args fail only for an unset ``!env`` variable takes part with a stand-in value."""
    if not any(declared_claims(cls) for cls in checker.classes.values()):
        return []
    nodes: dict[str, Node] = {}
    for name, raw_args in resolved_args.items():
        cls = checker.classes.get(name)
        if cls is None:
            continue
        env: dict[ArgPath, str] = {}
        unset: set[ArgPath] = set()
        stood_in = _env_sources(checker, raw_args, (), env, unset)
        node = valid.get(name)
        args = node.args if node is not None else None
        if args is None and unset:
            try:
                args = cls.Args.model_validate(stood_in, context={REFS_CONTEXT: placeholders})
            except ValueError:  # pydantic's ValidationError: invalid for more than !env
                continue
        if args is not None:
            nodes[name] = Node(name, checker.ids[name], args, cls, env, frozenset(unset))
    view = View(nodes, service, {k: tuple(v) for k, v in referrers.items()})
    held: list[Held] = []
    for node, claim in run_claims(view):
        if not isinstance(claim, Claim):  # the function failed: a finding, in the file
            checker.report(("components", node.name), claim, key=True)
            continue
        target = claim.component or node.name
        path: Path = ("components", target, "args", *claim.path) if claim.path else (
            "components", target)
        at = checker.through_var(path) if claim.path else None
        where = at or path
        held.append(Held(claim, checker.source, dotted(where),
                         checker.document.locate(where, key=not claim.path)))
    return held


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
