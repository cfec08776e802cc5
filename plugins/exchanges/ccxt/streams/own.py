"""The account's orders and fills as the private stream and REST tell them: one view.

Pure bookkeeping, tested without a venue. Two sources report the same orders and fills:
the private stream (at once) and REST (when a reader asks, or to seed the view). Merging
them must neither move an order backwards nor count a fill twice:

- An order is replaced only by news that is not older: a final status beats an open one,
  more filled beats less, and a report that says the same is kept as the latest (a
  cancel acknowledged by REST after the stream saw the fill keeps the fill).
- A fill is keyed by (market, trade id): the stream's copy and REST's copy of one fill
  are one entry, whichever came first.
- The open orders of a market are served from the view only once it was *seeded*: read
  from REST while the stream was already connected, so nothing that happened before the
  subscription is missing; orders the stream reported after the REST read began are kept
  even where that read did not list them yet.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime

from schemas import Fill, Order

__all__ = ["OwnView", "newer"]


def newer(candidate: Order, known: Order) -> bool:
    """Whether ``candidate`` is news about ``known`` (the same order), not an older report."""
    if candidate.filled != known.filled:
        return candidate.filled > known.filled
    if candidate.status.is_final != known.status.is_final:
        return candidate.status.is_final
    return True


class OwnView:
    """Orders by id and fills by (symbol, id), bounded to ``keep`` of each."""

    def __init__(self, keep: int = 10_000) -> None:
        self.keep = keep
        self.orders: OrderedDict[str, Order] = OrderedDict()
        self.fills: OrderedDict[tuple[str, str], Fill] = OrderedDict()
        self.seeded: set[str] = set()
        self._touched: dict[str, int] = {}
        self._stamp = 0

    # -- orders -----------------------------------------------------------------------------

    def apply(self, order: Order) -> None:
        """Record a report of ``order`` unless it is older than what is known."""
        known = self.orders.get(order.id)
        if known is not None and not newer(order, known):
            return
        if known is not None and order.client_order_id is None and known.client_order_id:
            order = order.model_copy(update={"client_order_id": known.client_order_id})
        self.orders[order.id] = order
        self.orders.move_to_end(order.id)
        self._stamp += 1
        self._touched[order.id] = self._stamp
        while len(self.orders) > self.keep:
            dropped, _ = self.orders.popitem(last=False)
            self._touched.pop(dropped, None)

    def mark(self) -> int:
        """A point in the view's history, taken before a REST read that will seed it."""
        return self._stamp

    def seed(self, symbol: str, open_orders: Iterable[Order], since_mark: int) -> None:
        """The open orders of ``symbol`` as REST listed them, read after ``since_mark``
        (stream connected): orders it did not list and the stream did not report since
        are no longer open."""
        listed = {order.id for order in open_orders}
        for order in open_orders:
            self.apply(order)
        for order_id, order in list(self.orders.items()):
            if (order.symbol == symbol and order.is_open and order_id not in listed
                    and self._touched.get(order_id, 0) <= since_mark):
                del self.orders[order_id]
                self._touched.pop(order_id, None)
        self.seeded.add(symbol)

    def unseed(self) -> None:
        """Forget which markets are complete (the stream dropped: events may be lost)."""
        self.seeded.clear()

    def open_orders(self, symbol: str) -> list[Order]:
        return [order for order in self.orders.values()
                if order.symbol == symbol and order.is_open]

    # -- fills ------------------------------------------------------------------------------

    def add_fill(self, fill: Fill) -> bool:
        """Record a fill; False when it was known (from either source)."""
        key = (str(fill.symbol), fill.id)
        if key in self.fills:
            return False
        self.fills[key] = fill
        while len(self.fills) > self.keep:
            self.fills.popitem(last=False)
        return True

    def merged(self, fills: Iterable[Fill], symbol: str | None,
               since: datetime | None) -> list[Fill]:
        """``fills`` (from REST) together with the stream's fills of the same range, each
        fill once, oldest first."""
        for fill in fills:
            self.add_fill(fill)
        return self.fills_of(symbol, since)

    def fills_of(self, symbol: str | None, since: datetime | None) -> list[Fill]:
        chosen = [fill for fill in self.fills.values()
                  if (symbol is None or fill.symbol == symbol)
                  and (since is None or fill.timestamp >= since)]
        return sorted(chosen, key=lambda fill: fill.timestamp)
