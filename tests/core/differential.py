"""A pytest plugin: every validation the suite performs is done by the fast path too.

Loaded with ``-p tests.core.differential`` (``test_validation_fast.py`` runs test modules of
the suite under it in a subprocess), it wraps the full path's one entry
(``fortuna._internal.validation._validate_document``): each mandate any test validates,
good or bad, is also given to the fast path, with an index of the registry the test used
(the committed index for the installed catalog, an index built on the spot for a test's
own registry). The fast path may decline (then the full path's findings stand, as in
``fortuna validate``); when it proves a mandate valid, the full path must have found
nothing at all, with the same unset ``!env`` variables. The tally is written as JSON to
the file named by ``FORTUNA_DIFFERENTIAL_OUT`` when the session ends.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from fortuna._internal import validation
from fortuna._internal.loader import Document
from fortuna._internal.registry import Registry
from fortuna._internal.validation_fast import Index, fast_report
from fortuna._internal.validation_report import Report

OUT = "FORTUNA_DIFFERENTIAL_OUT"
INDEX = "FORTUNA_DIFFERENTIAL_INDEX"


def installed_catalog_index(path: str | None = None) -> Index:
    """The index of the installed catalog: the file at ``path`` (a fresh one the tests
    wrote, so that they do not depend on the committed file being current, which CI
    checks on its own) or the committed one, with the default registry's mapping as what
    is installed."""
    components, families = Registry.default().targets()
    installed = {cid: {target} for cid, target in components.items()}
    installed.update({f"{prefix}.*": {target} for prefix, target in families.items()})
    if path is None:
        return Index(installed, Index.load().indexes)
    with open(path, encoding="utf-8") as handle:
        return Index(installed, [json.load(handle)])


def index_of(registry: Registry) -> Index:
    """The index the fast path would use for ``registry``: the installed catalog's (from
    the file ``FORTUNA_DIFFERENTIAL_INDEX`` names, if set), else one built now."""
    if registry is Registry.default():
        return installed_catalog_index(os.environ.get(INDEX))
    return Index.of_registry(registry)


class Differential:
    def __init__(self) -> None:
        self.compared = 0
        self.proved = 0
        self.disagreements: list[dict[str, Any]] = []
        self.declined_valid: list[str] = []
        self.refused = 0
        """Bad mandates the fast path itself refused (every id indexed and usable)."""
        self._indexes: dict[int, tuple[Registry, Index]] = {}
        self._original = validation._validate_document

    def index(self, registry: Registry) -> Index:
        key = id(registry)
        if key not in self._indexes:  # the registry is kept, so its id is never reused
            self._indexes[key] = (registry, index_of(registry))
        return self._indexes[key][1]

    def validate_document(self, document: Document, registry: Registry, *, for_run: bool
                          ) -> Report:
        fast = None if for_run else fast_report(document, self.index(registry))
        report = self._original(document, registry, for_run=for_run)
        if not for_run:
            self.compared += 1
            if fast is None and not report.findings:
                self.declined_valid.append(document.source)
            if fast is None and report.findings and self.covered(document, registry):
                self.refused += 1
            if fast is not None:
                self.proved += 1
                if report.findings or report.unset_env != fast.unset_env:
                    self.disagreements.append({
                        "source": document.source,
                        "full": [str(finding) for finding in report.findings][:5],
                        "unset_env": [list(report.unset_env), list(fast.unset_env)],
                    })
        return report

    def covered(self, document: Document, registry: Registry) -> bool:
        components = document.data.get("components") if isinstance(document.data, dict) \
            else None
        if not isinstance(components, dict) or not components:
            return False
        index = self.index(registry)
        return all(isinstance(spec, dict) and isinstance(spec.get("id"), str)
                   and index.entry(spec["id"]) is not None for spec in components.values())

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        validation._validate_document = self.validate_document

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        validation._validate_document = self._original
        target = os.environ.get(OUT)
        if target:
            with open(target, "w", encoding="utf-8") as handle:
                json.dump({"compared": self.compared, "proved": self.proved,
                           "declined_valid": self.declined_valid, "refused": self.refused,
                           "disagreements": self.disagreements}, handle)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(Differential(), "fortuna-differential")
