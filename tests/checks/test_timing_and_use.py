"""Timing (a stale-data switch tripping between ticks) and components nothing uses."""

from __future__ import annotations

from pathlib import Path

from tests.checks.base import BASE, check, line_of, only, planted


def test_a_stale_data_max_age_under_the_service_interval_is_an_error(tmp_path: Path) -> None:
    text = planted(BASE, ("max_age: 30s}", "max_age: 2s}"), ("interval: 1s", "interval: 5s"))
    finding = only(check(tmp_path, text))
    assert finding.path == "components.stale.args.max_age"
    assert finding.position is not None
    assert finding.position.line == line_of(text, "max_age: 2s")
    assert finding.message == (
        'max_age 2 s is shorter than the interval 5 s of "mm", which reads it once a tick: it '
        "would trip on data that is as fresh as it can be; make max_age at least 5 s")


def test_a_stale_data_max_age_under_the_feeding_listeners_interval_is_an_error(
    tmp_path: Path,
) -> None:
    text = planted(
        BASE,
        ("  reference:\n", '  feed:\n    id: listeners.ticker\n    args: {exchange: "@sim", '
         'symbol: "@symbol", interval: 1m}\n  reference:\n'),
        ('args: {exchange: "@sim", symbol: "@symbol", side: mid}',
         'args: {exchange: "@feed", symbol: "@symbol", side: mid}'),
    )
    finding = only(check(tmp_path, text))
    assert finding.path == "components.stale.args.max_age"
    assert 'shorter than the interval 60 s at which "feed" fetches' in finding.message


def test_a_component_nothing_references_is_a_warning_at_its_name(tmp_path: Path) -> None:
    text = planted(BASE, ("  mm:\n", "  spare:\n    id: prices.fixed\n    args: {price: 1}\n"
                                     "  mm:\n"))
    report = check(tmp_path, text)
    finding = only(report)
    assert finding.severity == "warning"
    assert finding.path == "components.spare"
    assert finding.position is not None
    assert finding.position.line == line_of(text, "spare:")
    assert finding.message == (
        '"spare" (prices.fixed) is referenced by nothing, so it does nothing: use it as '
        '"@spare" in an arg, or remove it')
    assert report.ok
    assert report.plan is not None


def test_listeners_and_clocks_work_alone_and_are_no_warning(tmp_path: Path) -> None:
    text = planted(BASE, ("  mm:\n", '  feed:\n    id: listeners.ticker\n    args: {exchange: '
                                     '"@sim", symbol: "@symbol", interval: 1s}\n  mm:\n'))
    assert check(tmp_path, text).findings == []
