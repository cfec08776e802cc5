"""VWAP, window and nested composites on simulated venues, on the virtual clock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any

import pytest

from fortuna import Graph, start, validate
from plugins.exchanges.sim.venue import SimExchange
from plugins.prices.window import WindowPrice
from schemas import ExchangeUnavailable, PriceUnavailable, Trade
from tests.prices.support import SYMBOL, mandate, provider, sim

D34 = Context(prec=34, rounding=ROUND_HALF_EVEN)
"""Hand computation: decimal128 quotients, half to even (what the composites document)."""


def venue(graph: Graph, name: str = "sim") -> SimExchange:
    component = graph[name]
    assert isinstance(component, SimExchange)
    return component


def vwap_of(trades: Sequence[Trade]) -> Decimal:
    """sum(price * amount) / sum(amount), the division at the composites' 34 digits."""
    value = sum((t.price * t.amount for t in trades), Decimal(0))
    volume = sum((t.amount for t in trades), Decimal(0))
    return D34.divide(value, volume)


def vwap(**args: Any) -> dict[str, Any]:
    return {"id": "prices.vwap", "args": {
        "exchange": "@sim", "symbol": SYMBOL, "window": "1m", "max_age": "1m", **args}}


async def test_vwap_weighs_the_trades_of_the_window_by_amount() -> None:
    async with start(mandate({"v": vwap()})) as graph:
        await graph.clock.sleep(300)
        now = graph.clock.now()
        trades = await venue(graph).fetch_trades(SYMBOL, since=now - timedelta(minutes=1))
        assert len(trades) > 2
        assert await provider(graph, "v").price() == vwap_of(trades)


async def test_vwap_leaves_out_the_trades_before_the_window() -> None:
    async with start(mandate({"v": vwap()})) as graph:
        await graph.clock.sleep(300)
        every = await venue(graph).fetch_trades(SYMBOL)
        recent = [t for t in every if t.timestamp >= graph.clock.now() - timedelta(minutes=1)]
        assert len(recent) < len(every)
        assert await provider(graph, "v").price() == vwap_of(recent)


async def test_vwap_pages_forward_through_a_window_larger_than_a_page() -> None:
    async with start(mandate({"paged": vwap(page_size=3, max_pages=1000),
                              "whole": vwap()})) as graph:
        await graph.clock.sleep(300)
        assert await provider(graph, "paged").price() == await provider(graph, "whole").price()


async def test_vwap_refuses_a_window_it_cannot_read_within_max_pages() -> None:
    async with start(mandate({"v": vwap(page_size=1, max_pages=2)})) as graph:
        await graph.clock.sleep(300)
        with pytest.raises(PriceUnavailable, match="more than 2 pages of 1 trades"):
            await provider(graph, "v").price()


async def test_vwap_from_candles_weighs_closes_by_volume() -> None:
    async with start(mandate({"v": vwap(basis="candles", window="5m")})) as graph:
        await graph.clock.sleep(900)
        now = graph.clock.now()
        candles = [c for c in await venue(graph).fetch_ohlcv(
            SYMBOL, "1m", since=now - timedelta(minutes=5)) if c.timestamp >= now -
            timedelta(minutes=5)]
        value = sum((c.close * c.volume for c in candles), Decimal(0))
        volume = sum((c.volume for c in candles), Decimal(0))
        assert await provider(graph, "v").price() == D34.divide(value, volume)


async def test_vwap_is_unavailable_while_the_venue_is_down() -> None:
    spec = mandate({"v": vwap()})
    spec["components"]["sim"] = sim(faults={"outages": [{"start": "2m", "duration": "1h"}]})
    async with start(spec) as graph:
        await graph.clock.sleep(180)
        with pytest.raises(PriceUnavailable, match="down for maintenance") as caught:
            await provider(graph, "v").price()
        assert isinstance(caught.value.__cause__, ExchangeUnavailable)


# -- window ---------------------------------------------------------------------------------

def window(statistic: str, **args: Any) -> dict[str, Any]:
    return {"id": "prices.window", "args": {
        "source": "@mid", "window": "2m", "sample_interval": "10s", "max_age": "30s",
        "statistic": statistic, **args}}


WINDOWED = {
    "mid": {"id": "prices.ticker", "args": {"exchange": "@sim", "symbol": SYMBOL}},
    "lo": window("min"), "hi": window("max"), "med": window("median"), "avg": window("mean"),
}


async def mids_every_10s(graph: Graph, count: int) -> list[Decimal]:
    """The source's price at each of the window's sampling instants (0 s, 10 s, ...)."""
    mids = []
    for step in range(count):
        if step:
            await graph.clock.sleep(10)
        mids.append(await provider(graph, "mid").price())
    return mids


async def test_window_samples_on_the_graphs_clock_at_its_interval() -> None:
    async with start(mandate(WINDOWED)) as graph:
        started = graph.clock.now()
        await graph.clock.sleep(65)
        lo = graph["lo"]
        assert isinstance(lo, WindowPrice)
        stamps = [q.timestamp for q in lo.in_window()]
        assert [(t - started).total_seconds() for t in stamps] == [0, 10, 20, 30, 40, 50, 60]


async def test_window_min_max_median_and_mean_of_the_samples() -> None:
    async with start(mandate(WINDOWED)) as graph:
        mids = await mids_every_10s(graph, 7)  # 0 s .. 60 s: all inside the 2 m window
        await graph.clock.sleep(1)
        assert len(set(mids)) > 1
        ordered = sorted(mids)
        assert await provider(graph, "lo").price() == ordered[0]
        assert await provider(graph, "hi").price() == ordered[-1]
        assert await provider(graph, "med").price() == ordered[3]
        assert await provider(graph, "avg").price() == D34.divide(
            sum(mids, Decimal(0)), Decimal(7))


async def test_window_forgets_samples_older_than_the_window() -> None:
    async with start(mandate(WINDOWED)) as graph:
        mids = await mids_every_10s(graph, 16)  # 0 s .. 150 s
        await graph.clock.sleep(1)  # at 151 s the window holds 40 s .. 150 s
        assert await provider(graph, "lo").price() == min(mids[4:])
        assert await provider(graph, "hi").price() == max(mids[4:])


async def test_window_refuses_fewer_samples_than_min_samples() -> None:
    async with start(mandate({**WINDOWED, "many": window("mean", min_samples=3)})) as graph:
        with pytest.raises(PriceUnavailable, match=r"1 sample\(s\) in the last 120 s, 3 needed"):
            await provider(graph, "many").price()
        await graph.clock.sleep(21)  # samples at 0 s, 10 s and 20 s
        await provider(graph, "many").price()


async def test_window_refuses_when_the_newest_sample_is_stale() -> None:
    spec = mandate(WINDOWED)
    spec["components"]["sim"] = sim(faults={"outages": [{"start": "15s", "duration": "1h"}]})
    async with start(spec) as graph:
        await graph.clock.sleep(50)  # samples at 0 s and 10 s only; the newest is 40 s old
        with pytest.raises(PriceUnavailable, match="newest sample is 40 s old"):
            await provider(graph, "avg").price()


def test_a_window_sampled_less_often_than_its_length_is_refused() -> None:
    spec = mandate({**WINDOWED, "odd": window("min", sample_interval="3m")})
    assert any("longer than the window" in str(f) for f in validate(spec).findings)


# -- nesting -----------------------------------------------------------------------------------

NESTED: dict[str, Any] = {
    "alpha": sim(price="100.00", seed=5, venue="alpha"),
    "beta": sim(price="100.50", seed=9, venue="beta"),
    "alpha_trades": vwap(exchange="@alpha"),
    "alpha_candles": vwap(exchange="@alpha", basis="candles", window="5m"),
    "beta_trades": vwap(exchange="@beta"),
    "beta_candles": vwap(exchange="@beta", basis="candles", window="5m"),
    "alpha_fb": {"id": "prices.fallback", "args": {
        "max_age": "1m", "sources": ["@alpha_trades", "@alpha_candles"]}},
    "beta_fb": {"id": "prices.fallback", "args": {
        "max_age": "1m", "sources": ["@beta_trades", "@beta_candles"]}},
    "fair": {"id": "prices.median", "args": {
        "max_age": "1m", "sources": ["@alpha_fb", "@beta_fb"], "max_divergence": "0.05"}},
}


def test_a_median_of_fallbacks_of_vwaps_validates() -> None:
    # "fair" is what the tests read, so nothing in the mandate references it: a warning
    assert validate(mandate(NESTED)).errors == []


async def test_a_median_of_fallbacks_of_vwaps_prices_the_midpoint_of_both_venues() -> None:
    async with start(mandate(NESTED)) as graph:
        await graph.clock.sleep(300)
        alpha = await provider(graph, "alpha_trades").price()
        beta = await provider(graph, "beta_trades").price()
        # the midpoint of two prices is exact: every digit kept, none rounded
        wide = Context(prec=100)
        assert await provider(graph, "fair").price() == wide.multiply(
            wide.add(alpha, beta), Decimal("0.5"))


async def test_vwap_refuses_a_window_whose_newest_trade_is_older_than_max_age() -> None:
    spec = mandate({
        "tr": {"id": "listeners.trades", "args": {
            "exchange": "@sim", "symbol": SYMBOL, "interval": "30s", "max_age": "1h",
            "lag": "0s"}},
        "v": vwap(exchange="@tr", window="5m"),
    })
    spec["components"]["sim"] = sim(faults={"outages": [{"start": "65s", "duration": "1h"}]})
    async with start(spec) as graph:
        await graph.clock.sleep(90)
        await provider(graph, "v").price()  # trades up to the fetch at 60 s: fresh enough
        await graph.clock.sleep(110)  # the listener still serves them; none is newer
        with pytest.raises(PriceUnavailable, match=r"stale: the newest trade is \d+(\.\d+)? s "
                           r"old \(max 60 s\)"):
            await provider(graph, "v").price()
