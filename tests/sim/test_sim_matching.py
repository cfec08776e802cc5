"""Resting orders meeting the synthetic market: the price moving through them, public
trades reaching them, price-time priority, and cancelled orders staying out of it."""

from __future__ import annotations

from typing import Any

from schemas import Liquidity, OrderStatus, Side
from tests.sim.helpers import SYMBOL, D, limit, market, new_clock, venue

MOVING: dict[str, Any] = {"volatility": D(40), "trade_rate": D(0)}
"""A wild market with no public trades: fills come only from the price moving."""
TRADING: dict[str, Any] = {"volatility": D(0), "trade_rate": D(5)}
"""A market that never moves but trades five times a second."""


async def test_a_resting_bid_fills_as_maker_at_its_price_when_the_market_falls_through_it(
) -> None:
    clock = new_clock()
    sim = await venue(clock, **MOVING)
    order = await sim.create_order(limit("buy", "0.5", "99.95"))
    for _ in range(600):
        await clock.advance(1)
        if (await sim.fetch_order(order.id, SYMBOL)).status is OrderStatus.CLOSED:
            break
    fills = await sim.fetch_my_trades(SYMBOL)
    assert fills, "the walk never reached the order in ten minutes"
    assert {(f.price, f.liquidity) for f in fills} == {(D("99.95"), Liquidity.MAKER)}
    assert sum(f.amount for f in fills) == D("0.5")


async def test_a_fill_from_the_price_moving_is_stamped_with_the_step_that_crossed() -> None:
    clock = new_clock()
    sim = await venue(clock, **MOVING)
    start = clock.time()
    await sim.create_order(limit("sell", "0.5", "100.05"))
    await clock.advance(600)
    fills = await sim.fetch_my_trades(SYMBOL)
    assert fills
    offset = fills[0].timestamp.timestamp() - start
    assert offset == int(offset)
    assert 0 < offset <= 600


async def test_public_trades_fill_a_bid_resting_inside_the_spread() -> None:
    clock = new_clock()
    sim = await venue(clock, **TRADING)
    order = await sim.create_order(limit("buy", "0.3", "100.00"))
    await clock.advance(60)
    done = await sim.fetch_order(order.id, SYMBOL)
    assert done.status is OrderStatus.CLOSED
    fills = await sim.fetch_my_trades(SYMBOL)
    assert {(f.price, f.liquidity, f.side) for f in fills} == {
        (D("100.00"), Liquidity.MAKER, Side.BUY)}
    trades = await sim.fetch_trades(SYMBOL)
    assert D("100.00") in {t.price for t in trades if t.side is Side.SELL}


async def test_maker_fills_pay_the_maker_fee() -> None:
    clock = new_clock()
    sim = await venue(clock, **TRADING)
    await sim.create_order(limit("sell", "0.2", "100.05"))
    await clock.advance(60)
    fills = await sim.fetch_my_trades(SYMBOL)
    assert fills
    assert all(f.fee == f.amount * f.price * D("0.001") for f in fills)


async def test_synthetic_orders_at_the_same_price_are_ahead_in_the_queue() -> None:
    clock = new_clock()
    sim = await venue(clock, markets=[market(trade_amount=D("0.01"))], **TRADING)
    await sim.create_order(limit("buy", "0.3", "99.90"))
    await clock.advance(60)
    assert await sim.fetch_my_trades() == []


async def test_the_better_price_fills_first() -> None:
    clock = new_clock()
    sim = await venue(clock, markets=[market(trade_amount=D("0.05"))], **TRADING)
    worse = await sim.create_order(limit("buy", "1", "99.95"))
    better = await sim.create_order(limit("buy", "1", "100.00"))
    await clock.advance(2)
    fills = await sim.fetch_my_trades()
    assert fills
    assert {f.order_id for f in fills} == {better.id}
    assert (await sim.fetch_order(worse.id, SYMBOL)).filled == 0


async def test_at_one_price_the_earlier_order_fills_first() -> None:
    clock = new_clock()
    sim = await venue(clock, markets=[market(trade_amount=D("0.05"))], **TRADING)
    first = await sim.create_order(limit("sell", "1", "100.05"))
    second = await sim.create_order(limit("sell", "1", "100.05"))
    await clock.advance(2)
    fills = await sim.fetch_my_trades()
    assert fills
    assert {f.order_id for f in fills} == {first.id}
    assert (await sim.fetch_order(second.id, SYMBOL)).filled == 0


async def test_a_partially_filled_order_stays_open_with_the_rest() -> None:
    clock = new_clock()
    sim = await venue(clock, markets=[market(trade_amount=D("0.05"))], **TRADING)
    order = await sim.create_order(limit("buy", "50", "100.00"))
    await clock.advance(2)
    now = await sim.fetch_order(order.id, SYMBOL)
    assert now.status is OrderStatus.OPEN
    assert 0 < now.filled < 50
    assert now.remaining == 50 - now.filled


async def test_a_cancelled_order_never_fills() -> None:
    clock = new_clock()
    sim = await venue(clock, **TRADING)
    order = await sim.create_order(limit("buy", "0.3", "100.00"))
    await sim.cancel_order(order.id, SYMBOL)
    await clock.advance(120)
    assert await sim.fetch_my_trades() == []
    assert (await sim.fetch_order(order.id, SYMBOL)).filled == 0


async def test_fills_before_a_cancel_count_and_the_cancel_keeps_them() -> None:
    clock = new_clock()
    sim = await venue(clock, markets=[market(trade_amount=D("0.05"))], **TRADING)
    order = await sim.create_order(limit("buy", "50", "100.00"))
    await clock.advance(2)
    cancelled = await sim.cancel_order(order.id, SYMBOL)
    assert cancelled is not None
    assert cancelled.status is OrderStatus.CANCELED
    assert cancelled.filled > 0
    filled = cancelled.filled
    await clock.advance(60)
    assert (await sim.fetch_order(order.id, SYMBOL)).filled == filled


async def test_balances_follow_maker_fills() -> None:
    clock = new_clock()
    sim = await venue(clock, **TRADING)
    await sim.create_order(limit("buy", "0.3", "100.00"))
    await clock.advance(60)
    balances = await sim.fetch_balances()
    assert balances.total("BTC") == D("10.3")
    assert balances.total("USDT") == D("10000") - D("30") - D("0.03")
    assert balances.used("USDT") == 0


async def test_outcomes_do_not_depend_on_how_often_the_venue_is_polled() -> None:
    async def run(polls: int) -> list[tuple[str, D, D]]:
        clock = new_clock()
        sim = await venue(clock, volatility=D(5), trade_rate=D(2))
        await sim.create_order(limit("buy", "2", "99.95"))
        await sim.create_order(limit("sell", "2", "100.05"))
        for _ in range(polls):
            await clock.advance(300 / polls)
            await sim.fetch_balances()
        return [(f.order_id, f.price, f.amount) for f in await sim.fetch_my_trades()]

    assert await run(1) == await run(300)


async def test_fills_of_several_markets_are_listed_in_time_order() -> None:
    clock = new_clock()
    sim = await venue(clock, markets=[market(trade_amount=D("0.05")),
                                      market(symbol="ETH/USDT", trade_amount=D("0.05"))],
                      **TRADING)
    await sim.create_order(limit("buy", "1", "100.00"))
    await sim.create_order(limit("buy", "1", "100.00", symbol="ETH/USDT"))
    await clock.advance(30)
    fills = await sim.fetch_my_trades()
    assert {f.symbol for f in fills} == {"BTC/USDT", "ETH/USDT"}
    assert [f.timestamp for f in fills] == sorted(f.timestamp for f in fills)
    assert await sim.fetch_my_trades("ETH/USDT") == [f for f in fills if f.symbol == "ETH/USDT"]


async def test_a_maker_rebate_is_paid_into_the_quote_balance() -> None:
    clock = new_clock()
    sim = await venue(clock, markets=[market(maker_fee=D("-0.0002"))], **TRADING)
    await sim.create_order(limit("sell", "0.3", "100.05"))
    await clock.advance(60)
    fills = await sim.fetch_my_trades()
    assert sum(f.amount for f in fills) == D("0.3")
    assert all(f.fee < 0 for f in fills)
    balances = await sim.fetch_balances()
    assert balances.total("USDT") == D("10000") + D("0.3") * D("100.05") * D("1.0002")


async def test_the_ticker_reports_the_volume_of_the_last_day() -> None:
    clock = new_clock()
    sim = await venue(clock, volatility=D(0), trade_rate=D("0.2"))
    await clock.advance(600)
    trades = await sim.fetch_trades(SYMBOL, limit=None)
    ticker = await sim.fetch_ticker(SYMBOL)
    assert ticker.volume == sum(t.amount for t in trades)
    assert ticker.quote_volume == sum(t.amount * t.price for t in trades)
    await clock.advance(86_400 + 600)
    later = await sim.fetch_ticker(SYMBOL)
    assert later.volume is not None
    assert 0 < later.volume < ticker.volume * 200


async def test_final_orders_beyond_the_history_are_forgotten() -> None:
    sim = await venue(history=3, **{**TRADING, "trade_rate": D(0)})
    ids = []
    for _ in range(5):
        order = await sim.create_order(limit("buy", "0.1", "99.00"))
        await sim.cancel_order(order.id, SYMBOL)
        ids.append(order.id)
    assert [o.id for o in await sim.fetch_closed_orders()] == ids[-3:]
