"""No input crashes or stalls the loader or validation: a finding or a result, always.

The regression corpus (``corpus/*.yaml``) holds the inputs found from outside and by the
fuzzer; the generators of ``hostile.py`` make the ones whose point is their size.
"""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic_core import PydanticCustomError

from fortuna import Mandate, validate
from fortuna._internal.cli import main
from fortuna._internal.findings import MAX_MESSAGE
from fortuna._internal.loader import Limits, LoadFailed, load_text
from fortuna._internal.types import parse_duration, to_exact_decimal
from tests.core import hostile

CORPUS = sorted((Path(__file__).parent / "corpus").glob("*.yaml"))


def cli(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_file_gets_located_findings_never_an_internal_error(path: Path) -> None:
    code, output = cli("validate", str(path))
    assert code == 1, output
    assert "internal error" not in output
    assert all(len(line) < 2 * MAX_MESSAGE for line in output.splitlines())
    assert output.startswith(f"{path}:")


def test_hex_and_octal_prefixes_without_digits_are_text() -> None:
    assert load_text("a: [0x_, 0o_, 0x, 0o]", env={}).data == {"a": ["0x_", "0o_", "0x", "0o"]}


def test_non_specific_tag_makes_a_plain_scalar_a_string() -> None:
    assert load_text("a: ! x\nb: ! 12", env={}).data == {"a": "x", "b": "12"}


def test_integer_of_more_than_100_digits_is_refused_by_the_loader() -> None:
    with pytest.raises(LoadFailed, match="an integer of 5000 digits is too large"):
        load_text("a: " + "7" * 5000, env={})


def test_integer_beyond_python_conversion_limit_is_rendered_in_a_finding() -> None:
    mandate = Mandate("@bot", {"venue": {"id": "test.venue"},
                               "bot": {"id": "test.bot", "args": {"amount": 10**5000}}})
    findings = [str(f) for f in validate(mandate, registry=hostile.REGISTRY).findings]
    assert any("an integer of about 5001 digits" in f for f in findings), findings


def test_duration_of_1e400_is_refused_as_out_of_range() -> None:
    for value in (10**400, Decimal("1e400"), "1" + "0" * 400 + "s", float("inf")):
        with pytest.raises(PydanticCustomError, match="at most 1000000000"):
            parse_duration(value)


def test_long_decimal_text_is_refused_before_it_is_parsed() -> None:
    with pytest.raises(PydanticCustomError, match="a text of 100000 characters"):
        to_exact_decimal("1" * 100_000)


def test_thousand_chained_vars_resolve_without_recursion() -> None:
    report = validate(hostile.parse(hostile.chained_vars(5_000)), registry=hostile.REGISTRY)
    assert report.findings == []
    assert report.plan is not None
    assert report.plan.components["bot"].raw_args["amount"] == 1


def test_a_long_var_cycle_is_reported_once() -> None:
    text = hostile.chained_vars(3_000).replace("  v0: 1", '  v0: "@v2999"')
    findings = hostile.outcome(text, hostile.REGISTRY)
    assert len([f for f in findings if "reference cycle" in f]) == 1


def test_each_misspelt_reference_gets_a_suggestion_among_ten_thousand_names() -> None:
    findings = hostile.outcome(hostile.misspelt_references(5_000), hostile.REGISTRY)
    assert findings[0].endswith('"@venu_0" is not a component or var (did you mean "@venue_0"?)')
    suggested = sum(f.endswith(f'(did you mean "@venue_{i}"?)') for i, f in enumerate(findings))
    assert (len(findings), suggested) == (5_000, 5_000)


def test_one_bad_value_aliased_a_hundred_thousand_times_is_folded_with_a_count() -> None:
    findings = hostile.outcome(hostile.aliased_bad_value(49_000), hostile.REGISTRY)
    assert len(findings) == 11
    assert "48991 more like this (from here on)" in findings[-1]


def test_megabyte_scalar_aliased_ten_thousand_times_is_refused_while_parsing() -> None:
    findings = hostile.outcome(hostile.aliased_long_scalar(1_000_000, 10_000), hostile.REGISTRY)
    assert len(findings) == 1
    assert "aliases expand past 16777216 characters" in findings[0]


def test_long_values_are_cut_in_messages() -> None:
    text = hostile.aliased_long_scalar(100_000, 3)
    findings = hostile.outcome(text, hostile.REGISTRY)
    assert findings
    assert all(len(f) < MAX_MESSAGE + 100 for f in findings)
    assert any("characters" in f for f in findings)


def test_alias_character_budget_is_a_limit_like_the_others() -> None:
    with pytest.raises(LoadFailed, match="aliases expand past 100 characters"):
        load_text("a: &a " + "x" * 60 + "\nb: [*a, *a]", env={},
                  limits=Limits(max_alias_characters=100))
