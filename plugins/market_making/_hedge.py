"""The hedge ledger of cross-venue quoting: maker fills in, hedges out, exposure exact.

Pure (no I/O, no clock): the ``market_making.xemm`` service feeds it every maker order it
sees (open, cancelled or filled; fills seen while cancelling count like any other) and
every hedge order's result, and asks it what is left to hedge. States:

- ``flat``: every maker fill is hedged (to within the taker's amount increment);
- ``exposed``: a maker fill is not hedged yet; the service sends a hedge at once;
- ``halted``: hedging failed ``attempts`` times in a row; the exposure stays as it is,
  reported exactly, and nothing is hedged or quoted any more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from schemas import Order, Side, money

__all__ = ["HedgeLedger", "HedgeState"]

_ZERO = Decimal(0)


class HedgeState(StrEnum):
    FLAT = "flat"
    EXPOSED = "exposed"
    HALTED = "halted"


def _signed(side: Side, amount: Decimal) -> Decimal:
    return amount if side is Side.BUY else -amount


@dataclass(slots=True)
class HedgeLedger:
    """Signed base amounts: a maker buy fill is +, a hedge sell is -; ``exposure`` is their
    sum (the base bought or sold on the maker venue and not yet offset on the taker)."""

    increment: Decimal
    """The taker's amount increment: exposure below it cannot be hedged and counts flat."""
    attempts: int
    """Failed or partial hedges in a row after which the ledger halts."""
    maker: Decimal = _ZERO
    hedged: Decimal = _ZERO
    failures: int = 0
    halted_because: str | None = None
    _seen: dict[str, Decimal] = field(default_factory=dict)

    @property
    def exposure(self) -> Decimal:
        return money.add(self.maker, self.hedged)

    @property
    def state(self) -> HedgeState:
        if self.halted_because is not None:
            return HedgeState.HALTED
        return HedgeState.EXPOSED if abs(self.exposure) >= self.increment else HedgeState.FLAT

    def maker_order(self, order: Order) -> Decimal:
        """Record what ``order`` (a maker order's latest state) filled since last seen;
        returns that new fill (signed)."""
        before = self._seen.get(order.id, _ZERO)
        if order.filled <= before:
            return _ZERO
        self._seen[order.id] = order.filled
        new = _signed(order.side, money.subtract(order.filled, before))
        self.maker = money.add(self.maker, new)
        return new

    def forget(self, order_id: str) -> None:
        """A maker order is final and fully recorded."""
        self._seen.pop(order_id, None)

    def hedge_needed(self) -> tuple[Side, Decimal] | None:
        """The hedge to send now: side and amount (on the increment, rounded down), or None."""
        if self.state is not HedgeState.EXPOSED:
            return None
        exposure = self.exposure
        amount = money.round_to(abs(exposure), self.increment, money.Rounding.DOWN)
        return (Side.SELL if exposure > 0 else Side.BUY), amount

    def hedge_result(self, side: Side, filled: Decimal, error: str | None = None) -> None:
        """Record a hedge's fill (``filled`` may be 0) and whether it failed; a hedge that
        leaves exposure counts as a failed attempt; ``attempts`` of them in a row halt."""
        if filled > 0:
            self.hedged = money.add(self.hedged, _signed(side, filled))
        if self.state is HedgeState.FLAT:
            self.failures = 0
            return
        self.failures += 1
        if self.failures >= self.attempts:
            self.halted_because = (
                f"{self.failures} hedge attempts in a row left {self.exposure} base unhedged; "
                f"last: {error or 'partly filled'}"
            )

    def halt(self, reason: str) -> None:
        if self.halted_because is None:
            self.halted_because = reason
