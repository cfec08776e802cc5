"""Arg types the strategies share."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from fortuna import ComponentArgs, ExactDecimal
from plugins.market_making._quoting import LadderRung, Sides, ladder_shape

__all__ = ["Fraction", "LevelArgs", "PositiveDecimal"]

Fraction = Annotated[ExactDecimal, Field(ge=0, lt=1)]
"""A fraction of the reference price: 0.001 is 0.1 % (10 bps)."""
PositiveDecimal = Annotated[ExactDecimal, Field(gt=0)]


class LevelArgs(ComponentArgs):
    """Levels at a step from the reference, with a size progression."""

    levels: int = Field(default=1, ge=1, le=500, description="quotes per side")
    spread: Fraction = Field(
        description="distance of the first level from the reference, as a fraction "
        "(0.001 = 10 bps on each side)"
    )
    step: Fraction = Field(
        default=Decimal(0), description="extra distance of each further level, as a fraction"
    )
    amount: PositiveDecimal = Field(description="size of the first level, in base currency")
    amount_step: Annotated[ExactDecimal, Field(ge=0)] = Field(
        default=Decimal(0), description="size added at each further level, in base currency"
    )
    amount_factor: PositiveDecimal = Field(
        default=Decimal(1), description="size multiplied at each further level (1.5 grows 50 %)"
    )

    def shape(
        self,
        *,
        tag: str,
        sides: Sides = "both",
        buy_scale: Decimal = Decimal(1),
        sell_scale: Decimal = Decimal(1),
    ) -> tuple[LadderRung, ...]:
        """The ladder these levels describe, before the reference is known."""
        return ladder_shape(
            levels=self.levels, spread=self.spread, step=self.step, amount=self.amount,
            amount_step=self.amount_step, amount_factor=self.amount_factor, sides=sides,
            buy_scale=buy_scale, sell_scale=sell_scale, tag=tag,
        )
