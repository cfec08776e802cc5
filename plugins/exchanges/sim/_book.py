"""The mandate's orders inside the venue: a mutable record each, and one side of the book.

A side keeps its price levels (whole ticks) in a sorted list and, per level, its orders in
arrival order (a dict keeps insertion order), so insert and cancel are ``O(log n)`` in the
number of levels plus ``O(1)`` within a level, and the best level is at one end of the list.
That is price-time priority: better price first, then earlier order.

Why an order's record is a plain slotted class and its ``Order`` is made at the edge: a
contract model costs a few microseconds to build (and three objects for the garbage
collector to follow), more than the rest of placing an order. So the record keeps what
changes (``filled``, ``remaining``, ``cost``, the fees) as plain values, updated by
:meth:`SimOrder.executed` and :meth:`SimOrder.finished` only, and builds its ``Order`` when
one is asked for. An open order's ``Order`` is kept until a fill makes it stale (a resting
order is read every tick); a final order's is not kept: the history holds the last
10,000 final orders by default, and three more objects each for the garbage collector to
walk cost every tick more than the rare read of a final order. The one read that almost
always comes, the answer to the cancel, copies the last open ``Order`` with its new status
and update time, which is all that :meth:`SimOrder.finished` changes. What is the same
across orders is made once: the fee charges (:func:`fee_charges`, one tuple per currency
and cost, digits included), the fresh ``Order`` of each shape of order (an ``Order`` is a
copy of it with the six to twelve fields of its own: cheaper than naming all 19), the
average price of an order filled at one price (:func:`_average_at`) and the timestamps
(:func:`plugins.exchanges.sim._records.utc`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from plugins.exchanges.sim._records import utc
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
    trusted_update,
)

__all__ = ["OwnSide", "SimOrder", "fee_charges"]

_ZERO = Decimal(0)
_ONE = Decimal(1)
_CACHED = 4096  # entries of a value cache before it starts again


_CHARGES: dict[tuple[str, Decimal], tuple[FeeCharge]] = {}


def fee_charges(currency: str, cost: Decimal) -> tuple[FeeCharge]:
    """``(FeeCharge(currency, cost),)``, one shared tuple per currency and cost (most fees
    repeat: a zero fee on every new order, the same rate on the same notional). A hit must
    have the very digits of ``cost`` (``0.60`` is not ``0.6``: equal, but reported
    differently), so a cached charge of another exponent or sign is replaced."""
    key = (currency, cost)
    charges = _CHARGES.get(key)
    if charges is not None:
        known = charges[0].cost
        if known.same_quantum(cost) and known.is_signed() == cost.is_signed():
            return charges
    elif len(_CHARGES) >= _CACHED:
        _CHARGES.clear()
    charges = _CHARGES[key] = (trusted(FeeCharge, currency=currency, cost=cost),)
    return charges


_SHAPES: dict[tuple[Symbol, Side, OrderType, TimeInForce, bool, str], Order] = {}
"""The fresh ``Order`` of each shape of order (:meth:`SimOrder._shape`)."""


@lru_cache(maxsize=_CACHED)
def _average_at(price: Decimal) -> Decimal:
    """The average price of fills all at ``price``: ``money.ratio(cost, filled)`` is then
    ``price`` exactly, and ratio's result (rounded to its digits, trailing zeros dropped)
    depends on the value alone, so it is ``money.ratio(price, 1)``, remembered. The venue's
    prices are its own remembered objects (a level's price), whose hash is kept, so a
    lookup costs far less than the division."""
    return money.ratio(price, _ONE)


class SimOrder:
    """An order as the venue holds it; :meth:`snapshot` gives the immutable ``Order``."""

    __slots__ = (
        "_snapshot",
        "amount",
        "client_order_id",
        "cost",
        "created",
        "fee",
        "fee_currency",
        "filled",
        "id",
        "is_buy",
        "one_price",
        "other_fees",
        "post_only",
        "price",
        "remaining",
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
        self.created = utc(timestamp)
        self.updated: float | None = None
        self.filled = _ZERO
        self.remaining = money.subtract(amount, _ZERO)
        """``amount - filled``, kept as fills come (the same digits as the subtraction)."""
        self.cost = _ZERO
        self.one_price: Decimal | None = None
        """The price of every fill so far, while they were all at one price."""
        self.fee_currency = fee_currency
        self.fee = _ZERO
        """Fees charged so far in ``fee_currency``, the first of the order's fees."""
        self.other_fees: dict[str, Decimal] | None = None
        """Fees in other currencies, first charged first: the quote currency, when a fee
        in a venue token could not be paid in it."""
        self.status = OrderStatus.OPEN
        self.reserved = _ZERO
        """What the order still holds in ``used``, in ``reserve_currency``."""
        self.reserve_currency = ""
        self.reserve_rate = _ZERO
        """Reserved per unit of base: the limit price with the worst fee for a buy, 1 for a
        sell, 0 for an order that reserves nothing (a market buy, paid as it fills)."""
        self._snapshot: Order | None = None

    def executed(self, amount: Decimal, price: Decimal, notional: Decimal, fee: Decimal,
                 fee_currency: str, t: float) -> None:
        """Record a fill of ``amount`` at ``price`` (worth ``notional``), charged ``fee`` in
        ``fee_currency``, at ``t``."""
        if not self.filled:
            self.one_price = price
        elif self.one_price is not None and self.one_price != price:
            self.one_price = None
        self.filled = money.add(self.filled, amount)
        self.remaining = money.subtract(self.remaining, amount)
        self.cost = money.add(self.cost, notional)
        if fee_currency == self.fee_currency:
            self.fee = money.add(self.fee, fee)
        else:
            others = self.other_fees
            if others is None:
                others = self.other_fees = {}
            others[fee_currency] = money.add(others.get(fee_currency, _ZERO), fee)
        self.updated = t
        self._snapshot = None

    def finished(self, status: OrderStatus, t: float) -> None:
        """Record that the order became final with ``status`` at ``t``. The last open
        ``Order`` is kept (its other fields still hold) for the first final one."""
        self.status = status
        self.updated = t

    def snapshot(self) -> Order:
        """The order as the venue reports it. An open order's is made again only when it
        changed since the last one (an unchanged resting order is read every tick); a
        final order's is made on each read and never kept (see the module's docstring)."""
        snapshot = self._snapshot
        if not self.status.is_final:
            if snapshot is None:
                snapshot = self._snapshot = self._made()
            return snapshot
        if snapshot is None:
            return self._made()
        self._snapshot = None  # the history keeps no Order (see the module's docstring)
        # Only the status and the update time changed since (``executed`` drops it).
        return trusted_update(snapshot, status=self.status, updated=self._updated_at())

    def _updated_at(self) -> datetime | None:
        """``updated`` as the venue reports it: the creation time itself when equal."""
        updated = self.updated
        if updated is None:
            return None
        return self.created if updated == self.timestamp else utc(updated)

    def _made(self) -> Order:
        """A copy of the fresh ``Order`` of the order's shape (:meth:`_shape`) with the
        fields of its own: six while nothing happened to it since it was placed (every
        fill and the end set ``updated``), the twelve that can differ after that."""
        shape = self._shape()
        if self.updated is None:
            return trusted_update(
                shape, id=self.id, client_order_id=self.client_order_id, price=self.price,
                amount=self.amount, remaining=self.remaining, timestamp=self.created,
            )
        filled = self.filled
        one_price = self.one_price
        if not filled:
            average = None
        elif one_price is not None:
            average = _average_at(one_price)
        else:
            average = money.ratio(self.cost, filled)
        fees: tuple[FeeCharge, ...] = fee_charges(self.fee_currency, self.fee)
        if self.other_fees is not None:
            for currency, cost in self.other_fees.items():
                fees += fee_charges(currency, cost)
        return trusted_update(
            shape, id=self.id, client_order_id=self.client_order_id, price=self.price,
            amount=self.amount, remaining=self.remaining, timestamp=self.created,
            filled=filled, average=average, status=self.status, fee=self.fee, fees=fees,
            updated=self._updated_at(),
        )

    def _shape(self) -> Order:
        """The ``Order`` every fresh order of this one's shape (market, side, type, time in
        force, post-only, fee currency) shares but for its own six fields: nothing filled,
        no fee, open, never updated. Made once per shape, never answered itself."""
        key = (self.symbol, self.side, self.type, self.time_in_force, self.post_only,
               self.fee_currency)
        shape = _SHAPES.get(key)
        if shape is None:
            if len(_SHAPES) >= _CACHED:
                _SHAPES.clear()
            shape = _SHAPES[key] = trusted(
                Order, id=self.id, client_order_id=self.client_order_id, symbol=self.symbol,
                side=self.side, type=self.type, price=self.price, amount=self.amount,
                filled=_ZERO, remaining=self.amount, average=None, status=OrderStatus.OPEN,
                time_in_force=self.time_in_force, post_only=self.post_only, fee=_ZERO,
                fee_currency=self.fee_currency, fees=fee_charges(self.fee_currency, _ZERO),
                timestamp=self.created, updated=None,
            )
        return shape


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
