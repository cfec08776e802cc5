"""``market_making.strategies.multi``: several strategies' quotes combined."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from fortuna import Component, ComponentArgs
from schemas import Side
from schemas.market_making import DesiredQuote, QuoteContext, Strategy

__all__ = ["MultiArgs", "MultiStrategy"]


class MultiArgs(ComponentArgs):
    strategies: Annotated[list[Strategy], Field(min_length=1)] = Field(
        description='the strategies to combine, e.g. ["@inner", "@outer"]'
    )


class MultiStrategy(Component[MultiArgs], Strategy):
    """Combines several strategies' quotes; quotes at the same side and price add up.

    A bid of one strategy at or above an ask of another would trade the mandate with
    itself: every quote that crosses one of the other side is left out.
    """

    def quotes(self, context: QuoteContext) -> list[DesiredQuote]:
        combined: list[DesiredQuote] = []
        for strategy in self.args.strategies:
            combined.extend(strategy.quotes(context))
        bids = [q.price for q in combined if q.side is Side.BUY]
        asks = [q.price for q in combined if q.side is Side.SELL]
        if not bids or not asks or max(bids) < min(asks):
            return combined
        lowest_ask, highest_bid = min(asks), max(bids)
        return [
            q for q in combined
            if (q.price < lowest_ask if q.side is Side.BUY else q.price > highest_bid)
        ]
