"""The declared action args the newer kill switches share (``on_trip``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from fortuna import ExactDecimal
from schemas.risk import TripAction, TripPolicy

__all__ = ["OnTrip"]


class OnTrip(BaseModel):
    """What the mandate does while the switch is tripped."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: TripAction = Field(
        default=TripAction.HALT,
        description="halt (cancel every order and wait for a reset), reduce_only (quote only "
        "the side that brings inventory back to target) or flatten (trade back to target)",
    )
    target: Annotated[ExactDecimal, Field(ge=0)] = Field(
        default=Decimal(0), description="the base inventory reduce_only and flatten aim at"
    )
    max_amount: Annotated[ExactDecimal, Field(gt=0)] | None = Field(
        default=None, description="flatten: the largest order per tick, in base (none: all)"
    )
    max_slippage: Annotated[ExactDecimal, Field(ge=0, lt=1)] = Field(
        default=Decimal("0.005"),
        description="flatten: how far through the reference its order is priced, as a "
        "fraction (0.005 = 50 bps)",
    )

    def policy(self) -> TripPolicy:
        return TripPolicy(self.action, self.target, self.max_amount, self.max_slippage)
