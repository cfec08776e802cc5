"""``listeners.order_book``: one market's book sampled to a fixed depth, for many readers.

Each fetch asks the venue for ``depth`` levels a side and keeps at most that many (a venue
that sends more is cut, best levels kept). ``prices.order_book`` and other readers of
``fetch_order_book`` take it in place of the venue; a reader's ``limit`` cuts further, never
extends. Records: one :class:`~schemas.listeners.BookLevelRecord` per level, keyed by the
book's timestamp, side and level (0 = best).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from plugins.listeners._listener import Listener, MarketListenerArgs
from schemas import OrderBook, trusted
from schemas.feeds import OrderBookFeed
from schemas.listeners import BookLevelRecord, record_id
from schemas.metrics import MetricRecord

__all__ = ["OrderBookListener", "OrderBookListenerArgs"]


class OrderBookListenerArgs(MarketListenerArgs):
    depth: int = Field(default=10, ge=1, le=1000, description="levels kept a side, e.g. 20")


def _cut(book: OrderBook, depth: int) -> OrderBook:
    if len(book.bids) <= depth and len(book.asks) <= depth:
        return book
    # A prefix of a validated book's sides is still sorted: nothing to validate again.
    return trusted(OrderBook, symbol=book.symbol, bids=book.bids[:depth],
                                     asks=book.asks[:depth], timestamp=book.timestamp)


class OrderBookListener(Listener[OrderBookListenerArgs, OrderBook], OrderBookFeed):
    """Samples one market's order book to a fixed depth on an interval."""

    Args = OrderBookListenerArgs  # set here: the core reads Args from a one-parameter base only

    async def fetch(self) -> OrderBook:
        book = await self.args.exchange.fetch_order_book(self.args.symbol, self.args.depth)
        return _cut(book, self.args.depth)

    def records(self, value: OrderBook) -> Sequence[MetricRecord]:
        if not self.args.sinks:
            return ()
        symbol, at = str(value.symbol), value.timestamp
        records: list[MetricRecord] = []
        for side, levels in (("bid", value.bids), ("ask", value.asks)):
            for level, entry in enumerate(levels):
                records.append(BookLevelRecord(
                    id=record_id("order_book_levels", self.mandate, self.venue, symbol,
                                 at.isoformat(), side, level),
                    mandate=self.mandate, venue=self.venue, timestamp=at, symbol=symbol,
                    side=side, level=level, price=entry.price, amount=entry.amount,
                ))
        return records

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        self.check_symbol(symbol)
        book = self.reading().value
        return book if limit is None else _cut(book, max(limit, 0))
