"""The arbitrage decision: both directions, net of fees, in one currency, vs the threshold."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plugins.arbitrage._decision import (
    Direction,
    Opportunity,
    best_opportunity,
    evaluate,
    limit_price,
    realised,
)
from schemas import OrderStatus, Side, money
from schemas.arbitrage import ConversionRate, Quote, TradeResult
from schemas.money import Rounding
from tests.arbitrage.venue import T0

D = Decimal
ONE = ConversionRate(from_currency="USDT", to_currency="USDT", rate=D(1))


def quote(side: Side, price: str, fee: str = "0.001", amount: str = "0.05",
          venue: str = "v") -> Quote:
    return Quote(venue=venue, symbol="BTC/USDT", side=side, amount=D(amount), price=D(price),
                 worst_price=D(price), fee_rate=D(fee), timestamp=T0)


def test_profit_is_sell_proceeds_minus_buy_cost_net_of_both_fees() -> None:
    o = evaluate(Direction.A_TO_B, quote(Side.BUY, "100000"), quote(Side.SELL, "100500"), ONE, ONE)
    assert o.cost == D("5005.000")  # 5000 * 1.001
    assert o.proceeds == D("5019.975")  # 5025 * 0.999
    assert o.profit == D("14.975")
    assert o.fees == D("10.025")


def test_profit_ratio_is_profit_over_cost_rounded_toward_minus_infinity() -> None:
    o = evaluate(Direction.A_TO_B, quote(Side.BUY, "100000"), quote(Side.SELL, "100500"), ONE, ONE)
    assert o.profit_ratio == money.ratio(D("14.975"), D("5005.000"), Rounding.FLOOR)
    assert Fraction(o.profit_ratio) < Fraction(D("14.975")) / Fraction(D("5005.000"))


def test_sell_venue_prices_are_converted_into_the_reference_currency() -> None:
    usdc = ConversionRate(from_currency="USDC", to_currency="USDT", rate=D("0.998"))
    o = evaluate(Direction.A_TO_B, quote(Side.BUY, "100000", fee="0"),
                 quote(Side.SELL, "100500", fee="0"), ONE, usdc)
    assert o.proceeds == D("5025") * D("0.998")
    assert o.currency == "USDT"


def test_a_gross_spread_smaller_than_the_fees_is_a_loss() -> None:
    # 0.15 % gross spread, 0.2 % of fees: the raw prices look profitable, the net is not.
    o = evaluate(Direction.A_TO_B, quote(Side.BUY, "100000"), quote(Side.SELL, "100150"), ONE, ONE)
    assert o.profit < 0
    assert best_opportunity([o], D(0)) is None


def test_a_ratio_equal_to_the_threshold_does_not_trade() -> None:
    o = evaluate(Direction.A_TO_B, quote(Side.BUY, "100", fee="0"),
                 quote(Side.SELL, "101", fee="0"), ONE, ONE)
    assert o.profit_ratio == D("0.01")
    assert best_opportunity([o], D("0.01")) is None
    assert best_opportunity([o], D("0.0099")) is o


def test_the_better_of_two_clearing_directions_wins() -> None:
    small = evaluate(Direction.A_TO_B, quote(Side.BUY, "100", fee="0"),
                     quote(Side.SELL, "101", fee="0"), ONE, ONE)
    large = evaluate(Direction.B_TO_A, quote(Side.BUY, "100", fee="0"),
                     quote(Side.SELL, "102", fee="0"), ONE, ONE)
    assert best_opportunity([small, large], D(0)) is large


def test_evaluate_refuses_legs_of_different_amounts() -> None:
    with pytest.raises(ValueError, match="legs differ"):
        evaluate(Direction.A_TO_B, quote(Side.BUY, "100"), quote(Side.SELL, "101", amount="1"),
                 ONE, ONE)


def test_evaluate_refuses_two_buys() -> None:
    with pytest.raises(ValueError, match="a buy quote and a sell quote"):
        evaluate(Direction.A_TO_B, quote(Side.BUY, "100"), quote(Side.BUY, "101"), ONE, ONE)


def test_quote_refuses_a_worst_price_better_than_the_average() -> None:
    with pytest.raises(ValueError, match="better than the average"):
        Quote(venue="v", symbol="BTC/USDT", side=Side.BUY, amount=D(1), price=D(100),
              worst_price=D(99), fee_rate=D(0), timestamp=T0)


def _trade(side: Side, filled: str, price: str, fee: str | None) -> TradeResult:
    return TradeResult(venue="v", symbol="BTC/USDT", side=side, amount=D(filled), filled=D(filled),
                       average_price=D(price), fee=D(fee or "1"), fee_currency="BNB",
                       fee_in_quote=None if fee is None else D(fee), status=OrderStatus.CLOSED,
                       timestamp=T0)


def test_realised_counts_buys_as_cost_and_sells_as_proceeds_with_fees() -> None:
    cost, proceeds, fees, unvalued = realised(
        [(_trade(Side.BUY, "0.05", "100000", "5"), ONE),
         (_trade(Side.SELL, "0.05", "100500", "5.025"), ONE)]
    )
    assert (cost, proceeds, fees, unvalued) == (D("5005"), D("5019.975"), D("10.025"), False)


def test_realised_flags_a_fee_charged_in_a_third_currency() -> None:
    *_, unvalued = realised([(_trade(Side.BUY, "0.05", "100000", None), ONE)])
    assert unvalued


prices = st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2)
fees = st.decimals(min_value=D(0), max_value=D("0.01"), places=4)


@given(buy=prices, sell=prices, fee_buy=fees, fee_sell=fees)
def test_a_trade_is_taken_only_when_net_proceeds_exceed_net_cost(
    buy: Decimal, sell: Decimal, fee_buy: Decimal, fee_sell: Decimal
) -> None:
    o = evaluate(Direction.A_TO_B, quote(Side.BUY, str(buy), str(fee_buy)),
                 quote(Side.SELL, str(sell), str(fee_sell)), ONE, ONE)
    taken = best_opportunity([o], D(0)) is not None
    exact_net = sell * (1 - fee_sell) - buy * (1 + fee_buy)
    assert taken == (exact_net > 0)


def _scaled(digits: int, low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Positive decimals of up to ``digits`` digits whose last digit is at 10**low..high."""
    return st.builds(lambda units, exponent: D(units).scaleb(exponent),
                     st.integers(min_value=1, max_value=10**digits - 1),
                     st.integers(min_value=low, max_value=high))


# The contracts' extremes: 1e12 notionals to the micro unit, 18-decimal amounts, 1e-12 prices.
notionals = st.one_of(_scaled(20, -6, 0), _scaled(27, -18, -18), _scaled(12, -24, -12))
ratios = st.one_of(_scaled(6, -10, -1), st.just(D(0)))


def _with_figures(cost: Decimal, proceeds: Decimal) -> Opportunity:
    base = evaluate(Direction.A_TO_B, quote(Side.BUY, "100"), quote(Side.SELL, "101"), ONE, ONE)
    return base.model_copy(update={"cost": cost, "proceeds": proceeds})


@given(cost=notionals, proceeds=notionals, threshold=ratios)
def test_the_threshold_is_decided_exactly_at_the_contracts_extremes(
    cost: Decimal, proceeds: Decimal, threshold: Decimal
) -> None:
    o = _with_figures(cost, proceeds)
    exact = (Fraction(proceeds) - Fraction(cost)) / Fraction(cost)
    assert o.clears(threshold) == (exact > Fraction(threshold))
    assert Fraction(o.profit_ratio) <= exact  # shown rounded toward minus infinity


@given(a_cost=notionals, a_proceeds=notionals, b_cost=notionals, b_proceeds=notionals)
def test_the_better_direction_is_decided_exactly(
    a_cost: Decimal, a_proceeds: Decimal, b_cost: Decimal, b_proceeds: Decimal
) -> None:
    a, b = _with_figures(a_cost, a_proceeds), _with_figures(b_cost, b_proceeds)
    ratio_a = (Fraction(a_proceeds) - Fraction(a_cost)) / Fraction(a_cost)
    ratio_b = (Fraction(b_proceeds) - Fraction(b_cost)) / Fraction(b_cost)
    assert a.beats(b) == (ratio_a > ratio_b)


def test_a_ratio_a_hair_above_the_threshold_trades_though_its_rounding_equals_it() -> None:
    # profit / cost = 0.0015 + 1e-38: 34 digits cannot tell it from the threshold
    cost = D("1E+38")
    o = _with_figures(cost, D("1" + "0015" + "0" * 33 + "1"))  # 1.0015e38 + 1
    assert o.profit_ratio == D("0.0015")
    assert o.clears(D("0.0015"))


@given(price=st.one_of(_scaled(12, -24, -12), _scaled(8, -2, 4)), slippage=ratios,
       side=st.sampled_from([Side.BUY, Side.SELL]))
def test_a_legs_limit_is_the_worst_price_moved_by_the_slippage_exactly(
    price: Decimal, slippage: Decimal, side: Side
) -> None:
    q = Quote(venue="v", symbol="BTC/USDT", side=side, amount=D(1), price=price,
              worst_price=price, fee_rate=D(0), timestamp=T0)
    sign = 1 if side is Side.BUY else -1
    assert Fraction(limit_price(q, slippage)) == Fraction(price) * (1 + sign * Fraction(slippage))
