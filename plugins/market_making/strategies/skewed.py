"""``market_making.strategies.skewed``: quotes shifted against inventory away from a target."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from fortuna import Component, ExactDecimal
from plugins.market_making._quoting import priced_ladder
from plugins.market_making.strategies._args import Fraction, LevelArgs, PositiveDecimal
from schemas import money
from schemas.market_making import DesiredQuote, QuoteContext, Strategy

__all__ = ["SkewedArgs", "SkewedStrategy"]

_ONE = Decimal(1)


class SkewedArgs(LevelArgs):
    target: Annotated[ExactDecimal, Field(ge=0)] = Field(
        description="the base inventory the mandate aims to hold"
    )
    range: PositiveDecimal = Field(
        description="inventory away from target (in base) at which the skew is full"
    )
    max_skew: Fraction = Field(
        description="shift of both sides at full skew, as a fraction of the reference: "
        "long inventory lowers the quotes (sell more, buy less), short raises them"
    )
    size_skew: bool = Field(
        default=False,
        description="also shrink the side that would grow the imbalance (to zero at full skew)",
    )


class SkewedStrategy(Component[SkewedArgs], Strategy):
    """Shifts bids and asks with inventory versus a target, to bring inventory back."""

    def skew(self, context: QuoteContext) -> Decimal:
        """Inventory imbalance in [-1, 1]: +1 is ``range`` or more above target."""
        inventory = context.inventory()
        if inventory is None:
            return Decimal(0)
        imbalance = money.ratio(money.subtract(inventory, self.args.target), self.args.range)
        return max(-_ONE, min(_ONE, imbalance))

    def quotes(self, context: QuoteContext) -> list[DesiredQuote]:
        args = self.args
        imbalance = self.skew(context)
        buy_scale = sell_scale = _ONE
        if args.size_skew:
            buy_scale = money.subtract(_ONE, max(imbalance, Decimal(0)))
            sell_scale = money.add(_ONE, min(imbalance, Decimal(0)))
        shape = args.shape(tag="skewed:", buy_scale=buy_scale, sell_scale=sell_scale)
        return priced_ladder(shape, context.reference, money.multiply(-imbalance, args.max_skew))
