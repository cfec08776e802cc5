"""``execution.pov``: works a parent order as a share of the market's traded volume.

The market's volume is measured from the venue's public trades since the parent order
started, the mandate's own fills taken out. The target is ``rate`` times that volume;
when the fills are behind it by at least ``min_child``, one immediate-or-cancel child is
sent at the far touch plus ``cross`` for what is behind, at least ``min_child`` and at
most ``max_child``, and never so much that the fills would run more than ``max_ahead``
past the target. So after every tick the fills stay between ``target - min_child`` (less
the volume of the last tick's share) and ``target + max_ahead``. With a ``window`` the
parent order expires at its end; without one it runs until filled or stopped.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from fortuna import Duration, ExactDecimal
from plugins.execution._args import ParentArgs, ParentOrderArgs
from plugins.execution._parent import ExecutionService
from plugins.execution._view import KEEP, Child, View
from schemas import Amount, NonNegativeAmount, Side, TimeInForce, money

__all__ = ["ParticipationArgs", "Pov", "PovArgs", "participation"]


class ParticipationArgs(ParentOrderArgs):
    """The participation args, shared with ``execution.swap_pov``."""

    rate: Annotated[ExactDecimal, Field(gt=0, le=Decimal("0.5"))] = Field(
        description="the share of the market's volume to trade, as a fraction (0.1 = 10 %)"
    )
    min_child: Amount = Field(
        description="the smallest child, in base: the fills may lag the target by this much"
    )
    max_child: Amount = Field(description="the largest child, in base")
    max_ahead: NonNegativeAmount = Field(
        default=Decimal(0),
        description="how far, in base, the fills may run past the target (a last child "
        "larger than what is behind)",
    )
    window: Annotated[Duration, Field(gt=0)] | None = Field(
        default=None, description='stop after this long even if not filled, e.g. "2h"'
    )

    @model_validator(mode="after")
    def _sizes(self) -> ParticipationArgs:
        if self.min_child > self.max_child:
            raise ValueError(
                f"min_child {self.min_child} is larger than max_child {self.max_child}"
            )
        return self


class PovArgs(ParentArgs, ParticipationArgs):
    cross: Annotated[ExactDecimal, Field(ge=0, lt=1)] = Field(
        default=Decimal("0.001"),
        description="how far past the far touch a child may reach, as a fraction "
        "(0.001 = 0.1 %); the limit price still bounds it",
    )


def participation(args: ParticipationArgs, filled: Decimal, market_volume: Decimal
                  ) -> Decimal | None:
    """The child wanted when ``filled`` lags ``rate`` x ``market_volume`` by at least
    ``min_child``: the lag, between min_child and max_child, never more than max_ahead past
    the target; None when nothing is wanted."""
    target = money.multiply(args.rate, market_volume)
    behind = money.subtract(target, filled)
    if behind < args.min_child:
        return None
    room = money.subtract(money.add(target, args.max_ahead), filled)
    amount = min(max(behind, args.min_child), args.max_child, room)
    return amount if amount > 0 else None


class Pov(ExecutionService[PovArgs]):
    """Participation of volume: trades a set share of the market's volume, own fills excluded."""

    algorithm = "pov"

    def deadline(self) -> float | None:
        return self.args.window

    def want(self, view: View) -> Child | Literal["keep"] | None:
        args = self.args
        amount = participation(args, view.filled, view.market_volume)
        far = view.touch.far(args.side)
        if far is None or amount is None:
            return KEEP
        factor = money.add(Decimal(1), args.cross) if args.side is Side.BUY else \
            money.subtract(Decimal(1), args.cross)
        return Child(price=money.multiply(far, factor), amount=amount,
                     time_in_force=TimeInForce.IOC)
