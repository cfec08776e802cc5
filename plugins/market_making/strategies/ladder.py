"""``market_making.strategies.ladder``: levels at a step from the reference."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from fortuna import Component
from plugins.market_making._quoting import ladder
from plugins.market_making.strategies._args import LevelArgs
from schemas.market_making import DesiredQuote, QuoteContext, Strategy

__all__ = ["LadderArgs", "LadderStrategy"]


class LadderArgs(LevelArgs):
    sides: Literal["both", "buy", "sell"] = Field(
        default="both", description="quote both sides, or only bids or only asks"
    )


class LadderStrategy(Component[LadderArgs], Strategy):
    """Levels of bids and asks at a step from the reference, with a size progression."""

    def quotes(self, context: QuoteContext) -> list[DesiredQuote]:
        args = self.args
        return ladder(
            context.reference,
            levels=args.levels,
            spread=args.spread,
            step=args.step,
            amount=args.amount,
            amount_step=args.amount_step,
            amount_factor=args.amount_factor,
            sides=args.sides,
            tag="ladder:",
        )
