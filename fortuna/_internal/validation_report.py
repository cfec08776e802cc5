"""The validator's report and shared state: findings, each located, ``!env`` values hidden.

``Report`` is what validation returns; ``_State`` is what every stage of the validator reads
and adds to (the document, the registry, the names found so far, the findings), with
``report``, the one way a stage adds a finding. The stages are mixins over it
(``validation_shape.py``, ``validation_refs.py``, ``validation_args.py``) so each can be read
alone; ``validation.py`` assembles them and runs the pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fortuna._internal.findings import (
    Finding,
    MandateError,
    Position,
    cut,
    dotted,
    shown,
)
from fortuna._internal.loader import Document
from fortuna._internal.plan import Plan
from fortuna._internal.registry import Registry
from fortuna._internal.suggest import Suggester, closest

if TYPE_CHECKING:
    from fortuna._internal.book import Held
    from fortuna._internal.component import Component

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
    env: dict[str, bool] = field(default_factory=dict)
    """Every ``!env`` variable the mandate reads, set or not (a deployment wires each), and
    whether a run can do without it (every use has a default)."""
    claims: list[Held] = field(default_factory=list)
    """What the mandate holds that others of a book must not (``fortuna._internal.book``)."""

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


class _State:
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
