"""End to end on the simulated venue, with the virtual clock: the service, each strategy
and each executor, built by the real container from mandate dicts."""

from __future__ import annotations

from decimal import Decimal

import pytest
import structlog

from fortuna import run
from plugins.exchanges.sim.venue import SimExchange
from plugins.market_making.executors.dry_run import DryRunExecutor
from plugins.market_making.executors.exchange import ExchangeExecutor
from schemas import OrderRequest, Side
from tests.market_making.mandates import MANDATE, SYMBOL, ladder, mandate, session, sim

D = Decimal


def prices(orders: list, side: Side) -> list[D]:  # type: ignore[type-arg]
    return sorted(o.price for o in orders if o.side is side)


# --- the service ---------------------------------------------------------------------------


async def test_a_tick_quotes_the_strategys_ladder_on_the_venue() -> None:
    async with session(mandate(ladder(levels=10, spread="0.001", step="0.0005"))) as s:
        await s.ticks(1)
        orders = await s.own_open_orders()
        assert len(orders) == 20
        assert max(prices(orders, Side.BUY)) == D("99.90")
        assert min(prices(orders, Side.SELL)) == D("100.10")


async def test_stopping_cancels_every_resting_order_of_the_mandate() -> None:
    async with session(mandate()) as s:
        await s.ticks(3)
        assert await s.own_open_orders()
        await s.mm.on_stop()
        assert await s.own_open_orders() == []


async def test_stopping_leaves_orders_of_other_mandates_alone() -> None:
    async with session(mandate()) as s:
        other = await s.venue.create_order(OrderRequest(
            symbol=SYMBOL, side="buy", price=D("90"), amount=D("0.1"),
            client_order_id="other-1"))
        await s.ticks(1)
        await s.mm.on_stop()
        assert [o.id for o in await s.venue.fetch_open_orders(SYMBOL)] == [other.id]


async def test_a_guard_that_refuses_once_the_market_is_read_stops_the_tick_before_any_order(
) -> None:
    """A lease lost while the tick read the market (a slow venue, a paused process): the
    guards are asked again before the tick writes, and nothing is sent."""
    async with session(mandate()) as s:
        s.mm.guard(lambda: "lease lost")
        await s.ticks(1)
        assert await s.own_open_orders() == []
        assert s.mm.stop_requested


async def test_the_service_stops_by_itself_after_its_duration() -> None:
    graph = await run(mandate(duration="10m"))
    assert graph.clock.monotonic() == pytest.approx(600, abs=1)


async def test_a_whole_run_leaves_no_order_of_the_mandate_on_the_venue() -> None:
    graph = await run(mandate(duration="30m", venue=sim(trade_rate="2")))
    venue = graph["sim"]
    assert isinstance(venue, SimExchange)
    assert len(await venue.fetch_closed_orders(SYMBOL)) > 0  # it did quote
    assert await venue.fetch_open_orders(SYMBOL) == []


async def test_starting_cancels_orders_an_earlier_run_left() -> None:
    async with session(mandate(), started=False) as s:
        await s.venue.create_order(OrderRequest(
            symbol=SYMBOL, side="buy", price=D("95"), amount=D("0.1"),
            client_order_id=f"{MANDATE}-old-1"))
        await s.mm.on_start()
        assert await s.own_open_orders() == []


async def test_starting_with_adopt_keeps_an_earlier_order_the_strategy_still_wants() -> None:
    async with session(mandate(ladder(levels=1, spread="0.002"), on_start="adopt"),
                       started=False) as s:
        old = await s.venue.create_order(OrderRequest(
            symbol=SYMBOL, side="buy", price=D("99.80"), amount=D("0.1"),
            client_order_id=f"{MANDATE}-old-1"))
        await s.mm.on_start()
        await s.ticks(1)
        ids = {o.id for o in await s.own_open_orders()}
        assert old.id in ids
        assert len(ids) == 2


async def test_client_order_ids_carry_the_mandate_prefix() -> None:
    async with session(mandate()) as s:
        await s.ticks(1)
        assert all(o.client_order_id.startswith(f"{MANDATE}-")  # type: ignore[union-attr]
                   for o in await s.all_orders())


async def test_quotes_are_trimmed_to_the_balances_held() -> None:
    venue = sim(balances={"BTC": "0.15", "USDT": "10000"})
    async with session(mandate(ladder(levels=3, amount="0.1"), venue=venue)) as s:
        await s.ticks(1)
        sells = [o for o in await s.own_open_orders() if o.side is Side.SELL]
        assert sorted(o.amount for o in sells) == [D("0.05"), D("0.1")]


async def test_a_refused_order_is_logged_with_its_reason_and_never_sent() -> None:
    # levels of 0.05, 0.1 and 0.15: the first passes the cap (validation refuses a mandate
    # whose every order is over it), the other two are refused on each side
    risk = {"id": "market_making.risk", "args": {"max_amount": "0.05"}}
    strategy = ladder(amount="0.05", amount_step="0.05")
    with structlog.testing.capture_logs() as logs:
        async with session(mandate(strategy, extra={"risk": risk}, risk="@risk")) as s:
            await s.ticks(1)
            assert sorted(o.amount for o in await s.all_orders()) == [D("0.05"), D("0.05")]
    refusals = [e for e in logs if e["event"] == "order refused"]
    assert len(refusals) == 4
    assert "amount 0.100 is over the cap 0.05" in refusals[0]["reason"]


async def test_the_order_rate_limit_holds_within_a_single_tick() -> None:
    risk = {"id": "market_making.risk", "args": {"max_orders": 4, "rate_window": "1m"}}
    async with session(mandate(extra={"risk": risk}, risk="@risk")) as s:
        await s.ticks(1)
        assert len(await s.all_orders()) == 4
        assert len(s.mm.last_report.refused) == 2  # type: ignore[union-attr]


async def test_a_collar_refuses_the_levels_outside_it() -> None:
    risk = {"id": "market_making.risk", "args": {"collar": "0.0035"}}
    async with session(mandate(extra={"risk": risk}, risk="@risk")) as s:
        await s.ticks(1)
        orders = await s.own_open_orders()
        assert prices(orders, Side.BUY) == [D("99.70"), D("99.80")]
        assert prices(orders, Side.SELL) == [D("100.20"), D("100.30")]


async def test_fills_of_the_mandates_orders_are_reported_for_metrics() -> None:
    spec = mandate(ladder(levels=2, spread="0.0005", step="0.0005"),
                   price={"id": "prices.ticker", "args": {"exchange": "@sim", "symbol": SYMBOL}},
                   venue=sim(trade_rate="2"))
    async with session(spec) as s:
        await s.ticks(600)
        executor = s.graph["executor"]
        assert isinstance(executor, ExchangeExecutor)
        page = await executor.fills_since(0)
        assert page.fills
        assert all(f.client_order_id.startswith(f"{MANDATE}-")  # type: ignore[union-attr]
                   for f in page.fills)
        assert executor.fill_venue == "sim"


# --- strategies, end to end ---------------------------------------------------------------


async def test_band_mandate_keeps_its_orders_while_they_stay_in_the_band() -> None:
    band = {"id": "market_making.strategies.band",
            "args": {"spread": "0.002", "min_spread": "0.001", "max_spread": "0.004",
                     "amount": "0.1"}}
    spec = mandate(band, price={"id": "prices.ticker",
                                "args": {"exchange": "@sim", "symbol": SYMBOL}})
    async with session(spec) as s:
        await s.ticks(1)
        first = {o.id for o in await s.own_open_orders()}
        await s.ticks(5)
        assert {o.id for o in await s.own_open_orders()} == first
        await s.ticks(600)
        for order in await s.own_open_orders():  # still inside the band around the mid
            mid = (await s.venue.fetch_ticker(SYMBOL)).mid
            assert mid is not None
            assert order.price is not None
            assert abs(order.price - mid) / mid <= D("0.004") + D("0.0002")


async def test_skewed_mandate_quotes_lower_when_long_of_its_target() -> None:
    skewed = {"id": "market_making.strategies.skewed",
              "args": {"spread": "0.002", "amount": "0.1", "target": "5", "range": "5",
                       "max_skew": "0.001"}}
    bids = []
    for held in ("5", "10"):
        venue = sim(balances={"BTC": held, "USDT": "10000"})
        async with session(mandate(skewed, venue=venue)) as s:
            await s.ticks(1)
            bids.append(max(prices(await s.own_open_orders(), Side.BUY)))
    assert bids == [D("99.80"), D("99.70")]


async def test_price_threshold_mandate_never_offers_below_its_threshold() -> None:
    threshold = {"id": "market_making.strategies.price_threshold",
                 "args": {"levels": 3, "spread": "0.001", "step": "0.001", "amount": "0.1",
                          "min_sell_price": "100.25"}}
    async with session(mandate(threshold)) as s:
        await s.ticks(3)
        assert prices(await s.own_open_orders(), Side.SELL) == [D("100.30")]


async def test_price_threshold_mandate_quotes_nothing_outside_its_reference_limits() -> None:
    threshold = {"id": "market_making.strategies.price_threshold",
                 "args": {"spread": "0.001", "amount": "0.1", "max_reference": "99"}}
    async with session(mandate(threshold)) as s:
        await s.ticks(3)
        assert await s.all_orders() == []


async def test_multi_mandate_quotes_the_levels_of_every_strategy() -> None:
    spec = mandate(
        {"id": "market_making.strategies.multi", "args": {"strategies": ["@inner", "@outer"]}},
        extra={"inner": ladder(levels=1, spread="0.001"),
               "outer": ladder(levels=1, spread="0.01", amount="0.5")},
    )
    async with session(spec) as s:
        await s.ticks(1)
        orders = await s.own_open_orders()
        assert prices(orders, Side.BUY) == [D("99.00"), D("99.90")]
        assert prices(orders, Side.SELL) == [D("100.10"), D("101.00")]


# --- executors ------------------------------------------------------------------------------


async def test_exchange_executor_replaces_nothing_while_quotes_stay_within_tolerance() -> None:
    spec = mandate(
        ladder(),
        price={"id": "prices.ticker", "args": {"exchange": "@sim", "symbol": SYMBOL}},
        executor={"id": "market_making.executors.exchange",
                  "args": {"price_tolerance": "0.01"}},
        venue=sim(trade_rate="0"),
    )
    async with session(spec) as s:
        await s.ticks(1)
        first = {o.id for o in await s.own_open_orders()}
        await s.ticks(60)
        assert {o.id for o in await s.own_open_orders()} == first


async def test_exchange_executor_replaces_a_quote_beyond_tolerance() -> None:
    spec = mandate(
        ladder(),
        price={"id": "prices.ticker", "args": {"exchange": "@sim", "symbol": SYMBOL}},
        venue=sim(trade_rate="0", volatility="2"),
    )
    async with session(spec) as s:
        await s.ticks(1)
        first = {o.id for o in await s.own_open_orders()}
        await s.ticks(30)
        assert {o.id for o in await s.own_open_orders()}.isdisjoint(first)


async def test_dry_run_executor_touches_nothing_on_the_venue() -> None:
    spec = mandate(executor={"id": "market_making.executors.dry_run"})
    with structlog.testing.capture_logs() as logs:
        async with session(spec) as s:
            await s.ticks(5)
            executor = s.graph["executor"]
            assert isinstance(executor, DryRunExecutor)
            assert len(executor.resting) == 6
            await s.mm.on_stop()
            assert executor.resting == []
            assert await s.all_orders() == []
    events = [e["event"] for e in logs]
    assert events.count("would place") == 6
    assert events.count("would cancel") == 6


async def test_dry_run_executor_reasons_like_the_exchange_executor() -> None:
    placed = {}
    for kind in ("exchange", "dry_run"):
        spec = mandate(executor={"id": f"market_making.executors.{kind}"})
        async with session(spec) as s:
            await s.ticks(1)
            executor = s.graph["executor"]
            placed[kind] = sorted((o.side, o.price, o.amount)
                                  for o in executor.resting)  # type: ignore[attr-defined]
    assert placed["exchange"] == placed["dry_run"]
