"""The account's orders and fills over binance's user data stream, through the real
ccxt.pro client: the executor learns of a fill at once, and counts it once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

from fortuna import Graph, start
from plugins.exchanges.ccxt.component import CcxtExchange
from plugins.market_making.executors.exchange import ExchangeExecutor
from plugins.market_making.service import MarketMaking
from schemas import Order, OrderRequest
from tests.ccxt.conftest import new_ledger
from tests.ccxt.standins.binance_ws import BinanceStreamStandIn
from tests.streams.conftest import StreamFactory, floats, streams_of, until

D = Decimal
SYMBOL = "BTC/USDT"
OPEN_ORDERS = ("GET", "/api/v3/openOrders")
MY_TRADES = ("GET", "/api/v3/myTrades")


def buy(price: str = "29000") -> OrderRequest:
    return OrderRequest(symbol=SYMBOL, side="buy", amount=D("0.001"), price=D(price))


async def private_live(exchange: CcxtExchange) -> None:
    await exchange.fetch_open_orders(SYMBOL)
    reads = streams_of(exchange)
    await until(lambda: reads.hub.connected("orders") and reads.hub.connected("fills"))
    await exchange.fetch_open_orders(SYMBOL)  # seeds the view from REST
    assert SYMBOL in reads.own.seeded


async def partly_filled(binance_streams: StreamFactory
                        ) -> tuple[CcxtExchange, BinanceStreamStandIn, Order]:
    """A venue whose private streams are live, with one order 0.0004 of 0.001 filled."""
    exchange, standin = await binance_streams(orders=True)
    await private_live(exchange)
    order = await exchange.create_order(buy())
    await standin.fill_order(standin.ledger_id(order.id), D("0.0004"))
    return exchange, standin, order


async def test_open_orders_come_from_the_stream_once_seeded(
    binance_streams: StreamFactory,
) -> None:
    exchange, standin = await binance_streams(orders=True)
    await private_live(exchange)
    order = await exchange.create_order(buy())
    calls = len(standin.requests(*OPEN_ORDERS))
    assert [o.id for o in await exchange.fetch_open_orders(SYMBOL)] == [order.id]
    await standin.fill_order(standin.ledger_id(order.id))
    await until(lambda: streams_of(exchange).own.orders[order.id].status.is_final)
    assert await exchange.fetch_open_orders(SYMBOL) == []
    assert len(standin.requests(*OPEN_ORDERS)) == calls


async def test_a_fill_seen_on_the_stream_and_on_rest_is_counted_once(
    binance_streams: StreamFactory,
) -> None:
    exchange, standin, _ = await partly_filled(binance_streams)
    since = streams_of(exchange).hub.feed("fills", None).started
    await until(lambda: len(streams_of(exchange).own.fills) == 1)
    streamed = await exchange.fetch_my_trades(SYMBOL, since=since)
    from_rest = await exchange.fetch_my_trades(SYMBOL)  # REST: the same fill again
    assert len(standin.requests(*MY_TRADES)) == 1
    assert [f.id for f in streamed] == [f.id for f in from_rest] == [standin.ledger.fills[0].id]
    assert from_rest[0].amount == D("0.0004")
    assert from_rest[0].fee == D("0.0116")


async def test_a_dropped_private_stream_reads_open_orders_from_rest_again(
    binance_streams: StreamFactory,
) -> None:
    exchange, standin = await binance_streams(orders=True)
    await private_live(exchange)
    await standin.drop()
    reads = streams_of(exchange)
    await until(lambda: reads.hub.feed("orders", None).drops >= 1)
    order = standin.ledger.place(("BTC", "USDT"), "buy", "limit", D("29000"), D("0.001"),
                                 "placed-while-down")  # the stream never told us
    await until(lambda: reads.hub.connected("orders") and reads.hub.connected("fills"))
    calls = len(standin.requests(*OPEN_ORDERS))
    assert [o.id for o in await exchange.fetch_open_orders(SYMBOL)] == [order.id]
    assert len(standin.requests(*OPEN_ORDERS)) == calls + 1


# -- the market-making service -----------------------------------------------------------


def mandate(url: str, standin: BinanceStreamStandIn, stream: dict[str, Any],
            **service: Any) -> dict[str, Any]:
    stream = {"order_book": True, "orders": True, "reconnect_backoff": 0.05,
              "reconnect_max": 0.2, **stream}
    return {"service": "@mm", "components": {
        "binance": {"id": "exchanges.ccxt.binance", "args": {
            "api_key": standin.api_key, "secret": standin.secret, "api_url": url,
            "retry_backoff": 0.01, "stream": stream}},
        "price": {"id": "prices.order_book",
                  "args": {"exchange": "@binance", "symbol": SYMBOL}},
        "strategy": {"id": "market_making.strategies.ladder", "args": {
            "levels": 1, "spread": "0.002", "step": "0.001", "amount": "0.001"}},
        "executor": {"id": "market_making.executors.exchange"},
        "mm": {"id": "market_making", "args": {
            "exchange": "@binance", "symbol": SYMBOL, "price": "@price",
            "strategy": "@strategy", "executor": "@executor", "mandate": "mm1",
            "interval": "1h", "respect_balances": False, **service}},
    }}


@contextlib.asynccontextmanager
async def quoting(stream: dict[str, Any] | None = None, **service: Any
                  ) -> AsyncIterator[tuple[Graph, BinanceStreamStandIn]]:
    """A started mandate that has quoted once (its first tick), streams live."""
    standin = BinanceStreamStandIn(new_ledger())
    url = await standin.start()
    try:
        async with start(mandate(url, standin, stream or {}, **service)) as graph:
            mm, exchange = graph["mm"], graph["binance"]
            assert isinstance(mm, MarketMaking)
            assert isinstance(exchange, CcxtExchange)
            await mm.on_start()
            reads = streams_of(exchange)
            await until(lambda: reads.hub.connected("orders") and reads.hub.connected("fills"))
            await mm.tick()
            assert len(standin.creates()) == 2
            if (stream or {}).get("order_book", True):
                await until(lambda: reads.hub.feed("order_book", SYMBOL).live)
            try:
                yield graph, standin
            finally:
                await mm.on_stop()
    finally:
        await standin.stop()


async def test_a_fill_reaches_the_executor_without_waiting_for_the_next_tick() -> None:
    async with quoting(requote_on=["fill"], min_requote_interval="10ms") as (graph, standin):
        mm, executor = graph["mm"], graph["executor"]
        assert isinstance(mm, MarketMaking)
        assert isinstance(executor, ExchangeExecutor)
        bid = next(o for o in standin.ledger.orders.values() if o.side == "buy")
        ticks = mm.ticks
        await standin.fill_order(bid.id)
        await until(lambda: len(executor.journal.since(0).fills) == 1)
        assert executor.journal.since(0).fills[0].order_id == bid.id
        assert mm.requotes >= 1
        assert mm.ticks > ticks
        await until(lambda: len(standin.creates()) == 3)  # the filled bid is replaced


async def test_a_fill_is_counted_once_although_rest_reports_it_too() -> None:
    async with quoting(requote_on=["fill"], min_requote_interval="10ms") as (graph, standin):
        mm, executor = graph["mm"], graph["executor"]
        assert isinstance(mm, MarketMaking)
        assert isinstance(executor, ExchangeExecutor)
        bid = next(o for o in standin.ledger.orders.values() if o.side == "buy")
        await standin.fill_order(bid.id, D("0.0004"))
        await until(lambda: len(executor.journal.since(0).fills) == 1)
        exchange = graph["binance"]
        assert isinstance(exchange, CcxtExchange)
        await exchange.fetch_my_trades(SYMBOL)  # REST lists the same fill
        await mm.tick()
        await mm.tick()
        assert len(executor.journal.since(0).fills) == 1


async def test_a_book_change_requotes_without_waiting_for_the_next_tick() -> None:
    async with quoting(requote_on=["book"], min_requote_interval="10ms") as (graph, standin):
        mm = graph["mm"]
        assert isinstance(mm, MarketMaking)
        await standin.diff(bids=[(D("30100.00"), D("1"))], asks=[
            (D(p), D(0)) for p, _ in standin.ledger.asks] + [(D("30100.10"), D("1"))])
        await until(lambda: len(standin.creates()) >= 4)  # both quotes moved
        prices = sorted(D(s.form.get("price") or s.query["price"]) for s in standin.creates()[2:])
        assert all(price > D("30000") for price in prices)
        assert mm.requotes >= 1


async def test_requote_on_a_venue_that_does_not_stream_the_book_keeps_to_the_tick() -> None:
    async with quoting(stream={"order_book": False}, requote_on=["book"],
                       min_requote_interval="10ms") as (graph, standin):
        mm = graph["mm"]
        assert isinstance(mm, MarketMaking)
        await standin.diff(bids=[(D("30100.00"), D("1"))])
        await asyncio.sleep(0.3)
        assert len(standin.creates()) == 2
        assert mm.requotes == 0


async def test_streamed_orders_and_fills_reach_ccxt_structures_without_a_float(
    binance_streams: StreamFactory,
) -> None:
    exchange, standin, order = await partly_filled(binance_streams)
    await standin.fill_order(standin.ledger_id(order.id), D("0.0006"))
    hub = streams_of(exchange).hub
    await until(lambda: len(streams_of(exchange).own.fills) == 2)
    await until(lambda: streams_of(exchange).own.orders[order.id].status.is_final)
    assert floats(hub.feed("fills", None).value) == []
    # ccxt adds an order's fees up through float: the only floats, and the reason the
    # streamed order's fees are not used (its fills carry them exactly)
    assert {p.split(".")[-1] for p in floats(hub.feed("orders", None).value)} <= {"cost"}
    assert streams_of(exchange).own.orders[order.id].fee == 0
