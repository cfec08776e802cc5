"""The ``Order`` the simulated venue answers with is made from its record and reused
only while it still holds: an open order's until it fills, never a final order's, and the
answer to a cancel is the order as it stands, fills included."""

from __future__ import annotations

from typing import Any

from schemas import Order, OrderStatus
from tests.sim.helpers import SYMBOL, D, limit, market, new_clock, venue

TRADING: dict[str, Any] = {"volatility": D(0), "trade_rate": D(5)}
STATIC: dict[str, Any] = {"volatility": D(0), "trade_rate": D(0)}


def rebuilt(order: Order) -> Order:
    """``order`` made again through validation, field by field."""
    return Order(**{name: getattr(order, name) for name in Order.model_fields})


async def test_an_unchanged_open_order_is_answered_with_the_same_object() -> None:
    sim = await venue(**STATIC)
    placed = await sim.create_order(limit("buy", "1", "99.00"))
    (listed,) = await sim.fetch_open_orders(SYMBOL)
    assert listed is placed
    assert await sim.fetch_order(placed.id, SYMBOL) is placed


async def test_an_open_order_read_before_a_partial_fill_shows_the_fill_after_it() -> None:
    clock = new_clock()
    sim = await venue(clock, markets=[market(trade_amount=D("0.05"))], **TRADING)
    placed = await sim.create_order(limit("buy", "50", "100.00"))
    assert (await sim.fetch_order(placed.id, SYMBOL)).filled == 0
    await clock.advance(2)
    (now,) = await sim.fetch_open_orders(SYMBOL)
    assert now.status is OrderStatus.OPEN
    assert 0 < now.filled < 50
    assert now.remaining == 50 - now.filled
    assert now == rebuilt(now)


async def test_the_answer_to_a_cancel_is_the_last_open_order_cancelled() -> None:
    clock = new_clock()
    sim = await venue(clock, **STATIC)
    placed = await sim.create_order(limit("buy", "1", "99.00"))
    await clock.advance(5)
    cancelled = await sim.cancel_order(placed.id, SYMBOL)
    assert cancelled is not None
    assert cancelled.status is OrderStatus.CANCELED
    assert cancelled.updated is not None
    assert cancelled.updated.timestamp() == placed.timestamp.timestamp() + 5
    assert cancelled.model_dump(exclude={"status", "updated"}) == placed.model_dump(
        exclude={"status", "updated"})
    assert cancelled == rebuilt(cancelled)
    assert placed.status is OrderStatus.OPEN  # the open order answered earlier is unchanged


async def test_a_cancel_at_the_time_of_placing_is_stamped_with_that_time() -> None:
    sim = await venue(**STATIC)
    placed = await sim.create_order(limit("buy", "1", "99.00"))
    cancelled = await sim.cancel_order(placed.id, SYMBOL)
    assert cancelled is not None
    assert cancelled.updated == placed.timestamp


async def test_the_answer_to_a_cancel_after_a_partial_fill_carries_the_fill() -> None:
    clock = new_clock()
    sim = await venue(clock, markets=[market(trade_amount=D("0.05"))], **TRADING)
    placed = await sim.create_order(limit("buy", "50", "100.00"))
    await sim.fetch_open_orders(SYMBOL)  # an open order made and kept before the fill
    await clock.advance(2)
    cancelled = await sim.cancel_order(placed.id, SYMBOL)
    assert cancelled is not None
    assert cancelled.status is OrderStatus.CANCELED
    assert 0 < cancelled.filled < 50
    assert cancelled.average == D("100.00")
    assert cancelled == rebuilt(cancelled)


async def test_a_final_order_read_again_is_equal_to_the_answer_to_its_cancel() -> None:
    clock = new_clock()
    sim = await venue(clock, **STATIC)
    placed = await sim.create_order(limit("sell", "1", "101.00"))
    await clock.advance(1)
    cancelled = await sim.cancel_order(placed.id, SYMBOL)
    await clock.advance(1)
    again = await sim.fetch_order(placed.id, SYMBOL)
    (closed,) = await sim.fetch_closed_orders(SYMBOL)
    assert again == cancelled
    assert closed == cancelled
    assert again.model_dump_json() == cancelled.model_dump_json()


async def test_an_order_filled_on_placing_is_answered_closed_with_its_fill() -> None:
    sim = await venue(**STATIC)
    order = await sim.create_order(limit("buy", "0.5", "100.10"))
    assert order.status is OrderStatus.CLOSED
    assert order.filled == D("0.5")
    assert order == rebuilt(order)
    assert await sim.fetch_order(order.id, SYMBOL) == order


async def test_a_cancel_after_a_partial_fill_read_since_carries_the_fill() -> None:
    clock = new_clock()
    sim = await venue(clock, markets=[market(trade_amount=D("0.05"))], **TRADING)
    placed = await sim.create_order(limit("buy", "50", "100.00"))
    await clock.advance(2)
    (read,) = await sim.fetch_open_orders(SYMBOL)  # made after the fill, kept
    cancelled = await sim.cancel_order(placed.id, SYMBOL)
    assert cancelled is not None
    assert cancelled.status is OrderStatus.CANCELED
    assert cancelled.filled == read.filled > 0
    assert cancelled == rebuilt(cancelled)


async def test_orders_just_placed_carry_their_own_fields_whatever_was_placed_before() -> None:
    sim = await venue(**STATIC)
    placed = [
        await sim.create_order(limit("buy", "1", "99.00")),
        await sim.create_order(limit("buy", "0.50", "98.50", client_order_id="mine-1")),
        await sim.create_order(limit("sell", "2", "101.00", post_only=True)),
        await sim.create_order(limit("sell", "0.3", "101.50", time_in_force="IOC")),
        await sim.create_order(limit("buy", "1.000", "99.01")),
    ]
    for order in placed:
        assert order == rebuilt(order)
        assert order.model_dump_json() == rebuilt(order).model_dump_json()
    assert [o.client_order_id for o in placed] == [None, "mine-1", None, None, None]
    assert [str(o.amount) for o in placed] == ["1", "0.50", "2", "0.3", "1.000"]
    assert [o.post_only for o in placed] == [False, False, True, False, False]
    assert len({o.id for o in placed}) == len(placed)


async def test_orders_filled_or_ended_carry_their_own_fields_whatever_came_before() -> None:
    clock = new_clock()
    sim = await venue(clock, markets=[market(trade_amount=D("0.05"))], **TRADING)
    filled_at_once = await sim.create_order(limit("buy", "0.5", "100.20"))
    resting = await sim.create_order(limit("buy", "50", "100.00", client_order_id="mine-2"))
    await clock.advance(2)
    partly = await sim.fetch_order(resting.id, SYMBOL)
    expired = await sim.create_order(limit("sell", "0.3", "101.50", time_in_force="IOC"))
    cancelled = await sim.cancel_order(resting.id, SYMBOL)
    assert cancelled is not None
    for order in (filled_at_once, partly, expired, cancelled):
        assert order == rebuilt(order)
        assert order.model_dump_json() == rebuilt(order).model_dump_json()
    assert (filled_at_once.status, filled_at_once.filled) == (OrderStatus.CLOSED, D("0.5"))
    assert (partly.status, partly.client_order_id) == (OrderStatus.OPEN, "mine-2")
    assert 0 < partly.filled < 50
    assert partly.fee > 0
    assert (expired.status, expired.filled, expired.average) == (OrderStatus.EXPIRED, D(0), None)
    assert (cancelled.status, cancelled.filled) == (OrderStatus.CANCELED, partly.filled)
