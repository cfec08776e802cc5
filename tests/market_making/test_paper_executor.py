"""market_making.executors.paper on the simulated venue: the mandate quotes against the
sim's live book and public trades, fills on paper, and the sim never receives an order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from plugins.market_making.executors.paper import PaperExecutor
from schemas import Order, Side, money
from tests.market_making.mandates import ladder, mandate, session, sim

START = {"BTC": Decimal("1"), "USDT": Decimal("1000")}


def paper_mandate(balances: dict[str, Decimal] | None = None, *,
                  amount_tolerance: str = "0", **venue: Any) -> dict[str, Any]:
    executor = {"id": "market_making.executors.paper",
                "args": {"balances": {k: str(v) for k, v in (balances or START).items()},
                         "amount_tolerance": amount_tolerance}}
    # Inside the synthetic spread (100 +- 0.05): nothing is ahead, trades reach the quotes.
    return mandate(ladder(levels=1, spread="0.0002", amount="0.05"), venue=sim(**venue),
                   executor=executor, price={"id": "prices.ticker", "args": {
                       "exchange": "@sim", "symbol": "BTC/USDT", "side": "mid"}})


def executor_of(graph: Any) -> PaperExecutor:
    executor = graph["executor"]
    assert isinstance(executor, PaperExecutor)
    return executor


async def test_a_paper_mandate_quotes_without_sending_an_order_to_the_venue() -> None:
    async with session(paper_mandate()) as s:
        await s.ticks(30)
        assert await s.all_orders() == []
        assert sorted(o.side.value for o in executor_of(s.graph).resting) == ["buy", "sell"]


async def test_public_trades_of_the_venue_fill_paper_orders() -> None:
    async with session(paper_mandate(trade_rate="2")) as s:
        await s.ticks(120)
        fills = (await executor_of(s.graph).fills_since(0)).fills
        assert {f.side for f in fills} == {Side.BUY, Side.SELL}


async def test_paper_balances_are_the_starting_balances_plus_the_fills() -> None:
    async with session(paper_mandate(trade_rate="2")) as s:
        await s.ticks(120)
        executor = executor_of(s.graph)
        fills = (await executor.fills_since(0)).fills
        assert fills
        base, quote = START["BTC"], START["USDT"]
        for f in fills:
            sign = 1 if f.side is Side.BUY else -1
            base = money.add(base, sign * f.amount)
            quote = money.subtract(quote, money.add(sign * f.cost, f.fee))
        balances = executor.simulated_balances()
        assert (balances.total("BTC"), balances.total("USDT")) == (base, quote)


async def test_the_service_trims_quotes_to_the_paper_balances() -> None:
    async with session(paper_mandate({"BTC": Decimal(0), "USDT": Decimal("1000")})) as s:
        await s.ticks(5)
        assert [o.side.value for o in executor_of(s.graph).resting] == ["buy"]


async def test_stopping_a_paper_mandate_leaves_no_order_and_frees_the_balances() -> None:
    async with session(paper_mandate()) as s:
        await s.ticks(5)
        await s.mm.on_stop()
        executor = executor_of(s.graph)
        assert s.mm.left_behind == []
        assert executor.resting == []
        balances = executor.simulated_balances()
        assert balances.used("BTC") == 0
        assert balances.used("USDT") == 0


async def test_a_paper_order_no_fill_has_touched_is_the_same_order_on_every_tick() -> None:
    async with session(paper_mandate(volatility="0", trade_rate="0")) as s:
        await s.ticks(3)
        before = executor_of(s.graph).resting
        await s.ticks(3)
        after = executor_of(s.graph).resting
        assert len(before) == 2
        assert all(a is b for a, b in zip(after, before, strict=True))


async def test_a_resting_paper_order_shows_what_has_filled_of_it() -> None:
    # A partly filled order is kept (not replaced) within a wide amount tolerance.
    async with session(paper_mandate(trade_rate="2", amount_tolerance="0.99")) as s:
        executor = executor_of(s.graph)
        partly: list[Order] = []
        for _ in range(120):
            await s.ticks(1)
            partly = [o for o in executor.resting if o.filled > 0]
            if partly:
                break
        assert partly
        fills = (await executor.fills_since(0)).fills
        for order in partly:
            assert order.filled == money.total(f.amount for f in fills if f.order_id == order.id)
            assert order.remaining == money.subtract(order.amount, order.filled)
