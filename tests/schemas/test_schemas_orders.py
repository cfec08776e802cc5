"""Order requests, orders, statuses and fills."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from schemas import (
    FeeCharge,
    Fill,
    Liquidity,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    TimeInForce,
)

D = Decimal

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def request(**overrides: Any) -> OrderRequest:
    fields = {"symbol": "BTC/USDT", "side": "sell", "amount": "1", "price": "100", **overrides}
    return OrderRequest.model_validate(fields)


def order(**overrides: Any) -> Order:
    fields = {
        "id": "o1",
        "symbol": "BTC/USDT",
        "side": "buy",
        "price": "100",
        "amount": "2",
        "timestamp": NOW,
        **overrides,
    }
    return Order.model_validate(fields)


def test_request_defaults_to_a_gtc_limit_order() -> None:
    r = request()
    assert (r.type, r.time_in_force, r.post_only) == (OrderType.LIMIT, TimeInForce.GTC, False)


def test_limit_request_needs_a_price() -> None:
    with pytest.raises(ValidationError, match="needs a price"):
        request(price=None)


def test_market_request_may_omit_the_price() -> None:
    assert request(type="market", price=None).price is None


def test_request_refuses_a_float_amount() -> None:
    with pytest.raises(ValidationError, match="float"):
        request(amount=0.1)


def test_post_only_flag_sets_time_in_force_po() -> None:
    assert request(post_only=True).time_in_force is TimeInForce.PO


def test_time_in_force_po_sets_post_only() -> None:
    assert request(time_in_force="PO").post_only


def test_post_only_contradicting_ioc_is_refused() -> None:
    with pytest.raises(ValidationError, match="contradicts"):
        request(post_only=True, time_in_force="IOC")


def test_market_request_cannot_be_post_only() -> None:
    with pytest.raises(ValidationError, match="cannot be post only"):
        request(type="market", price=None, post_only=True)


def test_request_is_frozen() -> None:
    with pytest.raises(ValidationError):
        request().amount = Decimal(2)


def test_request_refuses_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        request(leverage="10")


def test_request_notional() -> None:
    assert request(amount="0.5", price="100").notional == Decimal("50.0")


def test_request_round_trips_through_json() -> None:
    r = request(client_order_id="c-1")
    assert OrderRequest.model_validate_json(r.model_dump_json()) == r


def test_order_remaining_defaults_to_amount_minus_filled() -> None:
    assert order(filled="0.5").remaining == Decimal("1.5")


def test_order_cannot_fill_more_than_its_amount() -> None:
    with pytest.raises(ValidationError, match="exceeds amount"):
        order(filled="3")


def test_open_order_amounts_must_add_up() -> None:
    with pytest.raises(ValidationError, match="must equal its amount"):
        order(filled="0.5", remaining="1")


def test_canceled_order_may_report_zero_remaining() -> None:
    assert order(filled="0.5", remaining="0", status="canceled").remaining == 0


def test_open_order_with_fills_is_partially_filled() -> None:
    o = order(filled="0.5", average="100")
    assert o.is_open
    assert o.is_partially_filled
    assert not o.is_done


def test_closed_order_is_done_and_filled() -> None:
    o = order(filled="2", status="closed", average="100")
    assert o.is_done
    assert o.is_filled
    assert o.open_amount == 0


@pytest.mark.parametrize("status", ["closed", "canceled", "rejected", "expired"])
def test_every_status_but_open_is_final(status: str) -> None:
    assert OrderStatus(status).is_final


def test_open_status_is_not_final() -> None:
    assert not OrderStatus.OPEN.is_final


def test_order_cost_is_filled_times_average() -> None:
    assert order(filled="0.5", average="101").cost == Decimal("50.5")


def test_order_cost_is_zero_before_any_fill() -> None:
    assert order().cost == 0


def test_order_refuses_a_naive_timestamp() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        order(timestamp=datetime(2026, 1, 1))


def test_order_json_keeps_decimals_exact() -> None:
    o = order(price="0.10000000")
    assert '"price":"0.10000000"' in o.model_dump_json()


def test_fill_cost_and_rebate() -> None:
    fill = Fill.model_validate(
        {
            "id": "t1",
            "order_id": "o1",
            "symbol": "BTC/USDT",
            "side": "buy",
            "price": "100",
            "amount": "0.5",
            "fee": "-0.005",
            "fee_currency": "USDT",
            "liquidity": "maker",
            "timestamp": NOW,
        }
    )
    assert fill.cost == Decimal("50.0")
    assert fill.fee < 0
    assert fill.liquidity is Liquidity.MAKER


def _fill(**fee: Any) -> Fill:
    return Fill(id="f", order_id="o", symbol="BNB/USDT", side="buy", price=D("600"),
                amount=D("1"), timestamp=datetime(2026, 1, 1, tzinfo=UTC), **fee)


def test_a_fee_in_a_third_currency_is_listed_in_fees() -> None:
    fill = _fill(fee=D("0.0003"), fee_currency="BNB")
    assert fill.fees == (FeeCharge(currency="BNB", cost=D("0.0003")),)
    assert fill.fee_in("BNB") == D("0.0003")
    assert fill.fee_in("USDT") == 0


def test_fees_in_two_currencies_are_all_carried_the_first_as_fee() -> None:
    fill = _fill(fees=[{"currency": "BNB", "cost": "0.0003"},
                       {"currency": "USDT", "cost": "0.01"}])
    assert (fill.fee, fill.fee_currency) == (D("0.0003"), "BNB")
    assert fill.fee_in("USDT") == D("0.01")


def test_a_fee_that_disagrees_with_the_first_of_fees_is_refused() -> None:
    with pytest.raises(ValidationError, match="disagrees with the first of fees"):
        _fill(fee=D("0.1"), fee_currency="USDT", fees=[{"currency": "BNB", "cost": "0.0003"}])


def test_fees_listing_a_currency_twice_are_refused() -> None:
    with pytest.raises(ValidationError, match="one entry per currency"):
        _fill(fees=[{"currency": "BNB", "cost": "1"}, {"currency": "BNB", "cost": "2"}])


def test_an_orders_fees_are_derived_from_its_fee() -> None:
    order = Order(id="1", symbol="BNB/USDT", side="buy", price=D("600"), amount=D("1"),
                  fee=D("0.2"), fee_currency="USDT", timestamp=datetime(2026, 1, 1, tzinfo=UTC))
    assert order.fees == (FeeCharge(currency="USDT", cost=D("0.2")),)
