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


def recorder(component: str, *, symbol: str = '"@symbol"', mandate: str = "checks",
             exchange: str = '"@sim"') -> str:
    """A listener or collector writing records to a SQLite sink, as a components entry."""
    return (
        f"  recorder:\n    id: {component}\n    args: {{exchange: {exchange}, symbol: {symbol}, "
        f"interval: 10s, sinks: [\"@db\"], mandate: {mandate}}}\n"
        "  db:\n    id: sinks.sqlite\n    args: {path: m.sqlite}\n"
    )


def with_recorder(text: str, **kwargs: str) -> str:
    component = kwargs.pop("component", "listeners.trades")
    return planted(text, ("  reference:\n", recorder(component, **kwargs) + "  reference:\n"))


def test_a_listener_of_the_service_market_is_clean(tmp_path: Path) -> None:
    assert check(tmp_path, with_recorder(BASE)).findings == []


def test_a_listener_of_another_market_on_the_service_venue_is_a_warning(tmp_path: Path) -> None:
    text = with_recorder(planted(BASE, ETH_MARKET), symbol="ETH/USDT")
    finding = only(check(tmp_path, text))
    assert (finding.severity, finding.path) == ("warning", "components.recorder.args.symbol")
    assert finding.message.startswith(
        'follows ETH/USDT on "sim", where the service "mm" trades BTC/USDT: its records will '
        "not describe this mandate's market")


def test_a_metrics_collector_of_another_market_on_the_service_venue_is_a_warning(
    tmp_path: Path,
) -> None:
    text = with_recorder(planted(BASE, ETH_MARKET), symbol="ETH/USDT", component="metrics.spread")
    finding = only(check(tmp_path, text))
    assert (finding.severity, finding.path) == ("warning", "components.recorder.args.symbol")


def test_a_listener_of_another_venue_is_no_mistake(tmp_path: Path) -> None:
    text = with_recorder(planted(BASE, ("  reference:\n", SECOND_SIM + "  reference:\n")),
                         exchange='"@other"', symbol="BTC/USDT")
    assert check(tmp_path, text).findings == []


def test_records_stamped_with_another_mandate_name_are_a_warning_at_the_stamp(
    tmp_path: Path,
) -> None:
    text = with_recorder(BASE, mandate="someone_else")
    finding = only(check(tmp_path, text))
    assert (finding.severity, finding.path) == ("warning", "components.recorder.args.mandate")
    assert finding.message == (
        'the records are stamped with the mandate "someone_else", but the service "mm" runs '
        'the mandate "checks": they would be filed under another mandate; use checks')


def test_a_collector_stamped_with_another_mandate_name_is_a_warning(tmp_path: Path) -> None:
    text = with_recorder(BASE, mandate="someone_else", component="metrics.depth")
    assert only(check(tmp_path, text)).path == "components.recorder.args.mandate"
