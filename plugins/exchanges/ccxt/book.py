"""A venue's order book as a :class:`schemas.OrderBook`: the hot path of the layer.

A book of a thousand levels a side is read every tick, so this path does the least work
that keeps it exact and bounded, a side at a time rather than a level at a time:

- what venues send, every value a plain short text of a positive finite number, is
  recognised for the whole side at once (one join, one length scan, one search for an
  exponent) and converted in one pass (``map(Decimal, ...)``): a plain decimal text of at
  most 100 characters without an exponent cannot leave an exact decimal's bounds, so no
  per-value check is needed. Anything else (a number, an exponent, a long text, a level
  that is not a pair, a zero) sends that side through :func:`convert.dec` level by level,
  which leaves out each level that is not a pair of positive numbers the contracts can
  hold;
- a side is sorted on the Decimal price only when one comparison pass finds it out of
  order (ccxt's own sort is skipped by the exact layer: it would compare text), and then
  a price repeated on it keeps its first level, so the common book pays for neither;
- each level is built by :func:`schemas.trusted` straight from the pair, with no function
  layer of its own: its cost is the floor of this path (``docs/benchmarks.md``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from itertools import islice
from operator import gt, itemgetter, lt
from typing import Any

from fortuna import DECIMAL_MAX_DIGITS, DECIMAL_MAX_EXPONENT
from plugins.exchanges.ccxt.convert import dec, when
from schemas import OrderBook, OrderBookLevel, Symbol, trusted

__all__ = ["levels", "order_book"]

_SHORT = min(DECIMAL_MAX_DIGITS, DECIMAL_MAX_EXPONENT)
"""A plain decimal text this short carries neither too many digits nor too large or small
a magnitude for an exact decimal."""
_PRICE = itemgetter(0)


def levels(pairs: Iterable[Sequence[Decimal]]) -> tuple[OrderBookLevel, ...]:
    """Book levels from ``[price, amount, ...]`` pairs already known positive, finite and
    in bounds (parsed and checked here, or by the streamed book's exact layer)."""
    return tuple([trusted(OrderBookLevel, price=pair[0], amount=pair[1]) for pair in pairs])


def _at_once(raw: list[Any] | tuple[Any, ...]) -> tuple[list[Decimal], list[Decimal]] | None:
    """The side's prices and amounts when every level is a pair of plain short texts of
    positive finite numbers, each column converted in one pass; None when any is not."""
    try:
        prices = [entry[0] for entry in raw]
        amounts = [entry[1] for entry in raw]
        text = "".join(prices) + "".join(amounts)  # TypeError unless every value is a str
        if ("e" in text or "E" in text
                or max(map(len, prices), default=0) > _SHORT
                or max(map(len, amounts), default=0) > _SHORT):
            return None
        exact_prices = list(map(Decimal, prices))
        exact_amounts = list(map(Decimal, amounts))
        # NaN fails the comparison (InvalidOperation), an infinity the finiteness check
        if exact_prices and not (min(exact_prices) > 0 and min(exact_amounts) > 0
                                 and max(exact_prices).is_finite()
                                 and max(exact_amounts).is_finite()):
            return None
    except (TypeError, KeyError, IndexError, InvalidOperation):
        return None
    return exact_prices, exact_amounts


def _each(raw: list[Any] | tuple[Any, ...]) -> tuple[list[Decimal], list[Decimal]]:
    """The prices and amounts of the side's levels that are ``[price, amount, ...]`` pairs
    of positive numbers the contracts can hold, one level at a time; the others are left
    out."""
    prices: list[Decimal] = []
    amounts: list[Decimal] = []
    for entry in raw:
        try:
            price, amount = dec(entry[0]), dec(entry[1])
        except (TypeError, KeyError, IndexError):
            continue
        if price is not None and amount is not None and price > 0 and amount > 0:
            prices.append(price)
            amounts.append(amount)
    return prices, amounts


def _side(raw: Any, descending: bool) -> tuple[OrderBookLevel, ...]:
    """One side, best first: strictly ordered on the Decimal price, the first level at a
    repeated price kept."""
    if not isinstance(raw, list | tuple):
        return ()
    prices, amounts = _at_once(raw) or _each(raw)
    if all(map(gt if descending else lt, prices, islice(prices, 1, None))):
        return levels(zip(prices, amounts, strict=True))
    pairs = sorted(zip(prices, amounts, strict=True), key=_PRICE, reverse=descending)
    # sorted is stable: the first level at a repeated price leads, and is the one kept
    return levels(pair for earlier, pair in zip([None, *pairs], pairs, strict=False)
                  if earlier is None or pair[0] != earlier[0])


def order_book(raw: Mapping[str, Any], symbol: str, received: datetime) -> OrderBook:
    """The book with Decimal levels; levels that are not pairs of positive numbers, or
    that repeat a price, are left out."""
    return OrderBook(symbol=Symbol(symbol), bids=_side(raw.get("bids"), descending=True),
                     asks=_side(raw.get("asks"), descending=False),
                     timestamp=when(raw.get("timestamp"), received))
