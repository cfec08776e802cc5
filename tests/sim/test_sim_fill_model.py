"""The sim's configurable fill model: ``order_latency`` (placements and cancels take
effect later, on the clock) and ``queue_ahead`` (how much of a synthetic level queues in
front of an order at its price). Defaults keep the venue as it always was."""

from __future__ import annotations

from typing import Any

from schemas import OrderStatus, Side
from tests.sim.helpers import SYMBOL, D, limit, market, new_clock, venue

TRADING: dict[str, Any] = {"volatility": D(0), "trade_rate": D(5)}
"""A market that never moves but trades five times a second (bid 99.90, 1 BTC a level)."""


async def test_by_default_an_order_takes_effect_when_the_call_is_made() -> None:
    clock = new_clock()
    sim = await venue(clock, **TRADING)
    start = clock.time()
    order = await sim.create_order(limit("buy", "0.3", "99.00"))
    assert clock.time() == start
    assert order.timestamp.timestamp() == start


async def test_order_latency_delays_a_placement_on_the_clock() -> None:
    clock = new_clock()
    sim = await venue(clock, order_latency=0.25, **TRADING)
    start = clock.time()
    order = await sim.create_order(limit("buy", "0.3", "99.00"))
    assert clock.time() == start + 0.25
    assert order.timestamp.timestamp() == start + 0.25


async def test_order_latency_adds_to_the_latency_of_every_call() -> None:
    clock = new_clock()
    sim = await venue(clock, latency=0.1, order_latency=0.25, **TRADING)
    start = clock.time()
    await sim.create_order(limit("buy", "0.3", "99.00"))
    assert clock.time() == start + 0.35


async def test_order_latency_does_not_delay_market_data() -> None:
    clock = new_clock()
    sim = await venue(clock, order_latency=5, **TRADING)
    start = clock.time()
    await sim.fetch_order_book(SYMBOL)
    await sim.fetch_balances()
    assert clock.time() == start


async def test_an_order_fills_while_its_cancel_is_on_its_way() -> None:
    clock = new_clock()
    sim = await venue(clock, order_latency=5, **TRADING)
    order = await sim.create_order(limit("buy", "0.3", "100.00"))  # inside the spread
    cancelled = await sim.cancel_order(order.id, SYMBOL)
    assert cancelled is not None
    assert cancelled.filled > 0


async def test_without_order_latency_a_cancel_made_at_once_leaves_no_fill() -> None:
    clock = new_clock()
    sim = await venue(clock, **TRADING)
    order = await sim.create_order(limit("buy", "0.3", "100.00"))
    cancelled = await sim.cancel_order(order.id, SYMBOL)
    assert cancelled is not None
    assert cancelled.status is OrderStatus.CANCELED
    assert cancelled.filled == 0


async def test_by_default_an_order_at_a_synthetic_level_is_behind_all_of_it() -> None:
    clock = new_clock()
    sim = await venue(clock, markets=[market(trade_amount=D("0.01"))], **TRADING)
    await sim.create_order(limit("buy", "0.3", "99.90"))
    await clock.advance(60)
    assert await sim.fetch_my_trades() == []


async def test_with_queue_ahead_zero_an_order_at_a_synthetic_level_is_first() -> None:
    clock = new_clock()
    sim = await venue(clock, markets=[market(trade_amount=D("0.01"))], queue_ahead=D(0),
                      **TRADING)
    await sim.create_order(limit("buy", "0.3", "99.90"))
    await clock.advance(60)
    fills = await sim.fetch_my_trades()
    assert fills
    assert {f.price for f in fills} == {D("99.90")}


async def test_a_trade_reaching_the_order_first_fills_the_share_of_the_level_ahead() -> None:
    clock = new_clock()
    sim = await venue(clock, queue_ahead=D("0.25"), **TRADING)  # a quarter of 1 BTC ahead
    await sim.create_order(limit("buy", "1", "99.90"))
    await clock.advance(60)
    first = (await sim.fetch_my_trades())[0]
    printed = [t for t in await sim.fetch_trades(SYMBOL)
               if t.timestamp == first.timestamp and t.side is Side.SELL]
    assert [(t.price, t.amount) for t in printed][:2] == [
        (D("99.90"), D("0.25")), (D("99.90"), first.amount)]
