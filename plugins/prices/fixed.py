"""``prices.fixed``: a constant reference price."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from fortuna import Component, ComponentArgs
from schemas import Price, PriceProvider

__all__ = ["FixedPrice", "FixedPriceArgs"]


class FixedPriceArgs(ComponentArgs):
    price: Price = Field(description="the price, quote per base, e.g. 100.25")


class FixedPrice(Component[FixedPriceArgs], PriceProvider):
    """A fixed reference price (a peg, or a test)."""

    async def price(self) -> Decimal:
        return self.args.price
