"""OKX market data over the real ccxt.pro client: the book from snapshot and updates with
sequence ids and checksums, against a stand-in speaking OKX's v5 websocket protocol."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from plugins.exchanges.ccxt.component import CcxtExchange
from plugins.exchanges.ccxt.streams.exact_books import book_checksum
from tests.ccxt.standins.okx_ws import OkxStreamStandIn, checksum
from tests.streams.conftest import okx_streams, streams_of, until

D = Decimal
SYMBOL = "BTC/USDT"
BOOKS = ("GET", "/api/v5/market/books")
Venue = tuple[CcxtExchange, OkxStreamStandIn]


@pytest.fixture
async def okx(request: pytest.FixtureRequest) -> AsyncIterator[Venue]:
    async with okx_streams(order_book=True, max_age=getattr(request, "param", 5.0)) as venue:
        yield venue


def feed(exchange: CcxtExchange) -> Any:
    return streams_of(exchange).hub.feed("order_book", SYMBOL)


async def live(exchange: CcxtExchange) -> None:
    await exchange.fetch_order_book(SYMBOL)
    await until(lambda: feed(exchange).live)


async def caught_up(exchange: CcxtExchange, standin: OkxStreamStandIn) -> None:
    await until(lambda: feed(exchange).live and feed(exchange).value.get("nonce") == standin.seq)


def levels(exchange_book: Any) -> tuple[list[tuple[D, D]], list[tuple[D, D]]]:
    return ([(lv.price, lv.amount) for lv in exchange_book.bids],
            [(lv.price, lv.amount) for lv in exchange_book.asks])


@pytest.mark.parametrize("okx", [600.0], indirect=True)  # sending 2000 holds the loop
async def test_book_from_the_stream_equals_the_venues_after_thousands_of_updates(
    okx: Venue,
) -> None:
    exchange, standin = okx
    await live(exchange)
    rng = random.Random(11)
    for _ in range(2000):
        ticks = rng.randint(0, 60)
        amount = D(rng.randint(0, 9999)) / D(1000) if rng.random() > 0.3 else D(0)
        if rng.random() < 0.5:
            await standin.diff(bids=[(D("30000.10") - D("0.01") * ticks, amount)])
        else:
            await standin.diff(asks=[(D("30000.20") + D("0.01") * ticks, amount)])
    await caught_up(exchange, standin)
    book = await exchange.fetch_order_book(SYMBOL)
    assert levels(book) == (standin.levels("bids"), standin.levels("asks"))
    assert feed(exchange).resyncs == 0  # every checksum matched
    assert standin.snapshots == 1


async def test_a_sequence_gap_resyncs_from_a_fresh_snapshot(okx: Venue) -> None:
    exchange, standin = okx
    await live(exchange)
    await standin.diff(bids=[(D("30000.11"), D("2"))], lost=True)
    await standin.diff(asks=[(D("30000.19"), D("3"))])
    await until(lambda: feed(exchange).resyncs == 1)
    await caught_up(exchange, standin)
    assert standin.snapshots == 2
    book = await exchange.fetch_order_book(SYMBOL)
    assert levels(book) == (standin.levels("bids"), standin.levels("asks"))


async def test_a_checksum_mismatch_resyncs_from_a_fresh_snapshot(okx: Venue) -> None:
    exchange, standin = okx
    await live(exchange)
    await standin.diff(bids=[(D("30000.11"), D("2"))], bad_checksum=True)
    await until(lambda: feed(exchange).resyncs == 1)
    await standin.diff(asks=[(D("30000.19"), D("3"))])
    await caught_up(exchange, standin)
    assert standin.snapshots == 2
    book = await exchange.fetch_order_book(SYMBOL)
    assert levels(book) == (standin.levels("bids"), standin.levels("asks"))


def test_the_checksum_is_taken_over_the_texts_the_venue_sent() -> None:
    bids = [("30000.1", "0.10"), ("30000", "0.00000001")]
    asks = [("30000.2", "415")]
    book = {"bids": [[D(p), D(q)] for p, q in bids], "asks": [[D(p), D(q)] for p, q in asks]}
    assert book_checksum(book) == checksum(bids, asks)


async def test_reads_of_a_live_stream_make_no_rest_call(okx: Venue) -> None:
    exchange, standin = okx
    await live(exchange)
    before = len(standin.requests(*BOOKS))
    for _ in range(50):
        await exchange.fetch_order_book(SYMBOL)
    assert len(standin.requests(*BOOKS)) == before


async def test_a_dropped_stream_falls_back_to_rest_and_recovers(okx: Venue) -> None:
    exchange, standin = okx
    await live(exchange)
    standin.refuse = True  # the gateway is down until it is back
    await standin.drop()
    await until(lambda: feed(exchange).drops >= 1)
    await standin.diff(bids=[(D("30000.12"), D("5"))])
    before = len(standin.requests(*BOOKS))
    book = await exchange.fetch_order_book(SYMBOL)
    assert len(standin.requests(*BOOKS)) == before + 1  # from REST, current
    assert book.best_bid is not None
    assert book.best_bid.price == D("30000.12")
    standin.refuse = False
    await until(lambda: standin.handshakes >= 2)
    await caught_up(exchange, standin)
    assert standin.snapshots == 2  # resubscribed: a fresh snapshot
    assert levels(await exchange.fetch_order_book(SYMBOL)) == (
        standin.levels("bids"), standin.levels("asks"))


@pytest.mark.parametrize("okx", [0.2], indirect=True)
async def test_a_stalled_stream_falls_back_to_rest_and_is_reconnected(okx: Venue) -> None:
    exchange, standin = okx
    await live(exchange)
    standin.stalled = True
    await standin.diff(asks=[(D("30000.18"), D("7"))])
    await until(lambda: feed(exchange).stalls >= 1)
    before = len(standin.requests(*BOOKS))
    book = await exchange.fetch_order_book(SYMBOL)
    assert len(standin.requests(*BOOKS)) == before + 1
    assert book.best_ask is not None
    assert book.best_ask.price == D("30000.18")
    await until(lambda: standin.handshakes >= 2)
    standin.stalled = False
    await standin.drop()  # the reconnected, silent subscription: start again, now talking
    await caught_up(exchange, standin)
    assert levels(await exchange.fetch_order_book(SYMBOL)) == (
        standin.levels("bids"), standin.levels("asks"))
