"""``listeners.closed_orders``: the account's final orders, incrementally, no duplicate, no gap.

Venues filter closed orders by *creation* time, so the cursor never passes the creation
time of an order still open (the open orders are fetched first, each time): an order placed
long ago that closes late is still found. Everything else is the incremental cursor of
:mod:`._incremental` (restart through ``cursor_store``). Readers of ``fetch_closed_orders``
get the latest ``keep``. Records: one :class:`~schemas.listeners.ClosedOrderRecord` per
order, keyed by the venue's order id.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from plugins.listeners._incremental import IncrementalArgs, IncrementalListener
from plugins.listeners._orders import order_record
from schemas import Order, Symbol
from schemas.feeds import ClosedOrdersFeed, select_since
from schemas.listeners import ClosedOrderRecord, record_id
from schemas.metrics import MetricRecord

__all__ = ["ClosedOrdersListener", "ClosedOrdersListenerArgs"]


class ClosedOrdersListenerArgs(IncrementalArgs):
    symbol: Symbol | None = Field(
        default=None, description='the market, e.g. "BTC/USDT" (default: every market)'
    )


class ClosedOrdersListener(IncrementalListener[ClosedOrdersListenerArgs, Order],
                           ClosedOrdersFeed):
    """Fetches the account's final orders incrementally: each stored once, none skipped."""

    Args = ClosedOrdersListenerArgs  # set here: the core reads Args from a one-parameter base only

    @property
    def _symbol(self) -> str | None:
        return None if self.args.symbol is None else str(self.args.symbol)

    async def horizon(self, now: datetime) -> datetime:
        bound = await super().horizon(now)
        resting = await self.args.exchange.fetch_open_orders(self._symbol)
        return min([bound, *(o.timestamp for o in resting)])

    async def page(self, since: datetime, limit: int) -> list[Order]:
        return await self.args.exchange.fetch_closed_orders(self._symbol, since=since,
                                                            limit=limit)

    def key(self, item: Order) -> str:
        return item.id

    def time(self, item: Order) -> datetime:
        return item.timestamp

    def record(self, item: Order) -> MetricRecord:
        return order_record(
            ClosedOrderRecord, item, mandate=self.mandate, venue=self.venue,
            timestamp=item.timestamp,
            id=record_id("closed_orders", self.mandate, self.venue, item.symbol, item.id),
        )

    async def fetch_closed_orders(
        self, symbol: str | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Order]:
        self.check_symbol(symbol)
        orders = [o for o in self.reading().value if symbol is None or str(o.symbol) == symbol]
        return select_since(orders, since, limit, self.time)
