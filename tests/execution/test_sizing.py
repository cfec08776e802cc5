"""The swap sizing arithmetic, pure: excess over a reference, the budget's worst price, the
shrink toward the budget, whole token units, the gas share."""

from __future__ import annotations

from decimal import Decimal

from plugins.execution._sizing import excess, gas_share, shrunk, whole_units, worst_price
from schemas import Side
from schemas.swap import Token

D = Decimal
WETH = Token(address="0x" + "11" * 20, symbol="WETH", decimals=18)
USDC = Token(address="0x" + "22" * 20, symbol="USDC", decimals=6)


def test_a_buy_above_the_reference_and_a_sell_below_it_are_positive_excess() -> None:
    assert excess(Side.BUY, D(2010), D(2000)) == D("0.005")
    assert excess(Side.SELL, D(1990), D(2000)) == D("0.005")


def test_a_buy_below_the_reference_has_negative_excess() -> None:
    assert excess(Side.BUY, D(1990), D(2000)) == D("-0.005")


def test_the_worst_price_is_the_budget_past_the_reference() -> None:
    assert worst_price(Side.BUY, D(2000), D("0.01"), None) == D(2020)
    assert worst_price(Side.SELL, D(2000), D("0.01"), None) == D(1980)


def test_a_limit_price_tighter_than_the_budget_bounds_the_worst_price() -> None:
    assert worst_price(Side.BUY, D(2000), D("0.01"), D(2005)) == D(2005)
    assert worst_price(Side.SELL, D(2000), D("0.01"), D(1995)) == D(1995)


def test_a_limit_price_looser_than_the_budget_does_not_widen_it() -> None:
    assert worst_price(Side.BUY, D(2000), D("0.01"), D(3000)) == D(2020)


def test_shrinking_follows_the_line_from_the_fee_to_the_quote() -> None:
    # fee 0.3 %, quoted 1.3 % at 10: the line reaches 0.8 % at 5
    assert shrunk(D(10), D("0.013"), D("0.003"), D("0.008")) == D(5)


def test_no_room_past_the_fee_shrinks_to_zero() -> None:
    assert shrunk(D(10), D("0.013"), D("0.003"), D("0.003")) == 0
    assert shrunk(D(10), D("0.013"), D("0.003"), D("0.001")) == 0


def test_shrinking_never_grows_the_amount() -> None:
    assert shrunk(D(10), D("0.004"), D("0.003"), D("0.01")) == D(10)


def test_amounts_round_down_to_the_tokens_unit() -> None:
    assert whole_units(D("1.23456789"), USDC) == D("1.234567")
    assert whole_units(D("0.0000000000000000009"), WETH) == 0


def test_the_gas_share_is_gas_over_value() -> None:
    assert gas_share(D("0.5"), D(1000)) == D("0.0005")
