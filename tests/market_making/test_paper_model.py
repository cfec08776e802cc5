"""The paper executor's queue model: an order is behind the displayed size at its price,
trades consume the queue ahead first, and the book only moves it forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from plugins.market_making.executors._paper_model import (
    PaperOrder,
    book_fills,
    displayed_at,
    trade_fills,
)
from schemas import OrderBook, OrderRequest, Side, Trade

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SYMBOL = "BTC/USDT"


def book(bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> OrderBook:
    return OrderBook(symbol=SYMBOL, bids=bids, asks=asks, timestamp=T0)


def order(side: Side, price: str, amount: str, ahead: str = "0", at: datetime = T0
          ) -> PaperOrder:
    request = OrderRequest(symbol=SYMBOL, side=side, price=Decimal(price), amount=Decimal(amount))
    return PaperOrder(id="p1", request=request, price=Decimal(price), placed=at,
                      ahead=Decimal(ahead))


def trade(taker: Side, price: str, amount: str, at: datetime = T0 + timedelta(seconds=1)
          ) -> Trade:
    return Trade(id="t", symbol=SYMBOL, side=taker, price=Decimal(price), amount=Decimal(amount),
                 timestamp=at)


LIVE = book([("99.9", "2"), ("99.8", "5")], [("100.1", "3")])


def test_an_order_joining_a_level_queues_behind_its_displayed_size() -> None:
    assert displayed_at(LIVE, Side.BUY, Decimal("99.9")) == Decimal("2")


def test_an_order_improving_the_price_has_nothing_ahead() -> None:
    assert displayed_at(LIVE, Side.BUY, Decimal("100.0")) == 0


def test_a_trade_at_the_price_is_taken_by_the_queue_ahead_first() -> None:
    bid = order(Side.BUY, "99.9", "1", ahead="2")
    assert trade_fills([bid], trade(Side.SELL, "99.9", "1.5")) == []
    assert bid.ahead == Decimal("0.5")


def test_a_trade_larger_than_the_queue_ahead_fills_the_order_with_the_rest() -> None:
    bid = order(Side.BUY, "99.9", "1", ahead="2")
    assert trade_fills([bid], trade(Side.SELL, "99.9", "2.25")) == [(bid, Decimal("0.25"))]
    assert bid.ahead == 0


def test_a_trade_through_the_price_fills_the_order_with_nothing_ahead() -> None:
    bid = order(Side.BUY, "99.9", "1", ahead="2")
    assert trade_fills([bid], trade(Side.SELL, "99.8", "0.4")) == [(bid, Decimal("0.4"))]


def test_a_trade_on_the_order_s_own_side_fills_nothing() -> None:
    bid = order(Side.BUY, "99.9", "1")
    assert trade_fills([bid], trade(Side.BUY, "99.9", "5")) == []


def test_a_trade_printed_before_the_order_was_placed_fills_nothing() -> None:
    bid = order(Side.BUY, "99.9", "1", at=T0 + timedelta(seconds=5))
    assert trade_fills([bid], trade(Side.SELL, "99.0", "5")) == []


def test_one_trade_is_shared_out_in_priority_order() -> None:
    first = order(Side.BUY, "99.9", "1")
    second = order(Side.BUY, "99.8", "1")
    assert trade_fills([first, second], trade(Side.SELL, "99.8", "1.5")) == [
        (first, Decimal("1")), (second, Decimal("0.5"))]


def test_a_level_that_thins_moves_the_order_forward() -> None:
    bid = order(Side.BUY, "99.9", "1", ahead="2")
    book_fills([bid], book([("99.9", "0.5")], [("100.1", "3")]))
    assert bid.ahead == Decimal("0.5")


def test_a_level_that_grows_leaves_newcomers_behind_the_order() -> None:
    bid = order(Side.BUY, "99.9", "1", ahead="2")
    book_fills([bid], book([("99.9", "9")], [("100.1", "3")]))
    assert bid.ahead == Decimal("2")


def test_asks_at_or_below_a_bid_fill_it_up_to_what_they_show() -> None:
    bid = order(Side.BUY, "99.9", "1", ahead="2")
    assert book_fills([bid], book([], [("99.8", "0.25"), ("99.9", "0.25"), ("100", "9")])
                      ) == [(bid, Decimal("0.5"))]
