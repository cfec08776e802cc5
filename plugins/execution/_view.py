"""What an execution algorithm sees on a tick, and what it answers: the wanted child."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from plugins.execution._progress import Progress
from schemas import Market, Order, Side, TimeInForce, money

__all__ = ["KEEP", "Child", "Touch", "View"]

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Child:
    """The child order an algorithm wants working: limit price, base amount, how it rests.
    ``slot`` is the algorithm's own label (a TWAP slice), handed back to :meth:`sent`."""

    price: Decimal
    amount: Decimal
    time_in_force: TimeInForce = TimeInForce.GTC
    post_only: bool = False
    slot: int = 0


KEEP: Literal["keep"] = "keep"
"""Leave the working child (or the absence of one) as it is."""


@dataclass(frozen=True, slots=True)
class Touch:
    """The best bid and ask of other traders (the mandate's own order taken out)."""

    bid: Decimal | None
    ask: Decimal | None

    def near(self, side: Side) -> Decimal | None:
        return self.bid if side is Side.BUY else self.ask

    def far(self, side: Side) -> Decimal | None:
        return self.ask if side is Side.BUY else self.bid

    @property
    def mid(self) -> Decimal | None:
        return None if self.bid is None or self.ask is None else money.mid(self.bid, self.ask)


@dataclass(frozen=True, slots=True)
class View:
    """What an algorithm sees on a tick."""

    elapsed: float
    """Seconds of the clock since the parent order started (its first run)."""
    now: float
    """The clock's monotonic time."""
    progress: Progress
    working: Order | None
    touch: Touch
    market: Market
    market_volume: Decimal
    """The market's volume since the start without the mandate's own fills: the public
    trades counted so far, less the own fills they include."""

    @property
    def filled(self) -> Decimal:
        """Final children's fills plus what the working child filled so far."""
        extra = self.working.filled if self.working is not None else _ZERO
        return money.add(self.progress.filled, extra)
