"""The mandate's orders inside the venue: a mutable record each, and one side of the book.

A side keeps its price levels (whole ticks) in a sorted list and, per level, its orders in
arrival order (a dict keeps insertion order), so insert and cancel are ``O(log n)`` in the
number of levels plus ``O(1)`` within a level, and the best level is at one end of the list.
That is price-time priority: better price first, then earlier order.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

from schemas import (
    FeeCharge,
    Order,
    OrderStatus,
    OrderType,
    Side,
    Symbol,
    TimeInForce,
    money,
    trusted,
)

__all__ = ["OwnSide", "SimOrder"]

_ZERO = Decimal(0)


class SimOrder:
    """An order as the venue holds it; :meth:`snapshot` gives the immutable ``Order``."""

    __slots__ = (
        "_snapshot",
        "_snapshot_key",
        "amount",
        "client_order_id",
        "cost",
        "fees",
        "filled",
        "id",
        "is_buy",
        "post_only",
        "price",
        "reserve_currency",
        "reserve_rate",
        "reserved",
        "side",
        "status",
        "symbol",
        "ticks",
        "time_in_force",
        "timestamp",
        "type",
        "updated",
    )

    def __init__(
        self,
        *,
        id: str,
        symbol: Symbol,
        side: Side,
        type: OrderType,
        price: Decimal | None,
        ticks: int,
        amount: Decimal,
        time_in_force: TimeInForce,
        post_only: bool,
        client_order_id: str | None,
        fee_currency: str,
        timestamp: float,
    ) -> None:
        self.id = id
        self.symbol = symbol
        self.side = side
        self.is_buy = side is Side.BUY
        self.type = type
        self.price = price
        self.ticks = ticks
        self.amount = amount
        self.time_in_force = time_in_force
        self.post_only = post_only
        self.client_order_id = client_order_id
        self.timestamp = timestamp
        self.updated: float | None = None
        self.filled = _ZERO
        self.cost = _ZERO
        self.fees: dict[str, Decimal] = {fee_currency: _ZERO}
        """Fees charged so far by currency: ``fee_currency`` first, the quote currency
        added when a fee in a venue token could not be paid in it."""
        self.status = OrderStatus.OPEN
        self.reserved = _ZERO
        """What the order still holds in ``used``, in ``reserve_currency``."""
        self.reserve_currency = ""
        self.reserve_rate = _ZERO
        """Reserved per unit of base: the limit price with the worst fee for a buy, 1 for a
        sell, 0 for an order that reserves nothing (a market buy, paid as it fills)."""
        self._snapshot: Order | None = None
        self._snapshot_key: tuple[Decimal, OrderStatus, float | None] | None = None

    @property
    def remaining(self) -> Decimal:
        return money.subtract(self.amount, self.filled)


    def snapshot(self) -> Order:
        """The order as the venue reports it. Made again only when it changed since the
        last one: a fill moves ``filled`` (and the fees with it), a cancel or the last fill
        the ``status``, and both stamp ``updated``, so the three together key it (an
        unchanged resting order is read every tick, and building the model costs more
        than the rest of the read)."""
        key = (self.filled, self.status, self.updated)
        if key == self._snapshot_key and self._snapshot is not None:
            return self._snapshot
        self._snapshot, self._snapshot_key = self._made(), key
        return self._snapshot

    def _made(self) -> Order:
        filled = self.filled
        created = datetime.fromtimestamp(self.timestamp, UTC)
        updated = self.updated
        return trusted(
            Order,
            id=self.id,
            client_order_id=self.client_order_id,
            symbol=self.symbol,
            side=self.side,
            type=self.type,
            price=self.price,
            amount=self.amount,
            filled=filled,
            remaining=money.subtract(self.amount, filled),
            average=money.ratio(self.cost, filled) if filled else None,
            status=self.status,
            time_in_force=self.time_in_force,
            post_only=self.post_only,
            fee=next(iter(self.fees.values())),
            fee_currency=next(iter(self.fees)),
            fees=tuple(
                trusted(FeeCharge, currency=currency, cost=cost)
                for currency, cost in self.fees.items()
            ),
            timestamp=created,
            updated=(
                None if updated is None
                else created if updated == self.timestamp
                else datetime.fromtimestamp(updated, UTC)
            ),
        )


class OwnSide:
    """The mandate's resting orders on one side of one market, in price-time priority."""

    __slots__ = ("bids", "levels", "prices")

    def __init__(self, *, bids: bool) -> None:
        self.bids = bids
        self.prices: list[int] = []
        """Occupied levels in ticks, ascending."""
        self.levels: dict[int, dict[str, SimOrder]] = {}

    def __bool__(self) -> bool:
        return bool(self.prices)

    def __len__(self) -> int:
        return sum(len(level) for level in self.levels.values())

    def best(self) -> int | None:
        """The best level's ticks: highest bid or lowest ask; None when empty."""
        prices = self.prices
        if not prices:
            return None
        return prices[-1] if self.bids else prices[0]

    def add(self, order: SimOrder) -> None:
        level = self.levels.get(order.ticks)
        if level is None:
            insort(self.prices, order.ticks)
            level = self.levels[order.ticks] = {}
        level[order.id] = order

    def remove(self, order: SimOrder) -> None:
        level = self.levels[order.ticks]
        del level[order.id]
        if not level:
            del self.levels[order.ticks]
            prices = self.prices
            del prices[bisect_left(prices, order.ticks)]

    def in_priority(self) -> Iterator[tuple[int, list[SimOrder]]]:
        """(ticks, orders oldest first) per level, best level first; safe to fill while
        iterating (each level is copied)."""
        prices = self.prices
        if not prices:
            return
        ticks = prices[-1] if self.bids else prices[0]
        while True:
            yield ticks, list(self.levels[ticks].values())
            # The next level strictly worse than the one just filled (which may be gone).
            if self.bids:
                index = bisect_left(prices, ticks) - 1
                if index < 0:
                    return
            else:
                index = bisect_right(prices, ticks)
                if index >= len(prices):
                    return
            ticks = prices[index]

    def aggregated(self) -> Iterator[tuple[int, Decimal]]:
        """(ticks, total remaining) per level, best first."""
        for ticks in reversed(self.prices) if self.bids else self.prices:
            total = _ZERO
            for order in self.levels[ticks].values():
                total = money.add(total, order.remaining)
            yield ticks, total
