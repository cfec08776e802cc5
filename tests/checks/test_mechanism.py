"""The check mechanism itself: declared by name, run once per component, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from fortuna import Node, Problem, Registry, Report, View, validate
from plugins.prices.fixed import FixedPrice
from tests.checks.base import BASE, only, planted


def broken(node: Node, view: View) -> Iterator[Problem]:
    raise ZeroDivisionError("a bug in a plugin's check")


def warns_at_service(node: Node, view: View) -> Iterator[Problem]:
    service = view.service_node
    assert service is not None
    users = sorted(user.name for user in view.referring(node.name))
    yield Problem(f"used by {users}", ("interval",), service.name, "warning")


class Broken(FixedPrice):
    semantic_checks: ClassVar[tuple[str, ...]] = ("tests.checks.test_mechanism:broken",)


class Missing(FixedPrice):
    semantic_checks: ClassVar[tuple[str, ...]] = ("tests.checks.nowhere:check",)


class Pointing(FixedPrice):
    semantic_checks: ClassVar[tuple[str, ...]] = ("tests.checks.test_mechanism:warns_at_service",)


def run(tmp_path: Path, cls: type[FixedPrice]) -> Report:
    registry = Registry.from_entry_points()
    registry.register("test.price", cls)
    text = planted(BASE, ('    id: prices.ticker\n    args: {exchange: "@sim", symbol: "@symbol", '
                          "side: mid}", "    id: test.price\n    args: {price: 65000}"))
    path = tmp_path / "mandate.yaml"
    path.write_text(text, encoding="utf-8")
    return validate(path, registry=registry)


def test_a_check_that_raises_is_a_finding_naming_it(tmp_path: Path) -> None:
    finding = only(run(tmp_path, Broken))
    assert finding.path == "components.reference"
    assert finding.message == ("check tests.checks.test_mechanism:broken failed: "
                               "ZeroDivisionError: a bug in a plugin's check")


def test_a_check_that_cannot_be_imported_is_a_finding(tmp_path: Path) -> None:
    assert only(run(tmp_path, Missing)).message.startswith(
        "check tests.checks.nowhere:check cannot be loaded: No module named")


def test_a_check_reports_at_another_components_arg_with_its_severity(tmp_path: Path) -> None:
    finding = only(run(tmp_path, Pointing))
    assert (finding.path, finding.severity) == ("components.mm.args.interval", "warning")
    assert finding.message == "used by ['mm', 'stale']"
