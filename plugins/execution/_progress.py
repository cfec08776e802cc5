"""The bookkeeping of one parent order, pure: what filled, at what cost, what is in flight,
and the completion report.

Kept apart from the service so that it is tested without a venue, and so that the journal
entry and the report are computed from one place. A child order is *accounted* once, when
it is final (its fills, value and fee are added); the child in flight is only named
(``pending``), so a restart knows which single order it must look up.

Every sum goes through :mod:`schemas.money` (exact, or it raises); the report's ratios are
34-digit quotients, its basis points quantized half-even to 0.01.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from schemas import Fill, Order, Side, money
from schemas.execution import ParentState, ProgressRecord
from schemas.metrics import quantize_metric

__all__ = ["CompletionReport", "Progress"]

_ZERO = Decimal(0)
_BPS = Decimal(10_000)
_BPS_QUANTUM = Decimal("0.01")


@dataclass(slots=True)
class Progress:
    """Where a parent order stands (mutable; the service owns the one instance)."""

    side: Side
    total: Decimal
    started: datetime
    arrival: Decimal | None = None
    filled: Decimal = _ZERO
    cost: Decimal = _ZERO
    fees: Decimal = _ZERO
    fee_currency: str | None = None
    market_volume: Decimal = _ZERO
    market_cost: Decimal = _ZERO
    trades_position: datetime | None = None
    children: int = 0
    sent: int = 0
    refused: int = 0
    cancelled: int = 0
    pending: str | None = None
    pending_until: datetime | None = None
    trades_block: int | None = None
    gas: Decimal | None = None
    """On-chain: native coin paid for gas (valued in quote inside ``fees``)."""
    sequence: int = 0
    state: ParentState = "working"
    accounted: set[str] = field(default_factory=set)
    """Client order ids accounted in this run (a second report of one is ignored)."""

    @property
    def remaining(self) -> Decimal:
        return money.subtract(self.total, self.filled)

    def account(self, order: Order, fills: Sequence[Fill] = ()) -> bool:
        """Add a final child order's fills, value and fee; False if already accounted.

        The value is the sum of ``fills`` (the order's own executions, exact) when they add
        up to what the order filled; otherwise ``filled * average``, rounded half-even to
        the journal's 18 places (a venue's average is often a long quotient)."""
        key = order.client_order_id or order.id
        if key in self.accounted:
            return False
        fee, cost = order.fee, _ZERO
        if order.filled > 0:
            mine = [f for f in fills if f.order_id == order.id]
            if mine and money.total(f.amount for f in mine) == order.filled:
                cost = money.total(money.multiply(f.amount, f.price) for f in mine)
                fee = money.total(f.fee for f in mine)
            else:
                average = order.average
                if average is None:
                    raise ValueError(
                        f"child order {key} filled {order.filled} with no average price")
                cost = quantize_metric(money.multiply(order.filled, average))
        return self.add_fill(key, order.filled, cost, fee, order.fee_currency)

    def add_fill(self, key: str, filled: Decimal, cost: Decimal, fee: Decimal,
                 fee_currency: str | None) -> bool:
        """Add one final child's (or swap's) base ``filled``, its quote ``cost`` and its
        ``fee``, once per ``key``; False if ``key`` was already accounted."""
        if key in self.accounted:
            return False
        self.accounted.add(key)
        if self.pending == key:
            self.pending = None
            self.pending_until = None
        if filled > 0:
            self.filled = money.add(self.filled, filled)
            self.cost = money.add(self.cost, cost)
        if fee:
            self.fees = money.add(self.fees, fee)
            if self.fee_currency is None:
                self.fee_currency = fee_currency
        if self.filled > self.total:
            raise ValueError(
                f"child order {key} took the parent past its amount: filled {self.filled} "
                f"of {self.total}"
            )
        return True

    def count_trades(self, volume: Decimal, cost: Decimal, position: datetime) -> None:
        self.market_volume = money.add(self.market_volume, volume)
        self.market_cost = money.add(self.market_cost, cost)
        self.trades_position = position

    def record(self, *, mandate: str, venue: str, symbol: str, algorithm: str,
               now: datetime) -> ProgressRecord:
        """The next journal entry (the sequence advances)."""
        self.sequence += 1
        return ProgressRecord(
            mandate=mandate, venue=venue, symbol=symbol, timestamp=now, algorithm=algorithm,
            side=self.side.value, sequence=self.sequence, state=self.state,
            started=self.started, total=self.total, filled=self.filled, cost=self.cost,
            fees=self.fees, fee_currency=self.fee_currency, arrival=self.arrival,
            market_volume=self.market_volume, market_cost=self.market_cost,
            trades_position=self.trades_position, children=self.children, sent=self.sent,
            refused=self.refused, cancelled=self.cancelled, pending=self.pending,
            pending_until=self.pending_until, trades_block=self.trades_block, gas=self.gas,
        )

    @classmethod
    def resume(cls, record: ProgressRecord) -> Progress:
        """The progress a journal entry describes, to go on from."""
        return cls(
            side=Side(record.side), total=record.total, started=record.started,
            arrival=record.arrival, filled=record.filled, cost=record.cost, fees=record.fees,
            fee_currency=record.fee_currency, market_volume=record.market_volume,
            market_cost=record.market_cost, trades_position=record.trades_position,
            children=record.children, sent=record.sent, refused=record.refused,
            cancelled=record.cancelled, pending=record.pending,
            pending_until=record.pending_until, trades_block=record.trades_block,
            gas=record.gas, sequence=record.sequence, state=record.state,
        )

    def report(self) -> CompletionReport:
        average = money.ratio(self.cost, self.filled) if self.filled else None
        vwap = money.ratio(self.market_cost, self.market_volume) if self.market_volume else None
        return CompletionReport(
            state=self.state, side=self.side, total=self.total, filled=self.filled,
            remaining=self.remaining, average=average, arrival=self.arrival, vwap=vwap,
            slippage_arrival_bps=_slippage(self.side, average, self.arrival),
            slippage_vwap_bps=_slippage(self.side, average, vwap),
            fees=self.fees, fee_currency=self.fee_currency, sent=self.sent,
            refused=self.refused, cancelled=self.cancelled, gas=self.gas,
        )


def _slippage(side: Side, average: Decimal | None, reference: Decimal | None) -> Decimal | None:
    """What the fills cost against ``reference``, in bps: positive is worse (a buy above
    it, a sell below it)."""
    if average is None or reference is None or not reference:
        return None
    worse = money.subtract(average, reference) if side is Side.BUY else \
        money.subtract(reference, average)
    return money.round_to(money.ratio(money.multiply(worse, _BPS), reference), _BPS_QUANTUM,
                          money.Rounding.HALF_EVEN)


@dataclass(frozen=True, slots=True)
class CompletionReport:
    """What a parent order achieved: the completion report the service logs at the end.

    ``vwap`` is the volume-weighted average price of the market's public trades over the
    interval the parent order was worked (its own fills included, as the tape shows them).
    """

    state: ParentState
    side: Side
    total: Decimal
    filled: Decimal
    remaining: Decimal
    average: Decimal | None
    arrival: Decimal | None
    vwap: Decimal | None
    slippage_arrival_bps: Decimal | None
    slippage_vwap_bps: Decimal | None
    fees: Decimal
    fee_currency: str | None
    sent: int
    refused: int
    cancelled: int
    gas: Decimal | None = None
    """On-chain: native coin paid for gas (inside ``fees``, valued in quote)."""

    def fields(self) -> dict[str, Any]:
        extra = {} if self.gas is None else {"gas_native": self.gas}
        return {
            "state": self.state, "side": self.side.value, "total": self.total,
            "filled": self.filled, "remaining": self.remaining, "average_price": self.average,
            "arrival_price": self.arrival, "interval_vwap": self.vwap,
            "slippage_vs_arrival_bps": self.slippage_arrival_bps,
            "slippage_vs_vwap_bps": self.slippage_vwap_bps, "fees": self.fees,
            "fee_currency": self.fee_currency, "children_sent": self.sent,
            "children_refused": self.refused, "children_cancelled": self.cancelled, **extra,
        }
