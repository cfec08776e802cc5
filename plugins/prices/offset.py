"""``prices.offset``: another price times a factor plus a fixed spread.

``price * factor + add``, exact (``schemas.money``),
for a peg with a premium, a basis, or a conversion by a fixed rate. A result that is not
positive is refused (``PriceUnavailable``), as is a source that is unavailable or older
than ``max_age``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Self

from pydantic import Field, model_validator

from fortuna import Component, ExactDecimal
from plugins.prices._composite import CompositeArgs, exact, fresh_quote, quote_of
from schemas import PriceProvider, PriceQuote, money

__all__ = ["OffsetPrice", "OffsetPriceArgs"]


class OffsetPriceArgs(CompositeArgs):
    source: PriceProvider = Field(description="the price offset")
    factor: Annotated[ExactDecimal, Field(gt=0)] = Field(
        default=Decimal(1),
        description="multiplies the price first, e.g. 1.001 for +0.1 % (1 leaves it)",
    )
    add: ExactDecimal = Field(
        default=Decimal(0),
        description="then added, in quote currency, e.g. -0.5 (may be negative)",
    )

    @model_validator(mode="after")
    def _changes_something(self) -> Self:
        if self.factor == 1 and self.add == 0:
            raise ValueError("give a factor other than 1 or a non-zero add")
        return self


class OffsetPrice(Component[OffsetPriceArgs], PriceProvider):
    """Another price times a fixed factor plus a fixed spread."""

    async def price(self) -> Decimal:
        return (await self.quote()).price

    async def quote(self) -> PriceQuote:
        args = self.args
        quote = await fresh_quote(args.source, self.clock.now(), args.max_age)
        with exact(self.name):
            value = money.add(money.multiply(quote.price, args.factor), args.add)
        return quote_of(self.name, value, [quote])
