"""A mandate whose quiet ticks read a ccxt venue faster than ccxt paces it (its
``rateLimit``) is a finding at the interval of the component that reads most."""

from __future__ import annotations

from pathlib import Path

from fortuna import validate

MANDATE = """\
service: "@mm"
components:
  venue: {{id: exchanges.ccxt.{venue}}}
  price: {{id: prices.ticker, args: {{exchange: "@venue", symbol: BTC/USDT}}}}
  strategy: {{id: market_making.strategies.ladder, args: {{amount: 0.01, spread: 0.001}}}}
  executor: {{id: market_making.executors.exchange}}
  mm:
    id: market_making
    args: {{exchange: "@venue", symbol: BTC/USDT, price: "@price", strategy: "@strategy",
           executor: "@executor", mandate: m, interval: {interval}}}
"""


def findings(tmp_path: Path, venue: str, interval: str) -> list[str]:
    path = tmp_path / "mandate.yaml"
    path.write_text(MANDATE.format(venue=venue, interval=interval), encoding="utf-8")
    return [f"{f.path}: {f.message}" for f in validate(path).findings]


def test_ticks_reading_kraken_faster_than_its_pace_are_an_error_at_the_interval(
    tmp_path: Path,
) -> None:
    # kraken: rateLimit 1000 ms, one request a second; a tick reads open orders, balances
    # and the ticker: three requests every 2 s
    (found,) = findings(tmp_path, "kraken", "2s")
    assert found.startswith(
        'components.mm.args.interval: "mm" reads "venue" 3 times a tick, every 2 s: with the '
        "mandate's other readers that is about 1.5 requests/s, more than the 1/s ccxt paces "
        "exchanges.ccxt.kraken at (rateLimit 1000 ms)")
    assert "make its interval at least 3 s" in found


def test_the_same_ticks_within_kraken_pace_are_clean(tmp_path: Path) -> None:
    assert findings(tmp_path, "kraken", "3s") == []


def test_binance_paces_requests_faster_so_a_one_second_tick_is_clean(tmp_path: Path) -> None:
    assert findings(tmp_path, "binance", "1s") == []


def test_every_reader_of_the_venue_counts(tmp_path: Path) -> None:
    path = tmp_path / "mandate.yaml"
    text = MANDATE.format(venue="kraken", interval="4s") + (
        "  trades:\n    id: listeners.trades\n"
        "    args: {exchange: \"@venue\", symbol: BTC/USDT, interval: 2s}\n")
    path.write_text(text, encoding="utf-8")
    (found,) = [f"{f.path}: {f.message}" for f in validate(path).findings]
    assert "about 1.25 requests/s" in found  # 3 reads every 4 s and 1 every 2 s
    assert found.startswith('components.mm.args.interval: "mm" reads "venue" 3 times')
    assert "make its interval at least 6 s" in found


def test_a_venue_that_streams_its_data_is_not_held_to_its_rest_pace(tmp_path: Path) -> None:
    path = tmp_path / "mandate.yaml"
    text = MANDATE.format(venue="kraken", interval="2s").replace(
        "venue: {id: exchanges.ccxt.kraken}",
        "venue: {id: exchanges.ccxt.kraken, args: {stream: {ticker: true, orders: true}}}")
    path.write_text(text, encoding="utf-8")
    assert [str(f) for f in validate(path).findings] == []
