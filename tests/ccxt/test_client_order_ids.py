"""A caller's client order id the venue would refuse never reaches the wire."""

from __future__ import annotations

from decimal import Decimal

import pytest

from schemas import OrderRejected, OrderRequest
from tests.ccxt.conftest import VenueFactory

D = Decimal
FAST = {"rate_limit": 0.001}


def buy(client_order_id: str) -> OrderRequest:
    return OrderRequest(symbol="BTC/USDT", side="buy", amount=D("0.01"),
                        price=D("30000"), client_order_id=client_order_id)


async def test_an_id_longer_than_the_venue_takes_is_refused_before_the_wire(
    venue_factory: VenueFactory,
) -> None:
    exchange, standin = await venue_factory("kraken", **FAST)
    with pytest.raises(OrderRejected, match="is 25 characters; kraken takes at most 18") as caught:
        await exchange.create_order(buy("demo-7f3a9c0b-00000000001"))
    assert caught.value.code == "client_order_id"
    assert standin.creates() == []


async def test_an_id_with_characters_the_venue_refuses_is_refused_before_the_wire(
    venue_factory: VenueFactory,
) -> None:
    exchange, standin = await venue_factory("okx", **FAST)
    with pytest.raises(OrderRejected, match="okx takes only letters and digits"):
        await exchange.create_order(buy("demo-1"))
    assert standin.creates() == []


async def test_an_id_the_venue_accepts_goes_on_the_wire(venue_factory: VenueFactory) -> None:
    exchange, standin = await venue_factory("okx", **FAST)
    order = await exchange.create_order(buy("demo1"))
    assert order.client_order_id == "demo1"
    assert len(standin.creates()) == 1


async def test_an_order_accepted_without_its_id_is_found_by_its_client_order_id(
    venue_factory: VenueFactory,
) -> None:
    exchange, standin = await venue_factory("binance", **FAST)
    standin.omit_order_id = True
    order = await exchange.create_order(buy("fortuna1"))
    assert order.client_order_id == "fortuna1"
    assert order.id
    assert len(standin.creates()) == 1  # looked up, never sent twice


async def test_an_order_the_venue_describes_without_its_client_id_gets_it_back(
    venue_factory: VenueFactory,
) -> None:
    exchange, standin = await venue_factory("binance", **FAST)
    placed = await exchange.create_order(buy("fortuna7"))
    described = {"symbol": "BTCUSDT", "orderId": int(placed.id), "clientOrderId": "",
                 "price": "30000.00", "origQty": "0.01000", "executedQty": "0",
                 "status": "NEW", "timeInForce": "GTC", "type": "LIMIT", "side": "BUY",
                 "time": 1700000000000, "updateTime": 1700000000000}
    standin.fail("GET", "/api/v3/openOrders", 200, [described])
    (order,) = await exchange.fetch_open_orders("BTC/USDT")
    assert order.id == placed.id
    assert order.client_order_id == "fortuna7"


async def test_the_client_id_index_is_bounded_by_the_args(venue_factory: VenueFactory) -> None:
    exchange, _ = await venue_factory("binance", remembered_client_ids=2, **FAST)
    for number in range(4):
        await exchange.create_order(buy(f"fortuna{number}"))
    index = exchange.session.client_ids
    assert len(index) == 2
    assert index.placed("fortuna0") is None
    assert index.placed("fortuna3") is not None
