"""Listeners on the simulated venue and the virtual clock: cadence, readers, refusals."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from fortuna import start, validate
from schemas import (
    BadSymbol,
    NotSupported,
    OrderRequest,
    PriceProvider,
    PriceUnavailable,
    Side,
)
from schemas.feeds import (
    BalancesFeed,
    CandlesFeed,
    ClosedOrdersFeed,
    FeedUnavailable,
    OpenOrdersFeed,
    OrderBookFeed,
    TickerFeed,
    TradesFeed,
)
from schemas.risk import KillSwitch
from tests.listeners.support import SYMBOL, listener, mandate, sim, spec_of, venue

OUTAGE = {"outages": [{"start": "12s", "duration": "1h"}]}


async def test_a_listener_fetches_at_load_then_every_interval_of_the_graphs_clock() -> None:
    async with start(mandate({"t": spec_of("ticker")})) as graph:
        assert listener(graph, "t").fetches == 1
        await graph.clock.sleep(61)
        assert listener(graph, "t").fetches == 13  # 0 s, then 5 s .. 60 s


async def test_each_fetch_is_a_reading_numbered_in_order_and_stamped_on_the_clock() -> None:
    async with start(mandate({"t": spec_of("ticker")})) as graph:
        await graph.clock.sleep(11)
        reading = listener(graph, "t").reading()
        assert reading.sequence == 3
        assert reading.fetched_at == graph.clock.now() - timedelta(seconds=1)


async def test_one_fetch_serves_every_reader() -> None:
    async with start(mandate({
        "t": spec_of("ticker"),
        "mid": {"id": "prices.ticker", "args": {"exchange": "@t", "symbol": SYMBOL}},
        "bid": {"id": "prices.ticker", "args": {"exchange": "@t", "symbol": SYMBOL,
                                                 "side": "bid"}},
    })) as graph:
        await graph.clock.sleep(7)
        ticker = listener(graph, "t").reading().value
        for _ in range(20):
            mid, bid = graph["mid"], graph["bid"]
            assert isinstance(mid, PriceProvider)
            assert isinstance(bid, PriceProvider)
            assert await mid.price() == ticker.mid
            assert await bid.price() == ticker.bid
        assert listener(graph, "t").fetches == 2


async def test_a_reading_older_than_max_age_is_refused_never_served() -> None:
    spec = mandate({"t": spec_of("ticker", max_age="20s")})
    spec["components"]["sim"] = sim(faults=OUTAGE)
    async with start(spec) as graph:
        await graph.clock.sleep(30)  # fetched at 0, 5, 10 s; failing since 15 s
        feed = graph["t"]
        assert isinstance(feed, TickerFeed)
        assert (await feed.fetch_ticker(SYMBOL)).timestamp == graph.clock.now() - timedelta(
            seconds=20)
        await graph.clock.sleep(1)
        with pytest.raises(FeedUnavailable, match=r"21 s old \(max 20 s; 4 failed"):
            await feed.fetch_ticker(SYMBOL)


async def test_a_price_read_through_a_silent_listener_is_unavailable() -> None:
    spec = mandate({"t": spec_of("ticker"), "mid": {
        "id": "prices.ticker", "args": {"exchange": "@t", "symbol": SYMBOL}}})
    spec["components"]["sim"] = sim(faults=OUTAGE)
    async with start(spec) as graph:
        await graph.clock.sleep(60)
        mid = graph["mid"]
        assert isinstance(mid, PriceProvider)
        with pytest.raises(PriceUnavailable) as caught:
            await mid.price()
        assert isinstance(caught.value.__cause__, FeedUnavailable)


async def test_a_listener_refuses_a_read_of_another_market() -> None:
    async with start(mandate({"t": spec_of("ticker")})) as graph:
        feed = graph["t"]
        assert isinstance(feed, TickerFeed)
        with pytest.raises(BadSymbol, match="follows BTC/USDT, not ETH/USDT"):
            await feed.fetch_ticker("ETH/USDT")


async def test_an_order_book_is_sampled_to_the_configured_depth() -> None:
    async with start(mandate({"b": spec_of("order_book", depth=3)})) as graph:
        feed = graph["b"]
        assert isinstance(feed, OrderBookFeed)
        book = await feed.fetch_order_book(SYMBOL)
        full = await venue(graph).fetch_order_book(SYMBOL)
        assert book.bids == full.bids[:3]
        assert book.asks == full.asks[:3]
        top = await feed.fetch_order_book(SYMBOL, limit=1)
        assert (top.bids, top.asks) == (full.bids[:1], full.asks[:1])
        assert len((await feed.fetch_order_book(SYMBOL, limit=50)).bids) == 3


async def test_balances_are_served_to_an_inventory_kill_switch() -> None:
    async with start(mandate({
        "bal": spec_of("balances"),
        "inv": {"id": "kill_switches.inventory", "args": {
            "exchange": "@bal", "symbol": SYMBOL, "base_max": "0.5"}},
    })) as graph:
        feed, switch = graph["bal"], graph["inv"]
        assert isinstance(feed, BalancesFeed)
        assert isinstance(switch, KillSwitch)
        assert await feed.fetch_balances() == await venue(graph).fetch_balances()
        assert await switch.check() == (
            (await feed.fetch_balances()).total("BTC") > Decimal("0.5"))


async def test_candles_are_served_in_the_listeners_timeframe_only() -> None:
    async with start(mandate({"c": spec_of("ohlcv", timeframe="1m", candles=5)})) as graph:
        await graph.clock.sleep(601)  # fetched at 600 s: the candle of 10 min has just opened
        feed = graph["c"]
        assert isinstance(feed, CandlesFeed)
        candles = await feed.fetch_ohlcv(SYMBOL, "1m")
        venue_candles = await venue(graph).fetch_ohlcv(SYMBOL, "1m", limit=5)
        assert [c.timestamp for c in candles] == [c.timestamp for c in venue_candles]
        assert candles[:-1] == venue_candles[:-1]  # the closed ones
        with pytest.raises(NotSupported, match="keeps 1m candles, not 5m"):
            await feed.fetch_ohlcv(SYMBOL, "5m")


def funded(components: dict[str, object]) -> dict[str, object]:
    spec = mandate(components)
    spec["components"]["sim"] = sim(balances={"USDT": 1000, "BTC": 1})
    return spec


async def test_open_orders_appear_at_the_next_fetch() -> None:
    async with start(funded({"o": spec_of("open_orders")})) as graph:
        feed = graph["o"]
        assert isinstance(feed, OpenOrdersFeed)
        assert await feed.fetch_open_orders() == []
        placed = await venue(graph).create_order(OrderRequest(
            symbol=SYMBOL, side=Side.BUY, amount=Decimal("0.01"), price=Decimal("50.00")))
        assert await feed.fetch_open_orders() == []
        await graph.clock.sleep(6)  # the fetch at 5 s
        assert [o.id for o in await feed.fetch_open_orders(SYMBOL)] == [placed.id]


async def test_trades_are_taken_once_each_and_none_is_skipped() -> None:
    async with start(mandate({"tr": spec_of("trades", lag="0s", page_size=7)})) as graph:
        started = graph.clock.now()
        await graph.clock.sleep(301)
        feed = graph["tr"]
        assert isinstance(feed, TradesFeed)
        kept = await feed.fetch_trades(SYMBOL)
        venue_trades = await venue(graph).fetch_trades(SYMBOL, since=started)
        fetched_until = listener(graph, "tr").reading().fetched_at
        assert len(kept) > 20
        assert len({t.id for t in kept}) == len(kept)
        assert kept == [t for t in venue_trades if t.timestamp <= fetched_until]


async def test_an_old_order_that_closes_late_is_still_taken() -> None:
    async with start(funded({"co": spec_of("closed_orders", lag="0s")})) as graph:
        sim_venue = venue(graph)
        old = await sim_venue.create_order(OrderRequest(
            symbol=SYMBOL, side=Side.BUY, amount=Decimal("0.01"), price=Decimal("50.00")))
        await graph.clock.sleep(120)
        young = await sim_venue.create_order(OrderRequest(
            symbol=SYMBOL, side=Side.BUY, amount=Decimal("0.01"), price=Decimal("51.00")))
        await sim_venue.cancel_order(young.id, SYMBOL)
        await graph.clock.sleep(10)
        await sim_venue.cancel_order(old.id, SYMBOL)  # created 130 s ago, closed now
        await graph.clock.sleep(10)
        feed = graph["co"]
        assert isinstance(feed, ClosedOrdersFeed)
        assert [o.id for o in await feed.fetch_closed_orders()] == [young.id, old.id]


# -- validation ----------------------------------------------------------------------------------


def findings(components: dict[str, object]) -> list[str]:
    return [str(f) for f in validate(mandate(components)).findings]


def test_records_for_sinks_need_a_mandate() -> None:
    assert any("need a mandate" in f for f in findings({
        "log": {"id": "sinks.log"}, "t": spec_of("ticker", sinks=["@log"])}))


def test_a_max_age_shorter_than_the_interval_is_refused() -> None:
    assert any("shorter than the interval" in f for f in findings({
        "t": spec_of("ticker", max_age="1s")}))


def test_a_cursor_store_must_be_a_sink_that_reads_cursors_back() -> None:
    assert any("does not provide CursorStore" in f for f in findings({
        "log": {"id": "sinks.log"},
        "tr": spec_of("trades", mandate="m", cursor_store="@log")}))


def test_an_order_book_depth_of_zero_is_refused() -> None:
    assert any("depth" in f for f in findings({"b": spec_of("order_book", depth=0)}))


def test_a_price_reads_only_a_listener_of_the_right_kind() -> None:
    assert any("TickerFeed" in f for f in findings({
        "bal": spec_of("balances"),
        "mid": {"id": "prices.ticker", "args": {"exchange": "@bal", "symbol": SYMBOL}}}))
