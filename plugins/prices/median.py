"""``prices.median``: the median of several sources' prices.

All sources are asked concurrently. Unhealthy ones (unavailable, or older than ``max_age``)
are left out; with fewer than ``min_sources`` healthy ones left, or healthy ones that
diverge by more than ``max_divergence``, no price is given. With an even count the median
is the exact midpoint of the two middle prices.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from fortuna import Component
from plugins.prices._composite import MultiSourceArgs, exact, healthy_quotes, quote_of
from schemas import PriceProvider, PriceQuote, money

__all__ = ["MedianPrice", "MedianPriceArgs", "median"]


def median(values: list[Decimal]) -> Decimal:
    """The median of ``values`` (not empty), the midpoint of the middle two if even."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return money.mid(ordered[middle - 1], ordered[middle])


class MedianPriceArgs(MultiSourceArgs):
    sources: Annotated[list[PriceProvider], Field(min_length=2)] = Field(
        description="price providers of the same market, asked concurrently"
    )


class MedianPrice(Component[MedianPriceArgs], PriceProvider):
    """The median of several fresh prices, refusing when too few agree."""

    async def price(self) -> Decimal:
        return (await self.quote()).price

    async def quote(self) -> PriceQuote:
        args = self.args
        results = await healthy_quotes(self.name, args, args.sources, self.clock.now())
        healthy = [q for q in results if q is not None]
        with exact(self.name):
            value = median([q.price for q in healthy])
        return quote_of(self.name, value, healthy)
