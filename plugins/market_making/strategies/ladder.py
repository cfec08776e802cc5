"""``market_making.strategies.ladder``: levels at a step from the reference."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from fortuna import Component
from plugins.market_making._quoting import LadderRung, priced_ladder
from plugins.market_making.strategies._args import LevelArgs
from schemas.market_making import DesiredQuote, QuoteContext, Strategy

__all__ = ["LadderArgs", "LadderStrategy"]


class LadderArgs(LevelArgs):
    sides: Literal["both", "buy", "sell"] = Field(
        default="both", description="quote both sides, or only bids or only asks"
    )


class LadderStrategy(Component[LadderArgs], Strategy):
    """Levels of bids and asks at a step from the reference, with a size progression."""

    _shape: tuple[LadderRung, ...] = ()
    _shaped_for: LadderArgs | None = None
    _priced: tuple[tuple[LadderRung, ...], Decimal, tuple[DesiredQuote, ...]] | None = None

    def quotes(self, context: QuoteContext) -> list[DesiredQuote]:
        # ``ladder(context.reference, ...)`` of the args, with the part that does not
        # depend on the reference (distances, sizes, tags) computed once per args, and
        # the quotes of the last reference kept for a tick whose reference is the same
        # number written the same way (a market that did not move). The arithmetic is
        # schemas.money's, exact whatever the thread's decimal context, so every tick gets
        # exactly what ladder() would compute.
        args = self.args
        if self._shaped_for is not args:
            self._shape = args.shape(sides=args.sides, tag="ladder:")
            self._shaped_for = args
        shape, reference, priced = self._shape, context.reference, self._priced
        if (
            priced is not None and priced[0] is shape and priced[1] == reference
            and priced[1].as_tuple().exponent == reference.as_tuple().exponent
        ):
            return list(priced[2])
        quotes = priced_ladder(shape, reference)
        self._priced = (shape, reference, tuple(quotes))
        return quotes
