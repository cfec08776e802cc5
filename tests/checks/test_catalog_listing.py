"""``fortuna catalog``: a family is one entry; listed inside, tuned members are marked."""

from __future__ import annotations

import pytest

from fortuna._internal.cli import main


def test_the_ccxt_family_is_one_entry_in_the_whole_catalog(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["catalog"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if "ccxt" in line]
    assert len(rows) == 1
    assert rows[0].startswith("exchanges.ccxt.<id>")
    assert "`fortuna catalog exchanges.ccxt` lists them, tuned ones marked" in rows[0]


def test_inside_the_family_each_venue_says_whether_it_is_tuned(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["catalog", "exchanges.ccxt"]) == 0
    rows = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines())
    assert rows["exchanges.ccxt.okx"].startswith("OKX through ccxt (tuned:")
    generic = [cid for cid, text in rows.items() if "(generic:" in text]
    assert generic
    assert all("(tuned:" not in rows[cid] for cid in generic)


def test_one_component_shows_nested_fields_constraints_and_plain_defaults(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["catalog", "exchanges.sim"]) == 0
    out = capsys.readouterr().out
    assert "    venue: str  (default: \"sim\"; length >= 1)" in out
    assert "    step: duration  (default: 1s; > 0)" in out
    assert "    price_offset: decimal  (default: 0; >= -1, <= 1)" in out
    assert "    balances: dict[str, decimal]  (default: {})" in out
    assert "        each SimMarketSpec has:" in out
    assert "          min_amount: decimal  (default: 0; >= 0)" in out
    assert "Decimal(" not in out


def test_durations_are_shown_as_a_mandate_writes_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["catalog", "market_making.risk"]) == 0
    assert "rate_window: duration  (default: 1m; > 0)" in capsys.readouterr().out
