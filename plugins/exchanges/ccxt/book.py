"""A venue's order book as a :class:`schemas.OrderBook`: the hot path of the layer.

A book of a thousand levels a side is read every tick, so this path does the least work
that keeps it exact and bounded: the plain short texts venues send parse straight to
``Decimal`` (a plain decimal text of at most 40 characters cannot leave an exact
decimal's bounds), anything else goes through :func:`convert.dec`; levels are sorted on
the Decimal price (ccxt's own sort is skipped by the exact layer: it would compare text);
a level that is not a pair of positive numbers is left out. A price repeated on a side is
looked for only when the book's own ordering check finds one (then its first level is
kept), so the common book pays nothing for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from fortuna import DECIMAL_MAX_DIGITS, DECIMAL_MAX_EXPONENT
from plugins.exchanges.ccxt.convert import dec, when
from schemas import OrderBook, OrderBookLevel, Symbol, trusted

__all__ = ["order_book"]

def _level(price: Decimal, amount: Decimal) -> OrderBookLevel:
    # Both values were just parsed from the venue's text and checked positive and in bounds.
    return trusted(OrderBookLevel, price=price, amount=amount)


def _levels(raw: Any, descending: bool) -> tuple[OrderBookLevel, ...]:
    """Levels with positive Decimal price and amount, best first, sorted on the Decimal
    price (ccxt's own sort is skipped by the exact layer: it would compare text). A level
    that is not a ``[price, amount, ...]`` pair of numbers the contracts can hold is left
    out, as is a second level at a price already seen (the first is kept)."""
    if not isinstance(raw, list | tuple):
        return ()
    pairs: list[tuple[Decimal, Decimal]] = []
    append = pairs.append
    for entry in raw:
        try:
            text_price, text_amount = entry[0], entry[1]
            # The plain short texts venues send parse directly: without an exponent, 40
            # characters cannot leave an exact decimal's bounds. Anything else: dec.
            if (type(text_price) is str and len(text_price) <= _SHORT
                    and "e" not in text_price and "E" not in text_price):
                price: Decimal | None = Decimal(text_price)
            else:
                price = dec(text_price)
            if (type(text_amount) is str and len(text_amount) <= _SHORT
                    and "e" not in text_amount and "E" not in text_amount):
                amount: Decimal | None = Decimal(text_amount)
            else:
                amount = dec(text_amount)
        except (TypeError, KeyError, IndexError, InvalidOperation):
            continue
        if (price is not None and amount is not None and price.is_finite()
                and amount.is_finite() and price > 0 and amount > 0):
            append((price, amount))
    pairs.sort(key=_first, reverse=descending)  # stable: the first of equal prices leads
    return tuple([_level(price, amount) for price, amount in pairs])


def _unique(levels: tuple[OrderBookLevel, ...]) -> tuple[OrderBookLevel, ...]:
    """The first level at each price (levels sorted by price)."""
    kept = [level for earlier, level in zip((None, *levels), levels, strict=False)
            if earlier is None or level.price != earlier.price]
    return tuple(kept)


_SHORT = min(DECIMAL_MAX_DIGITS, DECIMAL_MAX_EXPONENT)
"""A plain decimal text this short carries neither too many digits nor too large or small
a magnitude for an exact decimal."""


def _first(pair: tuple[Decimal, Decimal]) -> Decimal:
    return pair[0]


def order_book(raw: Mapping[str, Any], symbol: str, received: datetime) -> OrderBook:
    """The book with Decimal levels; levels of zero price or amount, or that repeat a
    price, are left out. (Repeats are looked for only when the book's own check finds one:
    the common book pays nothing for them.)"""
    bids = _levels(raw.get("bids"), descending=True)
    asks = _levels(raw.get("asks"), descending=False)
    stamp = when(raw.get("timestamp"), received)
    try:
        return OrderBook(symbol=Symbol(symbol), bids=bids, asks=asks, timestamp=stamp)
    except ValidationError:  # a price repeated on a side (rare): its first level is kept
        return OrderBook(symbol=Symbol(symbol), bids=_unique(bids), asks=_unique(asks),
                         timestamp=stamp)
