"""``kill_switches.spread_sla``: trip when the mandate's two-sided quote is missing or too
wide for longer than a grace period."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from fortuna import ComponentArgs, Duration, ExactDecimal
from plugins.kill_switches._action import OnTrip
from plugins.kill_switches._latch import LatchedSwitch
from schemas import Exchange, ExchangeError, MandateName, Side, Symbol, money
from schemas.feeds import OpenOrdersFeed
from schemas.risk import KillSwitch, TripPolicy

__all__ = ["SpreadSlaArgs", "SpreadSlaSwitch", "breach"]


def breach(bids: list[Decimal], asks: list[Decimal], max_spread: Decimal) -> str | None:
    """Why resting ``bids`` and ``asks`` break a ``max_spread`` SLA now, or None."""
    if not bids or not asks:
        missing = " and ".join(s for s, p in (("bid", bids), ("ask", asks)) if not p)
        return f"no {missing} resting"
    bid, ask = max(bids), min(asks)
    spread = money.ratio(money.subtract(ask, bid), money.mid(ask, bid))
    if spread > max_spread:
        return f"spread {spread} (bid {bid}, ask {ask}) is over {max_spread}"
    return None


class SpreadSlaArgs(ComponentArgs):
    exchange: Exchange | OpenOrdersFeed = Field(
        description="the venue whose resting orders are watched, or a listeners.open_orders"
    )
    symbol: Symbol = Field(description="the market quoted")
    mandate: MandateName = Field(
        description="the mandate whose orders count (its client-order-id prefix)"
    )
    max_spread: Annotated[ExactDecimal, Field(gt=0, lt=1)] = Field(
        description="the widest best-ask-to-best-bid distance allowed, as a fraction of "
        "their mid (0.004 = 40 bps)"
    )
    grace: Annotated[Duration, Field(ge=0)] = Field(
        description='how long the quote may be missing or too wide before tripping, e.g. "30s"'
    )
    paused_by: list[KillSwitch] = Field(
        default_factory=list,
        description='switches while any of which is tripped the SLA does not run (a '
        'kill_switches.schedule: no quote is owed outside trading hours), e.g. ["@hours"]',
    )
    on_trip: OnTrip = Field(default_factory=OnTrip, description="what the mandate does then")


class SpreadSlaSwitch(LatchedSwitch[SpreadSlaArgs]):
    """Trips when the mandate's two-sided quote is missing or too wide past a grace period.

    A venue read that fails does not restart the grace clock."""

    book_claims = ("plugins._book:names",)

    _since: float | None = None
    _breach: str | None = None

    @property
    def policy(self) -> TripPolicy:
        return self.args.on_trip.policy()

    async def evaluate(self) -> str | None:
        args = self.args
        now = self.clock.monotonic()
        if any(switch.tripped for switch in args.paused_by):
            self._since = self._breach = None
            return None
        try:
            orders = await args.exchange.fetch_open_orders(str(args.symbol))
        except ExchangeError as exc:
            self.log.warning("open orders unreadable: SLA clock keeps running",
                             error=f"{type(exc).__name__}: {exc}")
            orders = None
            self._breach = self._breach or "open orders unreadable"
        if orders is not None:
            prefix = f"{args.mandate}-"
            own = [o for o in orders
                   if (o.client_order_id or "").startswith(prefix) and o.price is not None]
            self._breach = breach([o.price for o in own if o.side is Side.BUY and o.price],
                                  [o.price for o in own if o.side is Side.SELL and o.price],
                                  args.max_spread)
            if self._breach is None:
                self._since = None
                return None
        if self._since is None:
            self._since = now
        lasted = now - self._since
        if lasted >= args.grace:
            return f"quote SLA broken for {lasted:g} s (grace {args.grace:g} s): {self._breach}"
        return None

    def reset(self) -> None:
        super().reset()
        self._since = None
