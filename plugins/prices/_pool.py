"""A swap venue's pool as a reference price: the mid price from on-chain state, exact.

The price comes from :meth:`schemas.swap.SwapVenue.mid_price` (reserves for a v2 pair,
``sqrtPriceX96`` for a v3 pool), quote per base in the orientation the args give, to 34
significant digits, stamped with the time of the block it was read at so staleness checks
measure the chain's age, not the read's. Each pool kind has its own id (``prices.
uniswap_v2``, ...) over this one implementation; the id documents which venue to point at.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Generic, TypeVar

from pydantic import Field

from fortuna import Component, ComponentArgs
from plugins.prices._composite import from_venue
from schemas import PriceProvider, PriceQuote
from schemas.swap import PoolPrice, SwapVenue, Token

__all__ = ["PoolPriceArgs", "PoolPriceProvider", "pool_quote"]


def pool_quote(source: str, pool: PoolPrice) -> PriceQuote:
    """``pool``'s mid as the quote of the provider ``source``, stamped with its block's time
    and naming the pool and block it was read at (``source:pool@block``)."""
    return PriceQuote(price=pool.price, timestamp=pool.timestamp,
                      source=f"{source}:{pool.pool}@{pool.block}")


class PoolPriceArgs(ComponentArgs):
    venue: SwapVenue = Field(description="the venue whose pool is read (@name); read-only is fine")
    base: str = Field(min_length=1, description="address of the token priced, e.g. WETH's")
    quote: str = Field(
        min_length=1, description="address of the token the price is in, e.g. USDC's"
    )


ArgsT = TypeVar("ArgsT", bound=PoolPriceArgs)


class PoolPriceProvider(Component[ArgsT], PriceProvider, Generic[ArgsT]):
    """Base of the pool price providers (not a component by itself)."""

    _tokens: tuple[Token, Token] | None = None

    async def load(self) -> None:
        venue = self.args.venue
        self._tokens = (await venue.token(self.args.base), await venue.token(self.args.quote))

    async def pool_price(self) -> PoolPrice:
        """The mid price with its pool, block and block time; a venue's error reading it
        (no such pool, the node down) is :class:`PriceUnavailable`, as the contract says."""
        return await from_venue(self.name, self._mid_price())

    async def _mid_price(self) -> PoolPrice:
        if self._tokens is None:
            await self.load()
        assert self._tokens is not None
        return await self.args.venue.mid_price(*self._tokens)

    async def price(self) -> Decimal:
        return (await self.pool_price()).price

    async def quote(self) -> PriceQuote:
        return pool_quote(self.name, await self.pool_price())


