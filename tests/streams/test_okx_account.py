"""The account's orders and fills over OKX's private ``orders`` channel, through the real
ccxt.pro client: served once seeded, each fill once, its fee the charge REST reports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from pydantic import SecretStr

from plugins.exchanges.ccxt.component import CcxtExchange
from plugins.exchanges.ccxt.family import FAMILY
from schemas import OrderRequest
from tests.ccxt.standins.okx_ws import OkxStreamStandIn
from tests.streams.conftest import okx_streams, streams_of, until

D = Decimal
SYMBOL = "BTC/USDT"
PENDING = ("GET", "/api/v5/trade/orders-pending")
FILLS = ("GET", "/api/v5/trade/fills-history")
Venue = tuple[CcxtExchange, OkxStreamStandIn]


@pytest.fixture
async def okx() -> AsyncIterator[Venue]:
    async with okx_streams(orders=True) as venue:
        yield venue


async def seeded(exchange: CcxtExchange) -> None:
    await exchange.fetch_open_orders(SYMBOL)
    reads = streams_of(exchange)
    await until(lambda: reads.hub.connected("orders") and reads.hub.connected("fills"))
    await exchange.fetch_open_orders(SYMBOL)
    assert SYMBOL in reads.own.seeded


def buy() -> OrderRequest:
    return OrderRequest(symbol=SYMBOL, side="buy", amount=D("0.001"), price=D("29000"))


async def test_open_orders_come_from_the_stream_once_seeded(okx: Venue) -> None:
    exchange, standin = okx
    await seeded(exchange)
    order = await exchange.create_order(buy())
    calls = len(standin.requests(*PENDING))
    assert [o.id for o in await exchange.fetch_open_orders(SYMBOL)] == [order.id]
    await standin.fill_order(order.id)
    await until(lambda: streams_of(exchange).own.orders[order.id].status.is_final)
    assert await exchange.fetch_open_orders(SYMBOL) == []
    assert len(standin.requests(*PENDING)) == calls


async def test_a_streamed_fill_is_the_one_rest_reports_fee_included(okx: Venue) -> None:
    exchange, standin = okx
    await seeded(exchange)
    order = await exchange.create_order(buy())
    await standin.fill_order(order.id, D("0.0004"))
    await until(lambda: len(streams_of(exchange).own.fills) == 1)
    (streamed,) = streams_of(exchange).own.fills.values()
    merged = await exchange.fetch_my_trades(SYMBOL)  # REST: the same fill again
    assert len(standin.requests(*FILLS)) == 1
    assert merged == [streamed]  # counted once
    rest_only = FAMILY.resolve("okx")
    assert issubclass(rest_only, CcxtExchange)
    plain = rest_only(rest_only.Args(
        api_key=SecretStr(standin.api_key), secret=SecretStr(standin.secret),
        password=SecretStr(standin.password), api_url=standin.url))
    await plain.load()
    try:
        (from_rest,) = await plain.fetch_my_trades(SYMBOL)
    finally:
        await plain.unload()
    assert streamed.fee == from_rest.fee == D("0.0116")  # the charge, positive
    assert (streamed.id, streamed.order_id, streamed.price, streamed.amount,
            streamed.fee_currency, streamed.liquidity) == (
        from_rest.id, from_rest.order_id, from_rest.price, from_rest.amount,
        from_rest.fee_currency, from_rest.liquidity)
