"""``prices.weighted_average``: several sources' prices averaged by weight.

``sum(weight * price) / sum(weight)`` over the healthy sources, through ``schemas.money``
(the products and sums are exact; the quotient is rounded half-even at 34 significant
digits when it does not terminate). Unhealthy sources (unavailable, or older than
``max_age``) are left out and the weights of the others renormalised, as long as at least
``min_sources`` remain; ``max_divergence`` refuses when the healthy prices disagree too much.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from fortuna import Component, ExactDecimal
from plugins.prices._composite import MultiSourceArgs, exact, healthy_quotes, quote_of
from schemas import PriceProvider, PriceQuote, money

__all__ = ["WeightedAveragePrice", "WeightedAveragePriceArgs", "WeightedSource"]


class WeightedSource(BaseModel):
    """One source and its weight."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: PriceProvider = Field(description='the price provider, e.g. "@binance_mid"')
    weight: Annotated[ExactDecimal, Field(gt=0)] = Field(
        description="its relative weight, e.g. 3 (only ratios between weights matter)"
    )


class WeightedAveragePriceArgs(MultiSourceArgs):
    sources: Annotated[list[WeightedSource], Field(min_length=2)] = Field(
        description='the sources and weights, e.g. [{source: "@a", weight: 2}, '
        '{source: "@b", weight: 1}]'
    )


class WeightedAveragePrice(Component[WeightedAveragePriceArgs], PriceProvider):
    """The weighted average of several fresh prices (weights renormalised over the healthy)."""

    async def price(self) -> Decimal:
        return (await self.quote()).price

    async def quote(self) -> PriceQuote:
        args = self.args
        results = await healthy_quotes(self.name, args, [s.source for s in args.sources],
                                       self.clock.now())
        used = [(s.weight, q) for s, q in zip(args.sources, results, strict=True)
                if q is not None]
        quotes = [q for _, q in used]
        with exact(self.name):
            weighted = money.total(money.multiply(w, q.price) for w, q in used)
            value = money.ratio(weighted, money.total(w for w, _ in used))
        return quote_of(self.name, value, quotes)
