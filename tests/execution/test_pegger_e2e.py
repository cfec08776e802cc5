"""``execution.pegger`` end to end on the simulated venue, on the virtual clock."""

from __future__ import annotations

from decimal import Decimal

from schemas import Order, OrderBook
from tests.execution.mandates import SYMBOL, mandate, session, sim

D = Decimal


def others_best(book: OrderBook, own: Order, bids: bool) -> Decimal:
    """The best price on one side of ``book`` without the mandate's own order."""
    for level in book.bids if bids else book.asks:
        left = level.amount - (own.remaining if level.price == own.price else 0)
        if left > 0:
            return level.price
    raise AssertionError("an empty side")


async def test_the_buy_order_sits_at_the_best_bid_after_every_book_move() -> None:
    spec = mandate("pegger", amount="50", window="30m", venue=sim(volatility="2"))
    async with session(spec) as s:
        moves = 0
        last = None
        for _ in range(600):
            await s.step()
            (order,) = await s.own_open_orders()
            book = await s.venue.fetch_order_book(SYMBOL)
            best = others_best(book, order, bids=True)
            assert order.price == best, (order.price, best)
            moves += best != last
            last = best
        assert moves > 20  # the book did move
        await s.service.on_stop()
        assert await s.own_open_orders() == []


async def test_a_sell_order_sits_at_the_best_ask_offset_by_ticks() -> None:
    spec = mandate("pegger", side="sell", amount="50", offset=2, window="10m")
    async with session(spec) as s:
        for _ in range(120):
            await s.step()
            (order,) = await s.own_open_orders()
            book = await s.venue.fetch_order_book(SYMBOL)
            assert order.price == others_best(book, order, bids=False) + D("0.02")
        await s.service.on_stop()


async def test_within_tolerance_the_order_is_not_replaced() -> None:
    spec = mandate("pegger", amount="50", tolerance=1000, window="10m",
                   venue=sim(volatility="2"))
    async with session(spec) as s:
        ids = set()
        for _ in range(120):
            await s.step()
            ids |= {o.id for o in await s.own_open_orders()}
        assert len(ids) == 1
        await s.service.on_stop()


async def test_the_order_waits_at_the_limit_price_when_the_touch_is_past_it() -> None:
    spec = mandate("pegger", amount="50", limit_price="99.50", window="10m")
    async with session(spec) as s:
        for _ in range(30):
            await s.step()
            (order,) = await s.own_open_orders()
            assert order.price == D("99.50")
        await s.service.on_stop()


async def test_replacements_are_rate_limited() -> None:
    spec = mandate("pegger", amount="2000", min_replace="30s", window="10m",
                   venue=sim(volatility="2", trade_rate="0.05"))
    async with session(spec) as s:
        for _ in range(300):
            await s.step()
        await s.service.on_stop()
        sent = s.service.progress.sent
        assert 2 <= sent <= 300 // 30 + 1


async def test_the_pegged_order_fills_the_exact_amount_in_pieces_of_display() -> None:
    spec = mandate("pegger", amount="2", display="0.5", window="2h",
                   venue=sim(trade_rate="2"))
    async with session(spec) as s:
        while await s.step():
            assert all(o.amount <= D("0.5") for o in await s.own_open_orders())
        await s.service.on_stop()
        assert s.service.report is not None
        assert s.service.report.filled == D(2)
        assert s.service.report.state == "done"
