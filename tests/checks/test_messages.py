"""Messages that point at the mistake and say what to write, in Fortuna's own words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fortuna import Report
from tests.checks.base import BASE, check, line_of, only, planted

PYDANTIC_WORDING = re.compile(
    r"Input should|Value error|String should|List should|should match pattern|"
    r"validation error|\^\[|type=|For further information")


@pytest.mark.parametrize(("old", "new"), [
    ('service: "@mm"', "service: @mm"),
    ('price: "@reference"', "price: @reference"),
    ('kill_switches: ["@stale", "@inventory"]', 'kill_switches: [@stale, "@inventory"]'),
    ('args: {price: "@reference", max_age: 30s}', "args: {price: @reference, max_age: 30s}"),
])
def test_an_unquoted_reference_is_one_finding_saying_to_quote_it(
    tmp_path: Path, old: str, new: str
) -> None:
    text = planted(BASE, (old, new))
    finding = only(check(tmp_path, text))
    token = re.search(r"@\w+", new)
    assert token is not None
    assert finding.message == (f'a reference starting with @ must be quoted in YAML: write '
                               f'"{token.group()}" instead of {token.group()}')
    assert finding.position is not None
    assert finding.position.line == line_of(text, new)


@pytest.mark.parametrize(("old", "new"), [
    ("    args: {max_amount", "   args: {max_amount"),
    ("      exchange: \"@sim\"\n      symbol", "      exchange: \"@sim\"\n     symbol"),
    ("          min_amount: 0.001", "         min_amount: 0.001"),
])
def test_a_dedented_line_is_one_finding_saying_to_align_it(
    tmp_path: Path, old: str, new: str
) -> None:
    text = planted(BASE, (old, new))
    finding = only(check(tmp_path, text))
    assert "YAML nests by indentation; align the line with the keys it belongs with" in (
        finding.message)
    assert finding.position is not None
    assert finding.position.line == line_of(text, new.splitlines()[-1])


def test_a_colon_inside_an_unquoted_value_says_to_quote_it(tmp_path: Path) -> None:
    text = planted(BASE, ("mandate: checks", "mandate: checks: two"))
    assert only(check(tmp_path, text)).message.startswith(
        'a ": " inside an unquoted value: quote the whole value')


def test_an_unknown_arg_is_reported_even_when_its_value_is_a_bad_reference(
    tmp_path: Path,
) -> None:
    text = planted(BASE, ("      interval: 1s", '      interval: 1s\n      pricing: "@nowhere"'))
    messages = sorted(f.message for f in check(tmp_path, text).findings)
    assert len(messages) == 2
    assert messages[0] == '"@nowhere" is not a component or var'
    assert messages[1].startswith('unknown arg "pricing"; market_making takes interval,')


def test_a_bad_value_through_a_var_is_reported_at_the_var_with_its_uses(tmp_path: Path) -> None:
    text = planted(BASE, ("  symbol: BTC/USDT\ncomponents", "  symbol: BTC/USDT\n  age: -5s\n"
                          "components"),
                   ("max_age: 30s}", 'max_age: "@age"}'))
    finding = only(check(tmp_path, text))
    assert finding.path == "vars.age"
    assert finding.position is not None
    assert finding.position.line == line_of(text, "age: -5s")
    assert finding.message.startswith(
        "expected a duration such as 5, \"250ms\", \"5s\", \"1m\", \"2h\" or \"1d\", got '-5s' "
        '(in var "age", used by components.stale.args.max_age); max_age: trip when the price is '
        "older than this")


def test_a_var_used_twice_is_reported_once_naming_both_uses(tmp_path: Path) -> None:
    text = planted(BASE, ("  symbol: BTC/USDT\ncomponents", "  symbol: BTC/USDT\n  age: -5s\n"
                          "components"),
                   ("max_age: 30s}", 'max_age: "@age"}'),
                   ("interval: 1s", 'interval: "@age"'))
    finding = only(check(tmp_path, text))
    assert finding.path == "vars.age"
    assert '(in var "age", used by components.stale.args.max_age, components.mm.args.interval)' in (
        finding.message)


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("levels: 3,", "levels: 0,", "must be at least 1 (got 0); levels: quotes per side"),
    ("levels: 3,", "levels: many,", "levels: quotes per side"),
    ("spread: 0.001,", "spread: -0.001,", "must be at least 0 (got -0.001); spread: distance "
     "of the first level from the reference, as a fraction (0.001 = 10 bps on each side)"),
    ("side: mid}", "side: middle}", 'must be one of "mid", "bid", "ask" or "last"'),
    ("mandate: checks", "mandate: bad name!", "is not in the form this arg takes (got 'bad "
     "name!'); mandate:"),
    ("min_notional: 5", "min_notional: -5", "must be at least 0 (got -5); min_notional: "
     "smallest order value"),
    ("{max_amount: 0.05,", "{max_amount: [1],", "max_amount: largest order size"),
    ("kill_switches: [", "kill_switches: 3\n      unused: [", "kill_switches: "),
])
def test_a_bad_value_is_explained_in_fortunas_words_with_the_expected_form(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    report: Report = check(tmp_path, planted(BASE, (old, new)))
    assert report.findings
    assert any(expected in f.message for f in report.findings), [
        f.message for f in report.findings]
    for finding in report.findings:
        assert not PYDANTIC_WORDING.search(finding.message), finding.message


def test_a_forgotten_args_line_is_one_finding_saying_to_write_it(tmp_path: Path) -> None:
    text = planted(BASE, ("    args: {max_amount: 0.05, max_notional: 5000}",
                          "    max_amount: 0.05\n    max_notional: 5000"))
    finding = only(check(tmp_path, text))
    assert finding.path == "components.risk.max_amount"
    assert finding.position is not None
    assert finding.position.line == line_of(text, "    max_amount: 0.05")
    assert finding.message == (
        '"max_amount", "max_notional" are args of market_making.risk, not keys of the '
        'component: move them under "args:" (the component has no args: line; write one), '
        "indented one level more")


def test_an_arg_beside_args_is_one_finding_and_no_missing_arg_cascade(tmp_path: Path) -> None:
    text = planted(BASE, ('    args: {price: "@reference", max_age: 30s}',
                          '    args: {price: "@reference"}\n    max_age: 30s'))
    finding = only(check(tmp_path, text))
    assert finding.path == "components.stale.max_age"
    assert finding.message == (
        '"max_age" is an arg of kill_switches.stale_data, not a key of the component: move it '
        'under "args:", indented one level more')


def test_a_key_that_is_no_arg_is_still_an_unknown_key(tmp_path: Path) -> None:
    text = planted(BASE, ("    id: kill_switches.stale_data", "    id: kill_switches.stale_data\n"
                          "    colour: red"))
    assert only(check(tmp_path, text)).message == (
        'unknown key "colour"; a component has id and args')
