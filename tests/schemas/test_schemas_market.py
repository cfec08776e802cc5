"""Market metadata, quantization and pre-send order checks."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from schemas import Liquidity, Market, OrderRejected, OrderRequest, OrderType, Side, quantize


def market(**overrides: object) -> Market:
    fields: dict[str, object] = {
        "symbol": "BTC/USDT",
        "price_increment": "0.01",
        "amount_increment": "0.001",
        "min_amount": "0.001",
        "min_notional": "5",
        "max_amount": "100",
        "maker_fee": "-0.0001",
        "taker_fee": "0.001",
    }
    fields.update(overrides)
    return Market.model_validate(fields)


def buy(amount: str, price: str | None = "100", **extra: object) -> OrderRequest:
    return OrderRequest.model_validate(
        {"symbol": "BTC/USDT", "side": "buy", "amount": amount, "price": price, **extra}
    )


# -- the model ---------------------------------------------------------------------------


def test_market_takes_base_and_quote_from_its_symbol() -> None:
    m = market()
    assert (m.base, m.quote) == ("BTC", "USDT")


def test_market_refuses_base_that_disagrees_with_symbol() -> None:
    with pytest.raises(ValidationError, match="disagree"):
        market(base="ETH")


def test_market_refuses_a_float_increment() -> None:
    with pytest.raises(ValidationError, match="float"):
        market(price_increment=0.01)


def test_market_refuses_max_amount_below_min_amount() -> None:
    with pytest.raises(ValidationError, match="below min_amount"):
        market(min_amount="5", max_amount="1")


def test_fee_rate_by_liquidity() -> None:
    m = market()
    assert m.fee_rate(Liquidity.MAKER) == Decimal("-0.0001")
    assert m.fee_rate(Liquidity.TAKER) == Decimal("0.001")


# -- quantization ------------------------------------------------------------------------


def test_buy_price_rounds_down_to_the_tick() -> None:
    assert market().quantize_price(Decimal("100.019"), Side.BUY) == Decimal("100.01")


def test_sell_price_rounds_up_to_the_tick() -> None:
    assert market().quantize_price(Decimal("100.011"), Side.SELL) == Decimal("100.02")


def test_price_on_the_tick_is_unchanged() -> None:
    assert market().quantize_price(Decimal("100.01"), Side.SELL) == Decimal("100.01")


def test_price_rounding_override() -> None:
    got = market().quantize_price(Decimal("100.015"), rounding=ROUND_HALF_EVEN)
    assert got == Decimal("100.02")


def test_price_rounding_must_be_explicit() -> None:
    with pytest.raises(ValueError, match="side or an explicit rounding"):
        market().quantize_price(Decimal("1"))


def test_quantized_price_keeps_the_ticks_decimal_places() -> None:
    assert str(market().quantize_price(Decimal("100.1"), Side.BUY)) == "100.10"


@pytest.mark.parametrize(
    ("increment", "side", "price", "expected"),
    [
        ("0.5", "buy", "100.3", "100.0"),
        ("0.5", "sell", "100.3", "100.5"),
        ("5", "buy", "103", "100"),
        ("5", "sell", "103", "105"),
        ("1E-8", "buy", "0.123456789", "0.12345678"),
        ("0.25", "sell", "1.01", "1.25"),
        ("1E+1", "buy", "123", "120"),
    ],
)
def test_price_quantizes_to_any_increment(
    increment: str, side: str, price: str, expected: str
) -> None:
    got = market(price_increment=increment).quantize_price(Decimal(price), Side(side))
    assert got == Decimal(expected)


def test_amount_rounds_down_to_the_step() -> None:
    assert market().quantize_amount(Decimal("1.2349")) == Decimal("1.234")


def test_amount_quantizes_to_a_non_decimal_step() -> None:
    assert market(amount_increment="0.3").quantize_amount(Decimal("1")) == Decimal("0.9")


def test_quantize_refuses_a_non_positive_increment() -> None:
    with pytest.raises(ValueError, match="positive"):
        quantize(Decimal(1), Decimal(0), "ROUND_FLOOR")


increments = st.sampled_from(
    ["0.01", "0.5", "5", "1E-8", "0.25", "0.3", "0.0001", "100", "0.00000125"]
).map(Decimal)
prices = st.decimals(min_value="0.00000001", max_value="1000000", places=10).filter(lambda d: d > 0)


@given(increment=increments, price=prices, side=st.sampled_from(list(Side)))
def test_quantized_price_is_a_multiple_of_the_tick(
    increment: Decimal, price: Decimal, side: Side
) -> None:
    got = market(price_increment=increment).quantize_price(price, side)
    assert got % increment == 0


@given(increment=increments, price=prices, side=st.sampled_from(list(Side)))
def test_quantized_price_is_never_more_aggressive(
    increment: Decimal, price: Decimal, side: Side
) -> None:
    got = market(price_increment=increment).quantize_price(price, side)
    if side is Side.BUY:
        assert got <= price
        assert price - got < increment
    else:
        assert got >= price
        assert got - price < increment


@given(increment=increments, price=prices, side=st.sampled_from(list(Side)))
def test_quantize_price_is_idempotent(increment: Decimal, price: Decimal, side: Side) -> None:
    m = market(price_increment=increment)
    once = m.quantize_price(price, side)
    assert m.quantize_price(once, side) == once
    assert m.quantize_price(once, side.opposite) == once


@given(increment=increments, amount=prices)
def test_quantized_amount_is_a_multiple_never_above_asked(
    increment: Decimal, amount: Decimal
) -> None:
    m = market(amount_increment=increment)
    got = m.quantize_amount(amount)
    assert got % increment == 0
    assert got <= amount < got + increment
    assert m.quantize_amount(got) == got


# -- check_order -------------------------------------------------------------------------


def rejection(m: Market, request: OrderRequest, **kwargs: Decimal) -> OrderRejected:
    with pytest.raises(OrderRejected) as caught:
        m.check_order(request, **kwargs)
    return caught.value


def test_check_order_returns_the_quantized_request() -> None:
    checked = market().check_order(buy("1.2345", "100.019"))
    assert (checked.amount, checked.price) == (Decimal("1.234"), Decimal("100.01"))


def test_check_order_keeps_everything_else() -> None:
    request = buy("1.2345", "100.019", client_order_id="abc", post_only=True)
    checked = market().check_order(request)
    assert checked.client_order_id == "abc"
    assert checked.post_only


def test_check_order_returns_an_already_valid_request_unchanged() -> None:
    request = buy("1", "100")
    assert market().check_order(request) is request


def test_check_order_refuses_an_inactive_market() -> None:
    assert rejection(market(active=False), buy("1")).code == "inactive"


def test_check_order_refuses_another_symbol() -> None:
    request = OrderRequest(symbol="ETH/USDT", side=Side.BUY, amount=Decimal(1), price=Decimal(1))
    assert rejection(market(), request).code == "symbol"


def test_check_order_refuses_an_amount_that_rounds_to_zero() -> None:
    error = rejection(market(min_amount="0"), buy("0.0009"))
    assert error.code == "amount_zero"
    assert "rounds to zero" in error.reason


def test_check_order_refuses_a_buy_price_that_rounds_to_zero() -> None:
    assert rejection(market(min_notional=None), buy("1", "0.001")).code == "price_zero"


def test_check_order_refuses_under_min_amount() -> None:
    error = rejection(market(min_amount="0.5", min_notional=None), buy("0.4"))
    assert error.code == "min_amount"
    assert "under the minimum 0.5" in error.reason


def test_check_order_refuses_over_max_amount() -> None:
    assert rejection(market(), buy("100.001")).code == "max_amount"


def test_check_order_refuses_under_min_notional() -> None:
    error = rejection(market(), buy("0.04", "100"))
    assert error.code == "min_notional"
    assert "under the minimum 5" in error.reason


def test_min_notional_is_checked_after_quantizing() -> None:
    # 0.0509 rounds down to 0.050, worth 5.00: exactly the minimum, accepted
    assert market().check_order(buy("0.0509", "100")).amount == Decimal("0.050")


def test_market_order_without_price_needs_a_reference_for_min_notional() -> None:
    request = buy("1", None, type="market")
    assert rejection(market(), request).code == "price_required"


def test_market_order_uses_the_reference_price_for_min_notional() -> None:
    request = buy("0.01", None, type="market")
    assert rejection(market(), request, reference_price=Decimal(100)).code == "min_notional"


def test_market_order_without_price_passes_when_no_min_notional() -> None:
    checked = market(min_notional=None).check_order(buy("1", None, type=OrderType.MARKET))
    assert checked.price is None


def test_rejection_carries_the_request() -> None:
    request = buy("100.001")
    assert rejection(market(), request).request is request


def test_rejection_is_permanent() -> None:
    assert not rejection(market(), buy("100.001")).retryable
