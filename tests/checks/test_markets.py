"""Markets: kill switches and prices on another market or venue; symbols the sim lacks."""

from __future__ import annotations

from pathlib import Path

from tests.checks.base import BASE, check, line_of, only, planted

ETH_MARKET = ("min_notional: 5\n", "min_notional: 5\n        - {symbol: ETH/USDT, price: 3000}\n")
SECOND_SIM = """\
  other:
    id: exchanges.sim
    args:
      venue: other
      markets: [{symbol: BTC/USDT, price: 65000}]
"""


def test_a_kill_switch_on_another_symbol_is_an_error_at_its_symbol(tmp_path: Path) -> None:
    text = planted(
        BASE,
        ETH_MARKET,
        ('symbol: "@symbol", base_min: 0.5}', "symbol: ETH/USDT, base_min: 0.5}"),
    )
    finding = only(check(tmp_path, text))
    assert finding.path == "components.inventory.args.symbol"
    assert finding.position is not None
    assert finding.position.line == line_of(text, "symbol: ETH/USDT, base_min")
    assert finding.message == (
        'the kill switch "inventory" watches ETH/USDT, but "mm" quotes BTC/USDT: use the '
        "same symbol")


def test_a_kill_switch_on_another_venue_is_an_error_at_its_exchange(tmp_path: Path) -> None:
    text = planted(
        BASE,
        ("  reference:\n", SECOND_SIM + "  reference:\n"),
        ('args: {exchange: "@sim", symbol: "@symbol", base_min', 'args: {exchange: "@other", '
         'symbol: "@symbol", base_min'),
    )
    finding = only(check(tmp_path, text))
    assert finding.path == "components.inventory.args.exchange"
    assert finding.message == (
        'the kill switch "inventory" watches the venue "other", but "mm" trades on "sim": '
        "point it at the same venue")


def test_a_reference_price_on_another_symbol_is_an_error_at_its_symbol(tmp_path: Path) -> None:
    text = planted(
        BASE,
        ETH_MARKET,
        ('args: {exchange: "@sim", symbol: "@symbol", side: mid}',
         'args: {exchange: "@sim", symbol: ETH/USDT, side: mid}'),
    )
    finding = only(check(tmp_path, text))
    assert finding.path == "components.reference.args.symbol"
    assert finding.message.startswith('the reference price "reference" is for ETH/USDT, but '
                                      '"mm" quotes BTC/USDT')


def test_a_reference_price_from_another_venue_is_fine(tmp_path: Path) -> None:
    text = planted(
        BASE,
        ("  reference:\n", SECOND_SIM + "  reference:\n"),
        ('args: {exchange: "@sim", symbol: "@symbol", side: mid}',
         'args: {exchange: "@other", symbol: "@symbol", side: mid}'),
    )
    assert check(tmp_path, text).findings == []


def test_a_symbol_the_sim_does_not_list_is_an_error_where_it_is_asked_for(
    tmp_path: Path,
) -> None:
    text = planted(BASE, ("  symbol: BTC/USDT\ncomponents", "  symbol: BTC/EUR\ncomponents"))
    report = check(tmp_path, text)
    unlisted = [f for f in report.findings if "does not list" in f.message]
    assert {f.path for f in unlisted} == {
        "components.reference.args.symbol", "components.inventory.args.symbol",
        "components.mm.args.symbol"}
    assert unlisted[0].message == (
        '"sim" (exchanges.sim) does not list BTC/EUR; its markets are BTC/USDT: add the '
        "market to its `markets`, or use one of these")
