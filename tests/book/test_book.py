"""`fortuna validate DIR`: the mandates of a book checked against each other.

A generated book of 30 market-making mandates (tests/book/support.py) shares nothing and
validates clean; each test plants one conflict and finds it located in every mandate
involved, at the arg to change (at the var when the value came through one).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from fortuna._internal.cli import main
from tests.book.support import at, spec, write_book
from tests.conftest import REPO, FortunaRunner

BOOK = 30


def validate_json(capsys: pytest.CaptureFixture[str], *targets: Path | str) -> tuple[int, Any]:
    code = main(["validate", "--format", "json", *map(str, targets)])
    return code, json.loads(capsys.readouterr().out)


def located(findings: list[dict[str, Any]], words: str) -> set[str]:
    """``FILE:LINE:COL`` of the findings whose message holds ``words``."""
    return {f"{f['file']}:{f['line']}:{f['column']}" for f in findings if words in f["message"]}


def test_a_book_of_thirty_mandates_that_share_nothing_validates_in_one_call(
    fortuna_cli: FortunaRunner, tmp_path: Path
) -> None:
    write_book(tmp_path / "book", BOOK)
    result = fortuna_cli("validate", str(tmp_path / "book"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"{BOOK} files valid\n")


def test_two_mandates_quoting_one_market_of_one_account_conflict_at_both_symbols(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_book(tmp_path, BOOK, replace(spec(7), venue=spec(2).venue,
                                               symbol=spec(2).symbol, key=spec(2).key))
    code, out = validate_json(capsys, tmp_path)
    assert code == 1
    assert located(out["findings"], "quoting on one market of one account") == {
        at(paths[2], "C2/USDT"), at(paths[7], "C2/USDT")}
    message = next(f["message"] for f in out["findings"] if f["file"] == str(paths[2]))
    assert message.startswith(f"C2/USDT on the {spec(2).venue} account of !env KEY_2 is also "
                              f"held by {at(paths[7], 'C2/USDT')}")


def test_one_market_on_two_accounts_of_one_venue_is_no_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_book(tmp_path, BOOK, replace(spec(7), venue=spec(2).venue, symbol=spec(2).symbol))
    code, out = validate_json(capsys, tmp_path)
    assert (code, out["findings"]) == (0, [])


def test_two_env_variables_holding_one_key_are_one_account(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEY_2", "the-same-key-value")
    monkeypatch.setenv("KEY_7", "the-same-key-value")
    paths = write_book(tmp_path, BOOK, replace(spec(7), venue=spec(2).venue,
                                               symbol=spec(2).symbol))
    code, out = validate_json(capsys, tmp_path)
    assert code == 1
    assert located(out["findings"], "one market of one account") == {
        at(paths[2], "C2/USDT"), at(paths[7], "C2/USDT")}
    assert "the-same-key-value" not in json.dumps(out)


def test_a_key_written_in_two_files_is_one_account_and_never_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = "literal-api-key-0123456789"
    paths = write_book(tmp_path, BOOK, replace(spec(2), key=key),
                       replace(spec(7), venue=spec(2).venue, symbol=spec(2).symbol, key=key))
    code = main(["validate", str(tmp_path)])
    out = capsys.readouterr()
    assert code == 1
    assert f"{at(paths[7], 'C2/USDT')}: vars.symbol: C2/USDT on the " \
           f"{spec(2).venue} account of the api_key written in the file is also held by" \
           in out.out
    assert key not in out.out + out.err


def test_one_mandate_name_in_two_files_conflicts_at_each_var(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_book(tmp_path, BOOK, replace(spec(9), name="mm_4"))
    code, out = validate_json(capsys, tmp_path)
    assert code == 1
    assert located(out["findings"], 'mandate name "mm_4" is also held by') == {
        at(paths[4], "mm_4"), at(paths[9], "mm_4")}
    assert {f["path"] for f in out["findings"]} == {"vars.mandate"}


def test_one_name_on_one_account_also_collides_client_order_id_prefixes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_book(tmp_path, BOOK, replace(spec(9), name="mm_4", venue=spec(4).venue,
                                               key=spec(4).key))
    code, out = validate_json(capsys, tmp_path)
    assert code == 1
    assert located(out["findings"], 'client order ids "mm_4..."') == {
        at(paths[4], "mm_4"), at(paths[9], "mm_4")}


def test_generated_ids_that_a_mandates_prefix_would_own_collide_with_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # okx takes letters and digits only: a mandate's ids are mm5Z<run>Z<n>, and the ids
    # made for orders placed without one start with the prefix: mm5Z1Z0f3a... is mm5's
    paths = write_book(tmp_path, BOOK,
                       replace(spec(5), name="mm5", venue="okx", key="!env OKX_KEY"),
                       replace(spec(6), venue="okx", key="!env OKX_KEY", prefix="mm5Z1Z"))
    code, out = validate_json(capsys, tmp_path)
    assert code == 1
    assert located(out["findings"], 'client order ids "mm5..."') == {
        at(paths[5], "mm5"), at(paths[6], "mm5Z1Z")}
    paths_of = {f["file"]: f["path"] for f in out["findings"] if "mm5..." in f["message"]}
    assert paths_of[str(paths[6])] == "components.venue.args.client_order_id_prefix"


def test_generated_ids_with_the_default_separator_never_collide(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_book(tmp_path, BOOK, replace(spec(5), name="mm5", venue="binance", key="!env K"),
               replace(spec(6), venue="binance", key="!env K", prefix="mm5-1-"))
    code, out = validate_json(capsys, tmp_path)
    assert (code, out["findings"]) == (0, [])


def test_mandates_sharing_a_key_over_its_rate_limit_conflict_with_each_share(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # binance: rateLimit 50 ms, 20 requests/s; a quiet tick reads open orders, balances and
    # the ticker: 3 requests, every 100 ms: 30 requests/s each
    paths = write_book(tmp_path, BOOK, *(
        replace(spec(n), venue="binance", key="!env SHARED_KEY", interval="100ms")
        for n in (12, 13)))
    code, out = validate_json(capsys, tmp_path)
    assert code == 1
    assert located(out["findings"], "request rate of one API key") == {
        at(paths[12], "!env SHARED_KEY"), at(paths[13], "!env SHARED_KEY")}
    message = next(f["message"] for f in out["findings"] if f["file"] == str(paths[12]))
    assert "the 2 mandates sharing it use 60 requests/s together, over its limit of " \
           f"20 requests/s (this one 30; {at(paths[13], '!env SHARED_KEY')} (30))" in message


def test_mandates_sharing_a_key_within_its_rate_limit_are_no_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_book(tmp_path, BOOK, *(replace(spec(n), venue="binance", key="!env SHARED_KEY")
                                 for n in (12, 13)))
    code, out = validate_json(capsys, tmp_path)
    assert (code, out["findings"]) == (0, [])


def test_one_mandate_over_its_keys_rate_limit_alone_is_not_the_books_business(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_book(tmp_path, BOOK, replace(spec(12), venue="binance", interval="10ms"))
    code, out = validate_json(capsys, tmp_path)
    assert (code, out["findings"]) == (0, [])


def test_conflicts_print_after_each_files_own_findings_and_fail_with_exit_one(
    fortuna_cli: FortunaRunner, tmp_path: Path
) -> None:
    paths = write_book(tmp_path, 3, replace(spec(2), name="mm_0"))
    result = fortuna_cli("validate", str(tmp_path))
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith(f"{at(paths[0], 'mm_0')}: vars.mandate: "
                                                    'mandate name "mm_0" is also held by')
    assert result.stderr.endswith("2 errors in 3 files\n")


def test_a_file_named_twice_is_one_mandate_not_a_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_book(tmp_path, 2)
    code, out = validate_json(capsys, tmp_path, paths[0])
    assert (code, out["files"], out["findings"]) == (0, 2, [])


def test_every_config_of_the_repository_together_is_a_clean_book(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = validate_json(capsys, REPO / "configs")
    assert [f for f in out["findings"] if f["severity"] == "error"] == []
    assert code == 0


TWAP = """\
service: "@twap"
components:
  venue:
    id: exchanges.ccxt.{venue}
    args: {{api_key: !env {key}, secret: !env TWAP_SECRET}}
  twap:
    id: execution.twap
    args:
      exchange: "@venue"
      symbol: {symbol}
      side: buy
      amount: 5
      window: 1h
      slices: 60
      interval: 5s
      mandate: twap_buy
"""


def test_an_execution_algorithm_on_a_market_maker_s_market_and_account_conflicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_book(tmp_path, BOOK)
    twap = tmp_path / "twap.yaml"
    twap.write_text(TWAP.format(venue=spec(3).venue, key="KEY_3", symbol=spec(3).symbol))
    code, out = validate_json(capsys, tmp_path)
    assert code == 1
    assert located(out["findings"], "quoting on one market of one account") == {
        at(paths[3], "C3/USDT"), at(twap, "C3/USDT")}


def test_an_execution_algorithm_on_another_account_is_no_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_book(tmp_path, BOOK)
    twap = tmp_path / "twap.yaml"
    twap.write_text(TWAP.format(venue=spec(3).venue, key="TWAP_KEY", symbol=spec(3).symbol))
    code, out = validate_json(capsys, tmp_path)
    assert (code, out["findings"]) == (0, [])


XEMM = """\
service: "@xemm"
components:
  maker:
    id: exchanges.ccxt.{venue}
    args: {{api_key: !env {key}}}
  taker:
    id: exchanges.ccxt.kraken
    args: {{api_key: !env XEMM_TAKER_KEY}}
  xemm:
    id: market_making.xemm
    args:
      maker: "@maker"
      taker: "@taker"
      symbol: {symbol}
      amount: 0.01
      min_profitability: 0.0025
      mandate: xemm_buy
      interval: 1s
"""


def test_hedged_quoting_on_a_market_makers_market_and_account_conflicts_at_its_maker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_book(tmp_path, BOOK)
    xemm = tmp_path / "xemm.yaml"
    xemm.write_text(XEMM.format(venue=spec(8).venue, key="KEY_8", symbol=spec(8).symbol))
    code, out = validate_json(capsys, tmp_path)
    assert code == 1
    assert located(out["findings"], "quoting on one market of one account") == {
        at(paths[8], "C8/USDT"), at(xemm, "C8/USDT")}
    assert not located(out["findings"], "client-order-id prefix")
