"""The account valuation the loss switches share: base at a price, plus quote."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from schemas import Exchange, PriceProvider, Symbol, money
from schemas.feeds import BalancesFeed

__all__ = ["marked_value"]


async def marked_value(balances: Exchange | BalancesFeed, price: PriceProvider,
                       symbol: Symbol) -> tuple[Decimal, Decimal]:
    """``(value, mark)``: the total base at the mark price plus the total quote, in quote.
    Balances and price are fetched concurrently; ``PriceUnavailable`` when there is no
    price (no valuation without one)."""
    fetched, mark = await asyncio.gather(balances.fetch_balances(), price.price())
    value = money.add(money.multiply(fetched.total(symbol.base), mark),
                      fetched.total(symbol.quote))
    return value, mark
