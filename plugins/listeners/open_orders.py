"""``listeners.open_orders``: the account's resting orders, fetched on an interval.

Of one market (``symbol``) or of all. Readers of ``fetch_open_orders`` take it in place of
the venue. Records: one :class:`~schemas.listeners.OpenOrderRecord` per resting order per
fetch (a snapshot series), keyed by the order id and the fetch time.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from plugins.listeners._listener import Listener, ListenerArgs
from plugins.listeners._orders import order_record
from schemas import Order, Symbol
from schemas.feeds import OpenOrdersFeed
from schemas.listeners import OpenOrderRecord, record_id
from schemas.metrics import MetricRecord

__all__ = ["OpenOrdersListener", "OpenOrdersListenerArgs"]


class OpenOrdersListenerArgs(ListenerArgs):
    symbol: Symbol | None = Field(
        default=None, description='the market, e.g. "BTC/USDT" (default: every market)'
    )


class OpenOrdersListener(Listener[OpenOrdersListenerArgs, tuple[Order, ...]], OpenOrdersFeed):
    """Fetches the account's resting orders on an interval; readers share the latest."""

    Args = OpenOrdersListenerArgs  # set here: the core reads Args from a one-parameter base only

    async def fetch(self) -> tuple[Order, ...]:
        symbol = self.args.symbol
        return tuple(await self.args.exchange.fetch_open_orders(
            str(symbol) if symbol is not None else None))

    def records(self, value: tuple[Order, ...]) -> Sequence[MetricRecord]:
        if not self.args.sinks:
            return ()
        now = self.clock.now()
        return [
            order_record(OpenOrderRecord, order, mandate=self.mandate, venue=self.venue,
                         timestamp=now,
                         id=record_id("open_orders", self.mandate, self.venue, order.symbol,
                                      order.id, now.isoformat()))
            for order in value
        ]

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        self.check_symbol(symbol)
        orders = self.reading().value
        return [o for o in orders if symbol is None or str(o.symbol) == symbol]
