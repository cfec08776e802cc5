"""Order sizes against the risk caps, the sim market's minimums and the sim's balances."""

from __future__ import annotations

from pathlib import Path

from tests.checks.base import BASE, check, line_of, only, planted


def test_the_base_mandate_is_clean(tmp_path: Path) -> None:
    assert check(tmp_path, BASE).findings == []


def test_every_order_over_the_risk_max_amount_is_an_error_at_the_strategy_amount(
    tmp_path: Path,
) -> None:
    text = planted(BASE, ("{max_amount: 0.05,", "{max_amount: 0.005,"))
    finding = only(check(tmp_path, text))
    assert finding.severity == "error"
    assert finding.path == "components.strategy.args.amount"
    assert finding.position is not None
    assert finding.position.line == line_of(text, "amount: 0.01")
    assert finding.message == (
        'an order of 0.03 BTC is over the risk cap max_amount 0.005 of "risk": the mandate '
        "would refuse every order the strategy makes, on every tick; make the orders or the "
        "limit fit")


def test_some_orders_over_the_risk_max_amount_is_a_warning_saying_how_many(
    tmp_path: Path,
) -> None:
    text = planted(BASE, ("{max_amount: 0.05,", "{max_amount: 0.02,"))
    finding = only(check(tmp_path, text))
    assert finding.severity == "warning"
    assert finding.path == "components.strategy.args.amount"
    assert finding.message == (
        'an order of 0.03 BTC is over the risk cap max_amount 0.02 of "risk": the mandate '
        "would refuse 2 of the 6 orders the strategy makes, on every tick")


def test_the_largest_rung_counts_not_the_first(tmp_path: Path) -> None:
    text = planted(BASE, ("amount_step: 0.01}", "amount_step: 0.03}"))
    assert "an order of 0.07 BTC is over the risk cap" in only(check(tmp_path, text)).message


def test_orders_over_the_risk_max_notional_at_the_sim_price_are_found(
    tmp_path: Path,
) -> None:
    text = planted(BASE, ("max_notional: 5000}", "max_notional: 500}"))
    finding = only(check(tmp_path, text))
    assert (finding.severity, finding.path) == ("error", "components.strategy.args.amount")
    assert "over the risk cap max_notional 500 of \"risk\"" in finding.message
    assert "at the sim market's price 65000" in finding.message


def test_a_fixed_reference_price_is_used_for_notional(tmp_path: Path) -> None:
    text = planted(
        BASE,
        ("id: prices.ticker\n    args: {exchange: \"@sim\", symbol: \"@symbol\", side: mid}",
         "id: prices.fixed\n    args: {price: 200000}"),
    )
    finding = only(check(tmp_path, text))
    assert finding.severity == "warning"
    assert 'at the fixed price "reference" 200000' in finding.message
    assert "would refuse 2 of the 6 orders" in finding.message


def test_every_order_under_the_markets_min_amount_is_an_error(tmp_path: Path) -> None:
    text = planted(BASE, ("min_amount: 0.001", "min_amount: 0.05"))
    finding = only(check(tmp_path, text))
    assert (finding.severity, finding.path) == ("error", "components.strategy.args.amount")
    assert finding.message.startswith(
        'an order of 0.01 BTC is under the market\'s min_amount 0.05 on "sim": the venue '
        "would refuse every order the strategy makes")


def test_some_orders_under_the_markets_min_amount_is_a_warning(tmp_path: Path) -> None:
    text = planted(BASE, ("min_amount: 0.001", "min_amount: 0.02"))
    finding = only(check(tmp_path, text))
    assert finding.severity == "warning"
    assert "the venue would refuse 2 of the 6 orders" in finding.message


def test_orders_under_the_markets_min_notional_are_found(tmp_path: Path) -> None:
    text = planted(BASE, ("min_notional: 5", "min_notional: 2500"))
    finding = only(check(tmp_path, text))
    assert finding.severity == "error"
    assert "under the market's min_notional 2500 on \"sim\"" in finding.message
    assert "at the sim market's price 65000" in finding.message


def test_orders_over_the_markets_max_amount_are_found(tmp_path: Path) -> None:
    text = planted(BASE, ("min_notional: 5", "min_notional: 5\n          max_amount: 0.02"))
    assert "over the market's max_amount 0.02" in only(check(tmp_path, text)).message


def test_a_band_strategy_is_sized_too(tmp_path: Path) -> None:
    text = planted(BASE, (
        "id: market_making.strategies.ladder\n    args: {levels: 3, spread: 0.001, step: 0.001, "
        "amount: 0.01, amount_step: 0.01}",
        "id: market_making.strategies.band\n    args: {spread: 0.002, min_spread: 0.001, "
        "max_spread: 0.004, amount: 0.5}"))
    report = check(tmp_path, text)
    assert [f.path for f in report.findings] == ["components.strategy.args.amount"] * 2
    assert "an order of 0.5 BTC is over the risk cap max_amount 0.05" in (
        report.findings[0].message)
    assert "over the risk cap max_notional 5000" in report.findings[1].message


def test_a_sim_without_base_to_sell_is_a_warning_at_its_balances(tmp_path: Path) -> None:
    text = planted(BASE, ("{USDT: 100000, BTC: 2}", "{USDT: 100000}"),
                   ("base_min: 0.5}", "quote_min: 1}"))
    finding = only(check(tmp_path, text))
    assert finding.severity == "warning"
    assert finding.path == "components.sim.args.balances"
    assert finding.message == (
        "the sim starts with 0 BTC, less than the smallest sell order (0.01 BTC): no sell "
        "can be placed")


def test_a_sim_without_quote_to_buy_is_a_warning(tmp_path: Path) -> None:
    text = planted(BASE, ("{USDT: 100000, BTC: 2}", "{USDT: 100, BTC: 2}"))
    finding = only(check(tmp_path, text))
    assert finding.severity == "warning"
    assert "the sim starts with 100 USDT, less than the smallest buy order costs" in (
        finding.message)


def test_a_warning_alone_keeps_the_mandate_valid(tmp_path: Path) -> None:
    text = planted(BASE, ("{USDT: 100000, BTC: 2}", "{USDT: 100, BTC: 2}"))
    report = check(tmp_path, text)
    assert report.ok
    assert report.plan is not None


SIM_VENUE = BASE[BASE.index("    id: exchanges.sim"):BASE.index("  reference:")]
# The base mandate on a live venue: no price is known before the run.
LIVE = planted(BASE, (SIM_VENUE, "    id: exchanges.ccxt.binance\n"),
               ("max_notional: 5000}", "max_notional: 500}"))


def test_on_a_live_venue_without_a_price_hint_notional_is_not_checked(tmp_path: Path) -> None:
    assert check(tmp_path, LIVE).findings == []


def test_a_reference_price_var_prices_the_notional_checks(tmp_path: Path) -> None:
    text = planted(LIVE, ("vars:\n", "vars:\n  reference_price: 65000\n"))
    finding = only(check(tmp_path, text))
    assert (finding.severity, finding.path) == ("error", "components.strategy.args.amount")
    assert "at the var reference_price 65000" in finding.message


def test_a_reference_price_var_that_is_not_a_price_is_not_used(tmp_path: Path) -> None:
    for hint in ("soon", "-5", "0", "true", "0.0"):
        text = planted(LIVE, ("vars:\n", f"vars:\n  reference_price: {hint}\n"))
        assert check(tmp_path, text).findings == [], hint
