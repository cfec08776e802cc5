"""Venues that list derivatives only: tagged in the pinned id list, flagged in the catalog,
and a spot symbol on one of them is a finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from fortuna import validate
from fortuna._internal.cli import main
from plugins.exchanges.ccxt.family import (
    derivatives_only,
    installed_tags,
    pinned_exchange_ids,
)

MANDATE = """\
service: "@mm"
components:
  venue: {{id: exchanges.ccxt.{venue}}}
  price: {{id: prices.ticker, args: {{exchange: "@venue", symbol: "{symbol}"}}}}
  strategy: {{id: market_making.strategies.ladder, args: {{amount: 0.01, spread: 0.001}}}}
  executor: {{id: market_making.executors.exchange}}
  mm:
    id: market_making
    args: {{exchange: "@venue", symbol: "{symbol}", price: "@price", strategy: "@strategy",
           executor: "@executor", mandate: m, interval: 1s}}
"""


def check(tmp_path: Path, venue: str, symbol: str) -> list[str]:
    path = tmp_path / "mandate.yaml"
    path.write_text(MANDATE.format(venue=venue, symbol=symbol), encoding="utf-8")
    return [f"{f.path}: {f.message}" for f in validate(path).findings]


def test_the_pinned_tags_are_those_of_the_installed_ccxt() -> None:
    differ = [member for member in pinned_exchange_ids()
              if derivatives_only(member) != bool(installed_tags(member))]
    assert differ == [], (
        "regenerate plugins/exchanges/ccxt/ids.txt with `.venv/bin/python -m "
        "plugins.exchanges.ccxt.family > plugins/exchanges/ccxt/ids.txt`")


def test_usd_margined_binance_futures_are_tagged_derivatives_only() -> None:
    assert derivatives_only("binanceusdm")
    assert not derivatives_only("binance")


def test_the_catalog_flags_a_derivatives_only_venue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "exchanges.ccxt"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line}
    assert "(derivatives only, no spot market; generic:" in lines["exchanges.ccxt.krakenfutures"]
    assert "derivatives only" not in lines["exchanges.ccxt.kraken"]
    assert "derivatives only" not in lines["exchanges.ccxt.alpaca"]


def test_a_spot_symbol_on_a_derivatives_only_venue_is_an_error_where_it_is_used(
    tmp_path: Path,
) -> None:
    found = check(tmp_path, "binanceusdm", "BTC/USDT")
    assert found == [
        f'{path}: "venue" (exchanges.ccxt.binanceusdm) lists derivatives only, no spot '
        "market, so BTC/USDT is not one of its markets: a perpetual settled in USDT is "
        "written BTC/USDT:USDT"
        for path in ("components.price.args.symbol", "components.mm.args.symbol")
    ]


def test_a_perpetual_symbol_on_a_derivatives_only_venue_is_clean(tmp_path: Path) -> None:
    assert check(tmp_path, "binanceusdm", "BTC/USDT:USDT") == []


def test_a_spot_symbol_on_a_spot_venue_is_clean(tmp_path: Path) -> None:
    assert check(tmp_path, "binance", "BTC/USDT") == []
