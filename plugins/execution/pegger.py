"""``execution.pegger``: keeps one limit order glued to the best bid or ask.

The peg is the near touch of *other* traders (the best bid for a buy, the best ask for a
sell, the mandate's own order taken out), ``offset`` ticks behind it, or the mid (rounded
away from the far side, so it never crosses). The order is replaced only when the peg has
moved more than ``tolerance`` ticks from it, and at most once per ``min_replace``; it never
goes past ``limit_price`` (it then waits at the limit). With ``post_only`` the venue
refuses a child that would take liquidity; the next tick tries again at the new touch.
The child is at most ``display`` in size (the rest comes in later children).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from fortuna import Duration
from plugins.execution._args import ParentArgs
from plugins.execution._parent import ExecutionService
from plugins.execution._view import KEEP, Child, View
from schemas import Amount, Side, money

__all__ = ["Pegger", "PeggerArgs"]


class PeggerArgs(ParentArgs):
    peg: Literal["touch", "mid"] = Field(
        default="touch", description="touch: the best bid (buy) or ask (sell); mid: the mid"
    )
    offset: int = Field(
        default=0, ge=0, le=10_000,
        description="ticks behind the peg, away from the far side (0 = at the peg)",
    )
    tolerance: int = Field(
        default=0, ge=0, le=10_000,
        description="ticks the peg may move before the order is replaced (0 = every move)",
    )
    min_replace: Annotated[Duration, Field(ge=0)] = Field(
        default=0.0, description='shortest time between two replacements, e.g. "2s"'
    )
    post_only: bool = Field(default=True, description="never take liquidity")
    display: Amount | None = Field(
        default=None, description="largest child, in base; the whole remainder when omitted"
    )
    window: Annotated[Duration, Field(gt=0)] | None = Field(
        default=None, description='stop after this long even if not filled, e.g. "1h"'
    )


class Pegger(ExecutionService[PeggerArgs]):
    """Pegs one limit order to the best bid or ask (or the mid), within a tolerance."""

    algorithm = "pegger"
    _replaced_at: float | None = None

    def deadline(self) -> float | None:
        return self.args.window

    def peg(self, view: View) -> Decimal | None:
        """The price the order should be at, before the limit price (None: no touch)."""
        args, market = self.args, view.market
        side = args.side
        if args.peg == "mid":
            mid = view.touch.mid
            if mid is None:
                return None
            price = market.quantize_price(mid, side)
        else:
            near = view.touch.near(side)
            if near is None:
                return None
            price = near
        shift = money.multiply(market.price_increment, Decimal(args.offset))
        return money.subtract(price, shift) if side is Side.BUY else money.add(price, shift)

    def want(self, view: View) -> Child | Literal["keep"] | None:
        args = self.args
        price = self.peg(view)
        if price is None or price <= 0:
            return KEEP
        working = view.working
        left = money.subtract(view.progress.remaining,
                              working.filled if working is not None else Decimal(0))
        amount = left if args.display is None else min(left, args.display)
        if working is not None and working.price is not None:
            limit = args.limit_price
            target = price if limit is None else (
                min(price, limit) if args.side is Side.BUY else max(price, limit))
            moved = abs(money.subtract(target, working.price))
            if moved <= money.multiply(view.market.price_increment, Decimal(args.tolerance)):
                return KEEP
            if self._replaced_at is not None and \
                    view.now - self._replaced_at < args.min_replace:
                return KEEP
        return Child(price=price, amount=amount, post_only=args.post_only)

    def sent(self, child: Child) -> None:
        self._replaced_at = self.clock.monotonic()
