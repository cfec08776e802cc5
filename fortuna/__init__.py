"""Fortuna: market-making mandates as validated compositions of tested components.

Layout: ``fortuna/_internal`` holds the machinery (loader, registry, validation, container,
runtime, CLI); this module is the whole public surface. Runtime names (the container, the
tick service, clocks) load on first use, so validating a mandate imports none of them;
every name loads on first use, so ``import fortuna`` itself costs nothing.
"""

from __future__ import annotations

import sys as _sys

# In the ``fortuna`` process itself (the console script, or ``python -m fortuna`` while
# it is being located), stop signals are handled from here on, before anything else loads
# (fortuna._internal.cli.stopping); a library import loads and touches nothing.
if _sys.argv and (_sys.argv[0] == "-m" or _sys.argv[0].endswith(("fortuna", "fortuna.exe"))):
    import fortuna._internal.cli._early  # noqa: F401

# isort: split
import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fortuna._internal.book import Claim
    from fortuna._internal.checks import Identity, Node, Problem, View
    from fortuna._internal.clock import VirtualClock, WallClock
    from fortuna._internal.component import (
        Component,
        ComponentArgs,
        Context,
        Interface,
        Logger,
        NoArgs,
        Resettable,
        Service,
    )
    from fortuna._internal.container import Graph, LoadError
    from fortuna._internal.findings import ERROR, WARNING, Finding, MandateError, Position
    from fortuna._internal.mandate import ComponentSpec, Mandate, load_mandate
    from fortuna._internal.observe import MetricsSource, Readiness, Timings
    from fortuna._internal.registry import Family, Registry
    from fortuna._internal.runtime import run, start
    from fortuna._internal.ticker import LeftBehind, TickArgs, Ticker, TickService
    from fortuna._internal.time import Clock
    from fortuna._internal.types import (
        DECIMAL_MAX_DIGITS,
        DECIMAL_MAX_EXPONENT,
        DECIMAL_PATTERN,
        Duration,
        ExactDecimal,
    )
    from fortuna._internal.validation import Report, validate

__all__ = [
    "DECIMAL_MAX_DIGITS",
    "DECIMAL_MAX_EXPONENT",
    "DECIMAL_PATTERN",
    "ERROR",
    "WARNING",
    "Claim",
    "Clock",
    "Component",
    "ComponentArgs",
    "ComponentSpec",
    "Context",
    "Duration",
    "ExactDecimal",
    "Family",
    "Finding",
    "Graph",
    "Identity",
    "Interface",
    "LeftBehind",
    "LoadError",
    "Logger",
    "Mandate",
    "MandateError",
    "MetricsSource",
    "NoArgs",
    "Node",
    "Position",
    "Problem",
    "Readiness",
    "Registry",
    "Report",
    "Resettable",
    "Service",
    "TickArgs",
    "TickService",
    "Ticker",
    "Timings",
    "View",
    "VirtualClock",
    "WallClock",
    "load_mandate",
    "run",
    "start",
    "validate",
]

_LAZY = {
    "Component": "fortuna._internal.component",
    "ComponentArgs": "fortuna._internal.component",
    "Context": "fortuna._internal.component",
    "Interface": "fortuna._internal.component",
    "Logger": "fortuna._internal.component",
    "NoArgs": "fortuna._internal.component",
    "Resettable": "fortuna._internal.component",
    "Service": "fortuna._internal.component",
    "Finding": "fortuna._internal.findings",
    "MandateError": "fortuna._internal.findings",
    "Position": "fortuna._internal.findings",
    "ERROR": "fortuna._internal.findings",
    "WARNING": "fortuna._internal.findings",
    "Claim": "fortuna._internal.book",
    "Identity": "fortuna._internal.checks",
    "Node": "fortuna._internal.checks",
    "Problem": "fortuna._internal.checks",
    "View": "fortuna._internal.checks",
    "Clock": "fortuna._internal.time",
    "DECIMAL_MAX_DIGITS": "fortuna._internal.types",
    "DECIMAL_MAX_EXPONENT": "fortuna._internal.types",
    "DECIMAL_PATTERN": "fortuna._internal.types",
    "Duration": "fortuna._internal.types",
    "ExactDecimal": "fortuna._internal.types",
    "VirtualClock": "fortuna._internal.clock",
    "WallClock": "fortuna._internal.clock",
    "Graph": "fortuna._internal.container",
    "LoadError": "fortuna._internal.container",
    "ComponentSpec": "fortuna._internal.mandate",
    "Mandate": "fortuna._internal.mandate",
    "load_mandate": "fortuna._internal.mandate",
    "MetricsSource": "fortuna._internal.observe",
    "Readiness": "fortuna._internal.observe",
    "Timings": "fortuna._internal.observe",
    "Family": "fortuna._internal.registry",
    "Registry": "fortuna._internal.registry",
    "run": "fortuna._internal.runtime",
    "start": "fortuna._internal.runtime",
    "LeftBehind": "fortuna._internal.ticker",
    "TickArgs": "fortuna._internal.ticker",
    "TickService": "fortuna._internal.ticker",
    "Ticker": "fortuna._internal.ticker",
    "Report": "fortuna._internal.validation",
    "validate": "fortuna._internal.validation",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("fortuna")
        except PackageNotFoundError:
            found = "unknown"
        globals()[name] = found
        return found
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fortuna' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
