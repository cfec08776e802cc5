"""``prices.inverse``: one over another price (USDT/BTC from BTC/USDT).

``1 / price`` (``schemas.money.ratio``), rounded half-even at 34 significant
digits when it does not terminate. A source that is unavailable or older than ``max_age``
makes the inverse unavailable too.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from fortuna import Component
from plugins.prices._composite import CompositeArgs, exact, fresh_quote, quote_of
from schemas import PriceProvider, PriceQuote, money

__all__ = ["InversePrice", "InversePriceArgs"]

_ONE = Decimal(1)


class InversePriceArgs(CompositeArgs):
    source: PriceProvider = Field(description="the price to invert, e.g. a BTC/USDT price")


class InversePrice(Component[InversePriceArgs], PriceProvider):
    """One over another price: the same market quoted the other way round."""

    async def price(self) -> Decimal:
        return (await self.quote()).price

    async def quote(self) -> PriceQuote:
        quote = await fresh_quote(self.args.source, self.clock.now(), self.args.max_age)
        with exact(self.name):
            value = money.ratio(_ONE, quote.price)
        return quote_of(self.name, value, [quote])
