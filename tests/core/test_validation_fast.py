"""The fast path of ``fortuna validate`` and the full path never disagree.

The fast path (``fortuna._internal.validation_fast``) proves a mandate valid from the
committed catalog index, or declines and lets the full path word the findings. These
tests check the one property that matters, that it never proves valid what the full path
refuses, on every config, on every mandate the suite's validation tests validate (run
under ``tests.core.differential``) and on fuzzed mandates (``test_acceptance_schemas.py``
fuzzes each component's args against its model); and that every reason to decline (no
entry, a stale entry, an entry the index cannot translate) sends the mandate to the full
path, whose findings it then reports.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from fortuna import Registry, validate
from fortuna._internal.loader import Document, load_file, load_text
from fortuna._internal.plan import MissingEnv
from fortuna._internal.validation_fast import Index, fast_report, validate_file
from tests.conftest import REPO, FortunaRunner
from tests.core import catalog_fixture
from tests.core.differential import INDEX, OUT

CONFIGS = sorted((REPO / "configs").rglob("*.yaml"))
CASE_STUDY = REPO / "configs" / "arbitrage" / "case_study.yaml"


def findings(report: Any) -> list[str]:
    return [str(finding) for finding in report.findings]


# --- the fast path is taken, and light -----------------------------------------------


def test_the_case_study_is_proved_valid_by_the_fast_path(index: Index) -> None:
    report = fast_report(load_file(str(CASE_STUDY), env={}), index)
    assert report is not None
    assert report.findings == []


def test_validating_the_case_study_imports_no_plugin_no_model_machinery_no_asyncio(
    index_file: Path
) -> None:
    probe = (
        "import sys, json\n"
        "from fortuna._internal.validation_fast import Index, installed_entry_points, "
        "validate_file\n"
        f"index = Index(installed_entry_points(), [json.load(open({str(index_file)!r}))])\n"
        f"report = validate_file({str(CASE_STUDY)!r}, index=index)\n"
        "print(json.dumps([report.plan is None and report.ok, sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('plugins', 'schemas', 'asyncio') or m in ('pydantic.main', "
        "'importlib.metadata'))]))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == [True, []]


# --- both paths agree ------------------------------------------------------------------


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_config_gets_the_full_paths_findings_from_fortuna_validate(
    path: Path, index: Index
) -> None:
    full = validate(path)
    quick = validate_file(str(path), index=index)
    assert findings(quick) == findings(full)
    assert quick.unset_env == full.unset_env


def test_the_suites_validations_agree_on_both_paths(tmp_path: Path, index_file: Path) -> None:
    """Every mandate the validation, hostile-input, fuzzing and schema-agreement tests
    validate, good or bad, goes through both paths (``tests.core.differential``)."""
    out = tmp_path / "tally.json"
    modules = ["tests/core/test_validation.py", "tests/core/test_hostile_input.py",
               "tests/core/test_fuzz.py", "tests/core/test_schema_agrees.py"]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "-p", "tests.core.differential", *modules],
        capture_output=True, text=True, cwd=REPO, timeout=900,
        env={**os.environ, OUT: str(out), INDEX: str(index_file)})
    assert result.returncode == 0, result.stdout[-3000:]
    tally = json.loads(out.read_text(encoding="utf-8"))
    assert tally["disagreements"] == []
    assert tally["compared"] >= 500
    # the fast path was exercised: it proved good mandates and itself refused bad ones
    assert tally["proved"] >= 10
    assert tally["refused"] >= 100


FIXTURE_VALUES: list[Any] = [
    None, 0, 1, -1, Decimal("0.002"), Decimal("-0.5"), Decimal("1E+101"), "BTC/USDT", "",
    "@@lit", True, [], {}, [Decimal("0.1"), "x"], MissingEnv("FORTUNA_UNSET"), "5s",
]


@st.composite
def fixture_mandates(draw: st.DrawFn) -> dict[str, Any]:
    """Mandates over the core tests' small catalog: a valid one, then up to four changes
    a careless author makes (a bad value, a reference to the wrong thing or to nothing, an
    id, a dropped or an unknown arg, an extra component, a var chain or cycle, the
    service)."""
    mandate: dict[str, Any] = {
        "service": "@bot",
        "vars": {"size": Decimal("0.5"), "alias": "@size"},
        "components": {
            "venue": {"id": "test.venue", "args": {"fee": Decimal("0.001")}},
            "price": {"id": "test.price", "args": {"venue": "@venue", "symbol": "BTC/USDT"}},
            "bot": {"id": "test.bot", "args": {"venue": "@venue", "pricing": "@price",
                                               "amount": "@alias", "levels": [1, "@size"]}},
        },
    }
    names = ["venue", "price", "bot", "size", "alias", "spare", "nowhere"]
    value = st.one_of(st.sampled_from(FIXTURE_VALUES), st.sampled_from(names).map("@{}".format))
    components = mandate["components"]
    for _ in range(draw(st.integers(0, 4))):
        change = draw(st.sampled_from(["value", "id", "drop", "unknown", "spare", "var",
                                       "service", "extra"]))
        name = draw(st.sampled_from(sorted(components)))
        args = components[name]["args"]
        if change == "value" and args:
            args[draw(st.sampled_from(sorted(args)))] = draw(value)
        elif change == "id":
            components[name]["id"] = draw(st.sampled_from(
                ["test.venue", "test.price", "test.bot", "test.nope"]))
        elif change == "drop" and args:
            del args[draw(st.sampled_from(sorted(args)))]
        elif change == "unknown":
            args[draw(st.sampled_from(["colour", "symbol", "fee"]))] = draw(value)
        elif change == "spare":
            components["spare"] = {"id": draw(st.sampled_from(["test.venue", "test.price"])),
                                   "args": {"venue": "@venue", "symbol": "ETH/USDT"}}
        elif change == "var":
            mandate["vars"][draw(st.sampled_from(["size", "alias"]))] = draw(value)
        elif change == "service":
            mandate["service"] = draw(value)
        elif change == "extra" and "spare" in components:
            components["bot"]["args"]["extra"] = ["@spare"]
    return mandate


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(mandate=fixture_mandates())
def test_fuzzed_mandates_get_the_same_outcome_on_both_paths(mandate: dict[str, Any]) -> None:
    registry = _fixture_registry()
    document = Document("fuzzed.yaml", mandate)
    quick = fast_report(document, _fixture_index())
    full = validate(document, registry=registry)
    if quick is not None:
        assert findings(full) == []
        assert quick.unset_env == full.unset_env


def test_the_fuzzed_mandates_include_ones_the_fast_path_proves_valid() -> None:
    """The fuzzing above is no vacuous pass: its mandates are not all declined."""
    proved = find(fixture_mandates(), lambda mandate: fast_report(
        Document("fuzzed.yaml", mandate), _fixture_index()) is not None,
        settings=settings(max_examples=500, database=None))
    assert validate(proved, registry=_fixture_registry()).findings == []


@functools.cache
def _fixture_registry() -> Registry:
    return catalog_fixture.registry()


@functools.cache
def _fixture_index() -> Index:
    return Index.of_registry(_fixture_registry())


# --- every reason to decline sends the file to the full path ---------------------------


def _altered(index: Index, change: Any) -> Index:
    indexes = copy.deepcopy(index.indexes)
    change(indexes[0])
    return Index(index.installed, indexes)


def test_an_id_without_an_index_entry_is_validated_by_the_full_path(tmp_path: Path,
                                                                    index: Index) -> None:
    empty = Index(index.installed, [])
    assert empty.entry("arbitrage") is None
    assert fast_report(load_file(str(CASE_STUDY), env={}), empty) is None
    bad = tmp_path / "bad.yaml"
    bad.write_text(CASE_STUDY.read_text().replace('"BTC/USDC"', '"BTCUSDC"'))
    assert findings(validate_file(str(bad), index=empty)) == findings(validate(bad))
    assert findings(validate(bad))  # the full path did find the bad symbol


def test_a_third_party_plugin_without_an_index_still_validates(
    fortuna_cli: FortunaRunner, tmp_path: Path
) -> None:
    mandate = tmp_path / "extra.yaml"
    mandate.write_text('service: "@greeter"\ncomponents:\n'
                       "  words: {id: extra.words, args: {words: [hello]}}\n"
                       '  greeter: {id: extra.greeter, args: {source: "@words", volume: 2}}\n')
    assert fortuna_cli("validate", str(mandate)).stdout == "valid\n"
    mandate.write_text(mandate.read_text().replace("volume: 2", "volume: loud"))
    result = fortuna_cli("validate", str(mandate))
    assert result.returncode == 1
    assert "components.greeter.args.volume" in result.stdout


def test_an_edited_source_file_makes_its_entries_stale(index: Index) -> None:
    def edit(raw: dict[str, Any]) -> None:
        for item in raw["files"]:
            if item[0] == "plugins/arbitrage/service.py":
                item[1] = "0" * 24

    stale = _altered(index, edit)
    assert stale.entry("arbitrage") is None
    assert stale.entry("arbitrage.converters.simple") is not None
    assert fast_report(load_file(str(CASE_STUDY), env={}), stale) is None


def test_an_id_mapped_elsewhere_or_twice_is_not_taken_from_the_index(index: Index) -> None:
    elsewhere = Index({**index.installed, "arbitrage": {"other.module:Arbitrage"}},
                      index.indexes)
    assert elsewhere.entry("arbitrage") is None
    twice = Index({**index.installed,
                   "arbitrage": {*index.installed["arbitrage"], "other.module:Arbitrage"}},
                  index.indexes)
    assert twice.entry("arbitrage") is None


def test_a_family_member_also_registered_on_its_own_is_not_taken_from_the_index(
    index: Index
) -> None:
    shadowed = Index({**index.installed, "exchanges.ccxt.binance": {"other:Binance"}},
                     index.indexes)
    assert index.entry("exchanges.ccxt.binance") is not None
    assert shadowed.entry("exchanges.ccxt.binance") is None


def test_another_pydantic_version_disables_the_index(index: Index) -> None:
    def older(raw: dict[str, Any]) -> None:
        raw["environment"]["pydantic_core"] = "0.0.1"

    assert _altered(index, older).entry("arbitrage") is None


def test_an_args_model_with_its_own_validator_is_indexed_without_args(index: Index) -> None:
    raw = index.indexes[0]
    entry = raw["entries"][raw["components"]["kill_switches.inventory"]]
    assert entry["args"] is None
    assert "InventoryArgs" in entry["full_path_because"]
    assert index.entry("kill_switches.inventory") is None


def test_a_component_declaring_semantic_checks_is_left_to_the_full_path(index: Index
                                                                        ) -> None:
    raw = index.indexes[0]
    assert raw["entries"][raw["components"]["market_making"]]["checks"]
    assert index.entry("market_making") is None


def test_a_warning_sends_the_mandate_to_the_full_path_which_reports_it(tmp_path: Path,
                                                                      index: Index) -> None:
    unused = tmp_path / "unused.yaml"
    unused.write_text(CASE_STUDY.read_text() + "  spare:\n    id: exchanges.ccxt.kraken\n")
    report = validate_file(str(unused), index=index)
    assert fast_report(load_file(str(unused), env={}), index) is None
    assert [f.message for f in report.warnings] == [
        '"spare" (exchanges.ccxt.kraken) is referenced by nothing, so it does nothing: use it '
        'as "@spare" in an arg, or remove it']


def test_an_unset_env_variable_is_tolerated_as_the_full_path_tolerates_it(
    index: Index
) -> None:
    text = CASE_STUDY.read_text().replace(
        "    id: exchanges.ccxt.binance\n",
        "    id: exchanges.ccxt.binance\n    args: {api_key: !env FORTUNA_TEST_UNSET_KEY}\n")
    document = load_text(text, "m.yaml", env={})
    quick = fast_report(document, index)
    assert quick is not None
    assert quick.unset_env == validate(document).unset_env == ("FORTUNA_TEST_UNSET_KEY",)


def test_validate_for_a_run_always_takes_the_full_path(tmp_path: Path, index: Index) -> None:
    mandate = tmp_path / "m.yaml"
    mandate.write_text(CASE_STUDY.read_text().replace(
        "    id: exchanges.ccxt.binance\n",
        "    id: exchanges.ccxt.binance\n    args: {api_key: !env FORTUNA_TEST_UNSET_KEY}\n"))
    report = validate_file(str(mandate), for_run=True, index=index, env={})
    assert [f.message for f in report.errors] == [
        "environment variable FORTUNA_TEST_UNSET_KEY is not set"]
    assert report.plan is not None or report.errors


# --- the index itself ---------------------------------------------------------------------


def test_index_check_passes_on_a_fresh_file_and_fails_on_a_stale_one(
    fortuna_cli: FortunaRunner, tmp_path: Path
) -> None:
    target = tmp_path / "index.json"
    assert fortuna_cli("index", "plugins", "-o", str(target), timeout=120).returncode == 0
    assert fortuna_cli("index", "plugins", "-o", str(target), "--check",
                       timeout=120).returncode == 0
    target.write_text(target.read_text().replace('"clock": false', '"clock": true', 1))
    result = fortuna_cli("index", "plugins", "-o", str(target), "--check", timeout=120)
    assert result.returncode == 1
    assert "is stale; regenerate it with `fortuna index plugins -o" in result.stderr


def test_index_of_an_unknown_package_is_a_usage_error(fortuna_cli: FortunaRunner) -> None:
    result = fortuna_cli("index", "no_such_package")
    assert (result.returncode, result.stderr) == (
        2, "fortuna: no installed package 'no_such_package'\n")
