"""schemas.money: exact or loud, and every rounding in its stated direction.

The properties compare each operation with exact rational arithmetic (``Fraction``) on
values at the contracts' extremes: 18-decimal token amounts, 1e-12 prices, 1e12 notionals,
and the largest and smallest values an exact decimal may hold.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fortuna import DECIMAL_MAX_DIGITS, DECIMAL_MAX_EXPONENT
from schemas import Market, Side, money
from schemas.money import MoneyError, Rounding
from tests.schemas.reference import rounded


def _decimals(digits: int, low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Decimals of up to ``digits`` significant digits whose last digit is at 10**low..high."""
    return st.builds(
        lambda units, exponent: Decimal(units).scaleb(exponent, context=money.CONTEXT),
        st.integers(min_value=-(10**digits) + 1, max_value=10**digits - 1),
        st.integers(min_value=low, max_value=high),
    )


token_amounts = _decimals(27, -18, -18)  # 18-decimal tokens, up to a billion tokens
tiny_prices = _decimals(12, -24, -12)  # prices around and below 1e-12
notionals = _decimals(20, -6, 0)  # up to 1e12 and beyond, to the micro unit
extremes = st.one_of(
    _decimals(DECIMAL_MAX_DIGITS, -DECIMAL_MAX_EXPONENT - DECIMAL_MAX_DIGITS + 1,
              DECIMAL_MAX_EXPONENT - DECIMAL_MAX_DIGITS + 1),
    token_amounts,
    tiny_prices,
    notionals,
)
nonzero = extremes.filter(lambda value: not value.is_zero())
quanta = st.sampled_from(
    [Decimal("1E-18"), Decimal("0.00000001"), Decimal("0.01"), Decimal("0.5"), Decimal("1"),
     Decimal("5"), Decimal("25"), Decimal("1E+3")]
)
roundings = st.sampled_from(list(Rounding))


@given(extremes, extremes)
def test_products_of_contract_values_are_exact(left: Decimal, right: Decimal) -> None:
    assert Fraction(money.multiply(left, right)) == Fraction(left) * Fraction(right)


@given(extremes, extremes)
def test_sums_and_differences_are_exact(left: Decimal, right: Decimal) -> None:
    assert Fraction(money.add(left, right)) == Fraction(left) + Fraction(right)
    assert Fraction(money.subtract(left, right)) == Fraction(left) - Fraction(right)


@given(st.lists(token_amounts, max_size=20))
def test_total_is_the_exact_sum(values: list[Decimal]) -> None:
    assert Fraction(money.total(values)) == sum((Fraction(v) for v in values), Fraction(0))


@given(extremes, extremes)
def test_mid_is_exact(left: Decimal, right: Decimal) -> None:
    assert Fraction(money.mid(left, right)) == (Fraction(left) + Fraction(right)) / 2


@given(extremes, nonzero, quanta, roundings)
def test_divide_rounds_the_exact_quotient_in_the_stated_direction(
    dividend: Decimal, divisor: Decimal, quantum: Decimal, rounding: Rounding
) -> None:
    expected_steps = rounded(Fraction(dividend) / Fraction(divisor) / Fraction(quantum), rounding)
    assert Fraction(money.divide(dividend, divisor, quantum, rounding)) == (
        expected_steps * Fraction(quantum)
    )


@given(extremes, quanta, roundings)
def test_round_to_gives_a_multiple_of_the_quantum(
    value: Decimal, quantum: Decimal, rounding: Rounding
) -> None:
    result = money.round_to(value, quantum, rounding)
    assert (Fraction(result) / Fraction(quantum)).denominator == 1
    assert abs(Fraction(result) - Fraction(value)) < Fraction(quantum)


@given(extremes, nonzero, roundings)
def test_ratio_is_within_one_unit_of_its_last_digit(
    dividend: Decimal, divisor: Decimal, rounding: Rounding
) -> None:
    result = money.ratio(dividend, divisor, rounding)
    exact = Fraction(dividend) / Fraction(divisor)
    if result.is_zero():
        assert exact == 0
        return
    last_digit = Fraction(Decimal(1).scaleb(result.adjusted() - money.RATIO_DIGITS + 1))
    assert abs(Fraction(result) - exact) < last_digit
    assert len(result.normalize(money.CONTEXT).as_tuple().digits) <= money.RATIO_DIGITS


def test_a_budget_rounds_against_the_spender() -> None:
    affordable = money.divide(Decimal("100"), Decimal("3"), Decimal("0.01"), Rounding.DOWN)
    cost = money.divide(Decimal("100"), Decimal("3"), Decimal("0.01"), Rounding.UP)
    assert (affordable, cost) == (Decimal("33.33"), Decimal("33.34"))


def test_the_reported_loss_of_digits_no_longer_happens() -> None:
    amount, price = Decimal("123456789.123456789012345678"), Decimal("0.0000123456789")
    assert money.multiply(amount, price) == Decimal("1524.1578765432099751714678763907942")


def test_an_inexact_division_fails_loudly() -> None:
    with pytest.raises(MoneyError, match="not exact"):
        money.divide_exact(Decimal(1), Decimal(3))


def test_division_by_zero_is_a_money_error() -> None:
    with pytest.raises(MoneyError, match="zero"):
        money.divide(Decimal(1), Decimal(0), Decimal("0.01"), Rounding.DOWN)
    with pytest.raises(MoneyError, match="zero"):
        money.ratio(Decimal(1), Decimal(0))


def test_a_non_positive_quantum_is_refused() -> None:
    with pytest.raises(MoneyError, match="quantum must be positive"):
        money.round_to(Decimal(1), Decimal(0), Rounding.DOWN)


@pytest.mark.parametrize("value", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_divide_refuses_a_value_that_is_not_finite(value: str) -> None:
    with pytest.raises(MoneyError, match="not a finite number"):
        money.divide(Decimal(value), Decimal(1), Decimal("0.01"), Rounding.DOWN)


def test_a_rounded_quotient_beyond_the_context_fails_loudly() -> None:
    # 10**1400 / 3 quanta: 1,400 significant digits, more than the context holds
    with pytest.raises(MoneyError, match="does not fit the money context"):
        money.divide(Decimal("1E+700"), Decimal(3), Decimal("1E-700"), Rounding.DOWN)


def test_a_product_beyond_the_context_fails_loudly_instead_of_rounding() -> None:
    huge = Decimal("9" * (money.PRECISION // 2 + 1))
    with pytest.raises(MoneyError):
        money.multiply(huge, huge)


@pytest.mark.parametrize("decimals", [6, 18])
@given(units=st.integers(min_value=0, max_value=10**40))
def test_units_round_trip_exactly(decimals: int, units: int) -> None:
    amount = money.from_units(units, decimals)
    assert money.to_units(amount, decimals) == units
    assert Fraction(amount) == Fraction(units, 10**decimals)


@pytest.mark.parametrize(
    ("amount", "decimals", "units"),
    [("1.5", 6, 1_500_000), ("0.000001", 6, 1), ("1", 18, 10**18),
     ("0.000000000000000001", 18, 1), ("123456.789", 6, 123_456_789_000)],
)
def test_to_units_of_exact_amounts(amount: str, decimals: int, units: int) -> None:
    assert money.to_units(Decimal(amount), decimals) == units


def test_to_units_refuses_digits_the_token_cannot_hold() -> None:
    with pytest.raises(MoneyError, match="more than 6 decimal places"):
        money.to_units(Decimal("1.0000001"), 6)


def test_to_units_rounds_only_when_told_which_way() -> None:
    assert money.to_units(Decimal("1.0000009"), 6, Rounding.DOWN) == 1_000_000
    assert money.to_units(Decimal("1.0000001"), 6, Rounding.UP) == 1_000_001


def test_from_units_refuses_a_non_integer() -> None:
    with pytest.raises(MoneyError, match="integer"):
        money.from_units(True, 6)


@pytest.mark.parametrize("value", [0.1, 1, "1", None])
def test_a_value_that_is_not_a_decimal_is_a_money_error(value: object) -> None:
    with pytest.raises(MoneyError, match="money is a Decimal"):
        money.multiply(Decimal(1), value)  # type: ignore[arg-type]
    with pytest.raises(MoneyError, match="money is a Decimal"):
        money.to_units(value, 6)  # type: ignore[arg-type]
    with pytest.raises(MoneyError, match="money is a Decimal"):
        money.ratio(value, Decimal(3))  # type: ignore[arg-type]


def test_ratio_rounds_once_in_the_stated_direction() -> None:
    assert money.ratio(Decimal(2), Decimal(3), Rounding.DOWN, digits=3) == Decimal("0.666")
    assert money.ratio(Decimal(2), Decimal(3), Rounding.UP, digits=3) == Decimal("0.667")
    assert money.ratio(Decimal(-2), Decimal(3), Rounding.FLOOR, digits=3) == Decimal("-0.667")
    assert money.ratio(Decimal(10), Decimal(4)) == Decimal("2.5")
    assert str(money.ratio(Decimal(300), Decimal(3))) == "100"


@given(extremes, st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=60))
def test_an_exact_quotient_is_the_one_the_full_context_gives(
    dividend: Decimal, twos: int, fives: int
) -> None:
    divisor = Decimal(2**twos * 5**fives)  # every such quotient is a finite decimal
    result = money.divide_exact(dividend, divisor)
    expected = money.CONTEXT.divide(dividend, divisor)
    assert (result, result.as_tuple()) == (expected, expected.as_tuple())


# --- is_multiple: a value on a tick or a step ------------------------------------------

INCREMENTS = ["1", "0.1", "0.01", "0.010", "1E-8", "10", "0.5", "5", "0.25"]


@settings(max_examples=300, deadline=None)
@given(
    price=st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal("1000000"),
                      places=10),
    increment=st.sampled_from([Decimal(text) for text in INCREMENTS]),
    side=st.sampled_from([Side.BUY, Side.SELL]),
)
def test_whether_a_value_is_on_the_grid_is_whether_the_market_leaves_it_as_it_is(
    price: Decimal, increment: Decimal, side: Side
) -> None:
    market = Market(symbol="BTC/USDT", price_increment=increment, amount_increment=increment)
    quantized = market.quantize_price(price, side)  # written with the tick's exponent
    for value in (price, quantized, quantized.normalize(), price.normalize()):
        on_grid = money.is_multiple(value, increment)
        assert on_grid == (market.quantize_price(value, side) == value)
        assert on_grid == (market.quantize_amount(value) == value)


def test_a_value_written_with_a_power_of_ten_ticks_exponent_is_on_it() -> None:
    assert money.is_multiple(Decimal("100.10"), Decimal("0.01"))
    assert money.is_multiple(Decimal("100.1"), Decimal("0.01"))
    assert money.is_multiple(Decimal("100.01"), Decimal("0.010"))
    assert not money.is_multiple(Decimal("100.001"), Decimal("0.01"))
    # the tick's exponent, but not a power of ten
    assert not money.is_multiple(Decimal("100.03"), Decimal("0.05"))
    assert money.is_multiple(Decimal("100.05"), Decimal("0.05"))
