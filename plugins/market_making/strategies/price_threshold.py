"""``market_making.strategies.price_threshold``: quote only within price limits."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from fortuna import Component
from plugins.market_making._quoting import priced_ladder
from plugins.market_making.strategies._args import LevelArgs, PositiveDecimal
from schemas import Side
from schemas.market_making import DesiredQuote, QuoteContext, Strategy

__all__ = ["PriceThresholdArgs", "PriceThresholdStrategy"]

OptionalPrice = Annotated[PositiveDecimal | None, Field()]


class PriceThresholdArgs(LevelArgs):
    min_reference: OptionalPrice = Field(
        default=None, description="quote nothing while the reference is below this price"
    )
    max_reference: OptionalPrice = Field(
        default=None, description="quote nothing while the reference is above this price"
    )
    max_buy_price: OptionalPrice = Field(
        default=None, description="never bid above this price"
    )
    min_sell_price: OptionalPrice = Field(
        default=None, description="never offer below this price"
    )
    beyond: Literal["clamp", "skip"] = Field(
        default="skip",
        description="a level better than its threshold: skip it, or clamp it to the threshold",
    )

    @model_validator(mode="after")
    def _limits(self) -> Self:
        if (self.min_reference is not None and self.max_reference is not None
                and self.min_reference > self.max_reference):
            raise ValueError("min_reference is above max_reference")
        return self


class PriceThresholdStrategy(Component[PriceThresholdArgs], Strategy):
    """Ladder quoting only within price limits, never bidding or offering past a threshold."""

    def quotes(self, context: QuoteContext) -> list[DesiredQuote]:
        args = self.args
        reference = context.reference
        if args.min_reference is not None and reference < args.min_reference:
            return []
        if args.max_reference is not None and reference > args.max_reference:
            return []
        quotes = priced_ladder(args.shape(tag="threshold:"), reference)
        kept: list[DesiredQuote] = []
        for quote in quotes:
            limit = args.max_buy_price if quote.side is Side.BUY else args.min_sell_price
            if limit is None:
                kept.append(quote)
                continue
            better = quote.price > limit if quote.side is Side.BUY else quote.price < limit
            if not better:
                kept.append(quote)
            elif args.beyond == "clamp":
                kept.append(DesiredQuote(quote.side, limit, quote.amount, quote.tag))
        return kept
