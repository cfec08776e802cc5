"""``kill_switches.pnl``: trip on a mark-to-market loss from the peak (trailing) or since start."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from fortuna import ExactDecimal
from plugins.kill_switches._action import OnTrip
from plugins.kill_switches._latch import LatchedSwitch
from plugins.kill_switches._limits import EitherLimitArgs
from plugins.kill_switches._valuation import marked_value_or_none
from schemas import Exchange, PriceProvider, Symbol, money
from schemas.feeds import BalancesFeed
from schemas.risk import TripPolicy

__all__ = ["PnlArgs", "PnlSwitch"]

QuoteLoss = Annotated[ExactDecimal, Field(gt=0)]


class PnlArgs(EitherLimitArgs):
    either_limit = ("max_loss_from_peak", "max_loss_since_start")

    exchange: Exchange | BalancesFeed = Field(
        description="the venue whose balances are marked, or a listeners.balances"
    )
    symbol: Symbol = Field(description="the market: base marked to market in quote at price")
    price: PriceProvider = Field(description="the mark price of the base inventory")
    max_loss_from_peak: QuoteLoss | None = Field(
        default=None,
        description="trip when the marked value falls this much quote currency below the "
        "highest value seen (a trailing stop on PnL)",
    )
    max_loss_since_start: QuoteLoss | None = Field(
        default=None,
        description="trip when the marked value falls this much quote currency below its "
        "value at the first check",
    )
    on_trip: OnTrip = Field(default_factory=OnTrip, description="what the mandate does then")


class PnlSwitch(LatchedSwitch[PnlArgs]):
    """Trips on a marked-to-market loss in quote: trailing from the peak, or since start."""

    start: Decimal | None = None
    peak: Decimal | None = None
    value: Decimal | None = None

    @property
    def policy(self) -> TripPolicy:
        return self.args.on_trip.policy()

    async def evaluate(self) -> str | None:
        args = self.args
        marked = await marked_value_or_none(args.exchange, args.price, args.symbol,
                                            log=self.log, unmarked="pnl not marked")
        if marked is None:
            return None
        value, price = marked
        quote = args.symbol.quote
        self.value = value
        if self.start is None:
            self.start = value
        if self.peak is None or value > self.peak:
            self.peak = value
        from_peak = money.subtract(self.peak, value)
        since_start = money.subtract(self.start, value)
        self.log.debug("pnl marked", value=value, price=price, peak=self.peak,
                       start=self.start)
        if args.max_loss_from_peak is not None and from_peak >= args.max_loss_from_peak:
            return (f"marked value {value} {quote} is {from_peak} below its peak {self.peak} "
                    f"(max loss from peak {args.max_loss_from_peak}; mark {price})")
        if args.max_loss_since_start is not None and since_start >= args.max_loss_since_start:
            return (f"marked value {value} {quote} is {since_start} below its start "
                    f"{self.start} (max loss since start {args.max_loss_since_start}; "
                    f"mark {price})")
        return None
