"""Reference prices read from the simulated venue (virtual clock), and the fixed price."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from fortuna import Graph, start, validate
from plugins.exchanges.sim.venue import SimExchange
from schemas import ExchangeUnavailable, PriceProvider, PriceUnavailable, Side

SYMBOL = "BTC/USDT"


def venue_with(prices: dict[str, dict[str, Any]], **sim_args: Any) -> dict[str, Any]:
    args = {"markets": [{"symbol": SYMBOL, "price": "100.00"}], "seed": 3, **sim_args}
    return {
        "service": "@idle",
        "components": {
            "clock": {"id": "clock.virtual"},
            "sim": {"id": "exchanges.sim", "args": args},
            **prices,
            "idle": {"id": "market_making", "args": {
                "exchange": "@sim", "symbol": SYMBOL, "price": "@fixed", "mandate": "idle",
                "strategy": "@ladder", "executor": "@dry", "interval": "1s"}},
            "fixed": {"id": "prices.fixed", "args": {"price": "100"}},
            "ladder": {"id": "market_making.strategies.ladder",
                       "args": {"spread": "0.01", "amount": "1"}},
            "dry": {"id": "market_making.executors.dry_run"},
        },
    }


@pytest.fixture
async def graph() -> AsyncIterator[Graph]:
    spec = venue_with({
        "mid": {"id": "prices.ticker", "args": {"exchange": "@sim", "symbol": SYMBOL}},
        "bid": {"id": "prices.ticker",
                "args": {"exchange": "@sim", "symbol": SYMBOL, "side": "bid"}},
        "ask": {"id": "prices.ticker",
                "args": {"exchange": "@sim", "symbol": SYMBOL, "side": "ask"}},
        "last": {"id": "prices.ticker",
                 "args": {"exchange": "@sim", "symbol": SYMBOL, "side": "last"}},
        "book_mid": {"id": "prices.order_book", "args": {"exchange": "@sim", "symbol": SYMBOL}},
        "weighted": {"id": "prices.order_book",
                     "args": {"exchange": "@sim", "symbol": SYMBOL,
                              "method": "depth_weighted", "depth": "2.5"}},
        "too_deep": {"id": "prices.order_book",
                     "args": {"exchange": "@sim", "symbol": SYMBOL,
                              "method": "depth_weighted", "depth": "1000"}},
    })
    async with start(spec) as loaded:
        yield loaded


def provider(graph: Graph, name: str) -> PriceProvider:
    component = graph[name]
    assert isinstance(component, PriceProvider)
    return component


def venue(graph: Graph) -> SimExchange:
    component = graph["sim"]
    assert isinstance(component, SimExchange)
    return component


async def test_ticker_price_reads_mid_bid_and_ask_of_the_venues_ticker(graph: Graph) -> None:
    ticker = await venue(graph).fetch_ticker(SYMBOL)
    assert await provider(graph, "mid").price() == ticker.mid
    assert await provider(graph, "bid").price() == ticker.bid
    assert await provider(graph, "ask").price() == ticker.ask


async def test_ticker_price_reads_the_last_trade(graph: Graph) -> None:
    await graph.clock.sleep(60)
    ticker = await venue(graph).fetch_ticker(SYMBOL)
    assert await provider(graph, "last").price() == ticker.last


async def test_ticker_quote_carries_the_venues_timestamp(graph: Graph) -> None:
    await graph.clock.sleep(5)
    quote = await provider(graph, "mid").quote()
    assert quote.timestamp == graph.clock.now()
    assert quote.source == "mid"
    assert isinstance(quote.price, Decimal)


async def test_order_book_mid_is_halfway_between_best_bid_and_ask(graph: Graph) -> None:
    book = await venue(graph).fetch_order_book(SYMBOL)
    assert await provider(graph, "book_mid").price() == book.mid


async def test_order_book_depth_weighted_averages_both_sides_over_the_depth(
    graph: Graph,
) -> None:
    book = await venue(graph).fetch_order_book(SYMBOL)
    bought = book.average_fill_price(Side.BUY, Decimal("2.5"))
    sold = book.average_fill_price(Side.SELL, Decimal("2.5"))
    assert bought is not None
    assert sold is not None
    assert await provider(graph, "weighted").price() == (bought + sold) / 2


async def test_order_book_price_is_unavailable_when_the_book_is_too_thin(graph: Graph) -> None:
    with pytest.raises(PriceUnavailable, match="less than 1000"):
        await provider(graph, "too_deep").price()


async def test_fixed_price_is_its_arg(graph: Graph) -> None:
    assert await provider(graph, "fixed").price() == Decimal(100)


def test_a_depth_weighted_book_price_needs_a_depth() -> None:
    spec = venue_with({"weighted": {"id": "prices.order_book", "args": {
        "exchange": "@sim", "symbol": SYMBOL, "method": "depth_weighted"}}})
    assert any("needs a depth" in str(f) for f in validate(spec).findings)


def test_a_fixed_price_refuses_a_float() -> None:
    spec = venue_with({"fixed2": {"id": "prices.fixed", "args": {"price": 100.5}}})
    assert any("float" in str(f) for f in validate(spec).findings)


async def test_a_venue_error_reaches_the_consumer_as_price_unavailable() -> None:
    spec = venue_with({
        "mid": {"id": "prices.ticker", "args": {"exchange": "@sim", "symbol": SYMBOL}},
        "book_mid": {"id": "prices.order_book", "args": {"exchange": "@sim", "symbol": SYMBOL}},
        "vwap": {"id": "prices.vwap", "args": {"exchange": "@sim", "symbol": SYMBOL,
                                               "window": "1m", "max_age": "1m"}},
    }, faults={"outages": [{"start": "10s", "duration": "1h"}]})
    async with start(spec) as loaded:
        await loaded.clock.sleep(20)
        for name in ("mid", "book_mid", "vwap"):
            for read in (provider(loaded, name).quote, provider(loaded, name).price):
                with pytest.raises(PriceUnavailable, match=f"^{name}: .*down for maintenance"
                                   ) as e:
                    await read()
                assert isinstance(e.value.__cause__, ExchangeUnavailable)
                assert e.value.source == name
