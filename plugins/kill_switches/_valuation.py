"""The account valuation the loss switches share: base at a price, plus quote."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from fortuna import Logger
from schemas import Exchange, PriceProvider, PriceUnavailable, Symbol, money
from schemas.feeds import BalancesFeed

__all__ = ["marked_value", "marked_value_or_none"]


async def marked_value(balances: Exchange | BalancesFeed, price: PriceProvider,
                       symbol: Symbol) -> tuple[Decimal, Decimal]:
    """``(value, mark)``: the total base at the mark price plus the total quote, in quote.
    Balances and price are fetched concurrently; ``PriceUnavailable`` when there is no
    price (no valuation without one)."""
    fetched, mark = await asyncio.gather(balances.fetch_balances(), price.price())
    value = money.add(money.multiply(fetched.total(symbol.base), mark),
                      fetched.total(symbol.quote))
    return value, mark


async def marked_value_or_none(balances: Exchange | BalancesFeed, price: PriceProvider,
                               symbol: Symbol, *, log: Logger, unmarked: str
                               ) -> tuple[Decimal, Decimal] | None:
    """:func:`marked_value`, or None without a price, logged as the warning
    ``price unavailable: <unmarked>`` with the error: no valuation without a price, and a
    missing price is ``kill_switches.stale_data``'s to trip on, not a loss switch's."""
    try:
        return await marked_value(balances, price, symbol)
    except PriceUnavailable as exc:
        log.warning(f"price unavailable: {unmarked}", error=str(exc))
        return None
