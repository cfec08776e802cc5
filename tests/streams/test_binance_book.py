"""Binance market data over the real ccxt.pro client: the diff-streamed book, trades and
ticker, against a stand-in speaking binance's websocket protocol; REST as the fallback."""

from __future__ import annotations

import asyncio
import random
from decimal import Decimal
from typing import Any

import pytest

from plugins.exchanges.ccxt.component import CcxtExchange
from plugins.exchanges.ccxt.streams.exact_books import exact_level
from schemas import ExchangeError, OrderBook
from tests.ccxt.standins.binance_ws import BinanceStreamStandIn
from tests.streams.conftest import StreamFactory, floats, streams_of, until

D = Decimal
DEPTH = ("GET", "/api/v3/depth")
SYMBOL = "BTC/USDT"


def feed(exchange: CcxtExchange, kind: str = "order_book", symbol: str | None = SYMBOL) -> Any:
    return streams_of(exchange).hub.feed(kind, symbol)


async def live(exchange: CcxtExchange, kind: str = "order_book") -> None:
    """Read once (subscribing the stream), then wait until the stream is live."""
    await exchange.fetch_order_book(SYMBOL)
    await until(lambda: feed(exchange, kind).live)


async def caught_up(exchange: CcxtExchange, standin: BinanceStreamStandIn) -> None:
    await until(lambda: feed(exchange).live
                and feed(exchange).value.get("nonce") == standin.update_id)


def venue_book(standin: BinanceStreamStandIn) -> tuple[list[tuple[D, D]], list[tuple[D, D]]]:
    return standin.levels("bids"), standin.levels("asks")


def levels(book: OrderBook) -> tuple[list[tuple[D, D]], list[tuple[D, D]]]:
    return ([(lv.price, lv.amount) for lv in book.bids],
            [(lv.price, lv.amount) for lv in book.asks])


async def random_diffs(standin: BinanceStreamStandIn, count: int, seed: int = 7) -> None:
    """``count`` diffs that add, change and remove levels on both sides, never crossing."""
    rng = random.Random(seed)
    for _ in range(count):
        bids: list[tuple[D, D]] = []
        asks: list[tuple[D, D]] = []
        for _ in range(rng.randint(1, 4)):
            ticks = rng.randint(0, 150)
            amount = D(rng.randint(0, 40_000)) / D(10_000) if rng.random() > 0.3 else D(0)
            if rng.random() < 0.5:
                bids.append((D("30000.10") - D("0.01") * ticks, amount))
            else:
                asks.append((D("30000.20") + D("0.01") * ticks, amount))
        await standin.diff(bids=bids, asks=asks)


async def test_book_from_the_stream_equals_the_venues_after_thousands_of_diffs(
    binance_streams: StreamFactory,
) -> None:
    # max_age: sending 3000 diffs from this process may hold the loop for seconds
    exchange, standin = await binance_streams(order_book=True, max_age=600)
    await live(exchange)
    await random_diffs(standin, 3000)
    await caught_up(exchange, standin)
    book = await exchange.fetch_order_book(SYMBOL)
    assert levels(book) == venue_book(standin)
    assert len(standin.requests(*DEPTH)) == 2  # the first read, and the stream's snapshot


async def test_streamed_levels_are_exact_decimals_never_floats(
    binance_streams: StreamFactory,
) -> None:
    exchange, standin = await binance_streams(order_book=True)
    await live(exchange)
    await standin.diff(bids=[(D("30000.11"), D("0.10000001"))])
    await caught_up(exchange, standin)
    raw = feed(exchange).value
    for side in ("bids", "asks"):
        assert all(type(p) is D and type(a) is D for p, a, *_ in raw[side])
    book = await exchange.fetch_order_book(SYMBOL)
    assert book.bids[0].price == D("30000.11")
    assert book.bids[0].amount == D("0.10000001")


def test_a_float_never_becomes_a_streamed_level() -> None:
    with pytest.raises(TypeError, match="float"):
        exact_level(30000.1)


def test_a_level_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(ValueError, match="not a number"):
        exact_level("thirty")


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-inf"])
def test_a_level_that_is_not_finite_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a finite number"):
        exact_level(text)


def test_a_streamed_level_that_is_not_positive_is_left_out_of_the_book() -> None:
    from datetime import UTC, datetime

    from plugins.exchanges.ccxt.streams.reads import book_of

    raw = {"bids": [[D("10"), D("1")], [D("9"), D("-2")]], "asks": [[D("0"), D("1")]]}
    book = book_of(raw, SYMBOL, datetime(2026, 1, 1, tzinfo=UTC))
    assert [(lv.price, lv.amount) for lv in book.bids] == [(D("10"), D("1"))]
    assert book.asks == ()


async def test_reads_of_a_live_stream_make_no_rest_call(binance_streams: StreamFactory) -> None:
    exchange, standin = await binance_streams(order_book=True)
    await live(exchange)
    before = len(standin.requests(*DEPTH))
    for _ in range(100):
        await exchange.fetch_order_book(SYMBOL)
    assert len(standin.requests(*DEPTH)) == before


async def test_a_streamed_book_is_as_old_as_its_latest_message(
    binance_streams: StreamFactory,
) -> None:
    exchange, standin = await binance_streams(order_book=True)
    await live(exchange)
    await standin.diff(asks=[(D("30000.19"), D("1"))])
    await caught_up(exchange, standin)
    book = await exchange.fetch_order_book(SYMBOL)
    assert book.timestamp == feed(exchange).received_at


async def test_a_sequence_gap_resyncs_from_a_rest_snapshot(
    binance_streams: StreamFactory,
) -> None:
    exchange, standin = await binance_streams(order_book=True)
    await live(exchange)
    snapshots = len(standin.requests(*DEPTH))
    await standin.diff(bids=[(D("30000.11"), D("2"))], lost=True)  # nobody receives it
    await standin.diff(asks=[(D("30000.19"), D("3"))])
    await until(lambda: feed(exchange).resyncs == 1)
    await caught_up(exchange, standin)
    assert len(standin.requests(*DEPTH)) == snapshots + 1
    book = await exchange.fetch_order_book(SYMBOL)
    assert levels(book) == venue_book(standin)
    assert book.best_bid is not None
    assert book.best_bid.price == D("30000.11")


async def test_a_dropped_stream_falls_back_to_rest_and_recovers(
    binance_streams: StreamFactory,
) -> None:
    exchange, standin = await binance_streams(order_book=True)
    await live(exchange)
    standin.refuse = True  # the gateway is down: no new connection until it is back
    await standin.drop()
    await until(lambda: not feed(exchange).live)
    await standin.diff(bids=[(D("30000.12"), D("5"))])
    before = len(standin.requests(*DEPTH))
    book = await exchange.fetch_order_book(SYMBOL)
    assert len(standin.requests(*DEPTH)) == before + 1  # from REST, current
    assert book.best_bid is not None
    assert book.best_bid.price == D("30000.12")
    assert feed(exchange).drops >= 1
    standin.refuse = False
    await until(lambda: feed(exchange).live)
    await standin.diff(bids=[(D("30000.13"), D("6"))])
    await caught_up(exchange, standin)
    served = len(standin.requests(*DEPTH))
    book = await exchange.fetch_order_book(SYMBOL)
    assert len(standin.requests(*DEPTH)) == served  # from the stream again
    assert levels(book) == venue_book(standin)


async def test_a_stalled_stream_falls_back_to_rest_and_is_reconnected(
    binance_streams: StreamFactory,
) -> None:
    exchange, standin = await binance_streams(order_book=True, max_age=0.2)
    await live(exchange)
    handshakes = standin.handshakes
    standin.stalled = True  # the connection stays open; nothing comes
    await standin.diff(asks=[(D("30000.18"), D("7"))])
    await until(lambda: feed(exchange).stalls >= 1)
    before = len(standin.requests(*DEPTH))
    book = await exchange.fetch_order_book(SYMBOL)
    assert len(standin.requests(*DEPTH)) == before + 1
    assert book.best_ask is not None
    assert book.best_ask.price == D("30000.18")
    await until(lambda: standin.handshakes > handshakes)  # reconnected and resubscribed
    standin.stalled = False
    await standin.diff(asks=[(D("30000.17"), D("8"))])
    await caught_up(exchange, standin)
    assert levels(await exchange.fetch_order_book(SYMBOL)) == venue_book(standin)


async def test_the_first_read_subscribes_and_is_answered_by_rest(
    binance_streams: StreamFactory,
) -> None:
    exchange, standin = await binance_streams(order_book=True)
    book = await exchange.fetch_order_book(SYMBOL)
    assert len(standin.requests(*DEPTH)) == 1
    assert levels(book) == venue_book(standin)
    await until(lambda: standin.subscribers("btcusdt@depth@100ms") == 1)


async def test_every_reader_shares_one_subscription(binance_streams: StreamFactory) -> None:
    exchange, standin = await binance_streams(order_book=True, ticker=True, trades=True)
    await live(exchange)
    await exchange.fetch_ticker(SYMBOL)
    await exchange.fetch_order_book(SYMBOL)
    await until(lambda: standin.subscribers("btcusdt@ticker") == 1)
    assert len(standin.market_sockets) == 1  # one connection carries every market stream
    assert standin.subscribers("btcusdt@depth@100ms") == 1


async def test_the_ticker_comes_from_the_stream(binance_streams: StreamFactory) -> None:
    exchange, standin = await binance_streams(ticker=True)
    await exchange.fetch_ticker(SYMBOL)
    await until(lambda: standin.subscribers("btcusdt@ticker") == 1)
    await standin.diff(bids=[(D("30000.15"), D("0.5"))])
    await standin.ticker()
    await until(lambda: feed(exchange, "ticker").live)
    calls = len(standin.requests("GET", "/api/v3/ticker/24hr"))
    ticker = await exchange.fetch_ticker(SYMBOL)
    assert ticker.bid == D("30000.15")
    assert ticker.ask == D("30000.20")
    assert floats(feed(exchange, "ticker").value) == []
    assert len(standin.requests("GET", "/api/v3/ticker/24hr")) == calls


async def trades_live(binance_streams: StreamFactory
                      ) -> tuple[CcxtExchange, BinanceStreamStandIn]:
    """A venue whose trade stream is live, having streamed one trade (30000.15 x 0.25)."""
    exchange, standin = await binance_streams(trades=True)
    await exchange.fetch_trades(SYMBOL)
    await until(lambda: standin.subscribers("btcusdt@trade") == 1)
    await standin.trade(D("30000.15"), D("0.25"), buyer_maker=True)
    await until(lambda: feed(exchange, "trades").live)
    return exchange, standin


async def test_trades_since_the_subscription_come_from_the_stream(
    binance_streams: StreamFactory,
) -> None:
    exchange, standin = await trades_live(binance_streams)
    since = feed(exchange, "trades").started
    calls = len(standin.requests("GET", "/api/v3/aggTrades"))
    trades = await exchange.fetch_trades(SYMBOL, since=since)
    assert [(t.price, t.amount) for t in trades] == [(D("30000.15"), D("0.25"))]
    assert floats(feed(exchange, "trades").value) == []
    assert len(standin.requests("GET", "/api/v3/aggTrades")) == calls


async def test_trades_from_before_the_subscription_come_from_rest(
    binance_streams: StreamFactory,
) -> None:
    exchange, standin = await trades_live(binance_streams)
    calls = len(standin.requests("GET", "/api/v3/aggTrades"))
    await exchange.fetch_trades(SYMBOL)
    assert len(standin.requests("GET", "/api/v3/aggTrades")) == calls + 1


async def test_the_private_stream_without_credentials_is_refused_at_load() -> None:
    from plugins.exchanges.ccxt.family import FAMILY
    from tests.ccxt.conftest import new_ledger

    standin = BinanceStreamStandIn(new_ledger())
    url = await standin.start()
    try:
        cls = FAMILY.resolve("binance")
        exchange = cls(cls.Args(api_url=url, stream={"orders": True}))
        with pytest.raises(ExchangeError, match="needs api_key and secret"):
            await exchange.load()
    finally:
        await standin.stop()


async def test_the_stale_data_switch_sees_the_age_of_the_streamed_book(
    binance_streams: StreamFactory,
) -> None:
    from plugins.kill_switches.stale_data import StaleDataSwitch
    from plugins.prices.order_book import OrderBookPrice

    exchange, standin = await binance_streams(order_book=True, max_age=60)
    await live(exchange)
    await standin.diff(bids=[(D("30000.11"), D("1"))])
    await caught_up(exchange, standin)
    price = OrderBookPrice(OrderBookPrice.Args(exchange=exchange, symbol=SYMBOL))
    switch = StaleDataSwitch(StaleDataSwitch.Args(price=price, max_age=0.5))
    await switch.load()
    assert not await switch.check()
    await asyncio.sleep(0.6)  # nothing streamed since: the book served is that old
    assert await switch.check()
    assert "old" in (switch.reason or "")
