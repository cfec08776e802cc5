"""``market_making.strategies.ladder``: levels at a step from the reference."""

from __future__ import annotations

import decimal
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
    _shaped_for: tuple[LadderArgs, int, str] | None = None

    def quotes(self, context: QuoteContext) -> list[DesiredQuote]:
        # ``ladder(context.reference, ...)`` of the args, with the part that does not
        # depend on the reference (distances, sizes, tags) computed once: it is computed
        # again only for other args or another Decimal precision or rounding, so every
        # tick gets exactly what ladder() would compute.
        args = self.args
        current = decimal.getcontext()
        shaped_for = self._shaped_for
        if (
            shaped_for is None or shaped_for[0] is not args
            or shaped_for[1] != current.prec or shaped_for[2] != current.rounding
        ):
            self._shape = args.shape(sides=args.sides, tag="ladder:")
            self._shaped_for = (args, current.prec, current.rounding)
        return priced_ladder(self._shape, context.reference)
