"""A venue's order book as a :class:`schemas.OrderBook`: the hot path of the layer.

A book of a thousand levels a side is read every tick, so this path does the least work
that keeps it exact and bounded, a side at a time rather than a level at a time:

- what venues send, every value a plain short text of a positive finite number, is
  recognised for the whole side at once (one join, one length scan, one search for an
  exponent, a sign or the "n" of NaN and infinity) and converted in one pass
  (``map(Decimal, ...)``), then one search for a zero: a plain decimal text of at most 100
  characters without an exponent cannot leave an exact decimal's bounds, so no per-value
  check is needed. Anything else (a number, an exponent, a long text, a level that is not
  a pair, a zero) sends that side through :func:`convert.dec` level by level, which leaves
  out each level that is not a pair of positive numbers the contracts can hold;
- a side is sorted on the Decimal price only when one comparison pass finds it out of
  order (ccxt's own sort is skipped by the exact layer: it would compare text), and then
  a price repeated on it keeps its first level, so the common book pays for neither. That
  pass is the sides' only check of order: the book is built by :func:`schemas.trusted`
  once the contract has validated its symbol and time, so its own check does not walk the
  sides again;
- each level is built by :func:`schemas.trusted` straight from the pair, with no function
  layer of its own. That call is most of a fresh book's cost, so the component keeps a
  :class:`LevelMemo` per market: a level sent again as the same two texts as in the last
  read is that same level (the same exact values, an immutable model), reused rather than
  converted and built again. Between two reads of a deep book most levels are unchanged;
  the memo holds the latest book's levels only, so it is bounded by the book.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from itertools import islice
from operator import attrgetter, gt, lt
from typing import Any

from fortuna import DECIMAL_MAX_DIGITS, DECIMAL_MAX_EXPONENT
from plugins.exchanges.ccxt.convert import dec, when
from schemas import OrderBook, OrderBookLevel, Symbol, trusted

__all__ = ["LevelMemo", "levels", "order_book"]

_SHORT = min(DECIMAL_MAX_DIGITS, DECIMAL_MAX_EXPONENT)
"""A plain decimal text this short carries neither too many digits nor too large or small
a magnitude for an exact decimal."""
_NOT_PLAIN = ("e", "E", "-", "n", "N")
"""What a plain positive decimal text never holds: an exponent, a minus sign, or the "n"
of every spelling of NaN and infinity ("nan", "sNaN", "inf", "Infinity", in any case)."""
_ZERO = Decimal(0)
_PRICE = attrgetter("price")
_Known = dict[tuple[str, str], OrderBookLevel]


def levels(pairs: Iterable[Sequence[Decimal]]) -> tuple[OrderBookLevel, ...]:
    """Book levels from ``[price, amount, ...]`` pairs already known positive, finite and
    in bounds (parsed and checked here, or by the streamed book's exact layer)."""
    return tuple([trusted(OrderBookLevel, price=pair[0], amount=pair[1]) for pair in pairs])


def _columns(raw: list[Any] | tuple[Any, ...]) -> tuple[list[Any], list[Any]] | None:
    """The side's prices and amounts as sent, or None when a level is not a sequence."""
    try:
        return [entry[0] for entry in raw], [entry[1] for entry in raw]
    except (TypeError, KeyError, IndexError):
        return None


def _plain(prices: list[Any], amounts: list[Any]) -> tuple[list[Decimal], list[Decimal]] | None:
    """Both columns converted in one pass each when every value is a plain short text of a
    positive finite number; None when any is not."""
    try:
        text = "".join(prices) + "".join(amounts)  # TypeError unless every value is a str
        if (any(mark in text for mark in _NOT_PLAIN)
                or max(map(len, prices), default=0) > _SHORT
                or max(map(len, amounts), default=0) > _SHORT):
            return None
        exact_prices = list(map(Decimal, prices))
        exact_amounts = list(map(Decimal, amounts))
    except (TypeError, InvalidOperation):
        return None
    # with no sign, NaN or infinity among the texts, a value that is not zero is positive
    if _ZERO in exact_prices or _ZERO in exact_amounts:
        return None
    return exact_prices, exact_amounts


def _at_once(raw: list[Any] | tuple[Any, ...], known: _Known | None,
             kept: _Known | None) -> list[OrderBookLevel] | None:
    """The side's levels when every value is a plain short text of a positive finite
    number (None when one is not): those ``known`` from the last read by their texts are
    reused, the others converted and built; every level goes into ``kept`` by its texts."""
    columns = _columns(raw)
    if columns is None:
        return None
    prices, amounts = columns
    try:
        keys = list(zip(prices, amounts, strict=True)) if kept is not None else None
        found = list(map(known.get, keys)) if known and keys else None
    except TypeError:  # a value that cannot be a key is not a text either
        return None
    if found is None:
        parsed = _plain(prices, amounts)
        if parsed is None:
            return None
        built = list(levels(zip(*parsed, strict=True)))
    else:
        parsed = _plain([text for text, level in zip(prices, found, strict=True) if level is None],
                        [text for text, level in zip(amounts, found, strict=True) if level is None])
        if parsed is None:
            return None
        fresh = iter(levels(zip(*parsed, strict=True)))
        built = [next(fresh) if level is None else level for level in found]
    if kept is not None and keys is not None:
        kept.update(zip(keys, built, strict=True))
    return built


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


def _side(raw: Any, descending: bool, known: _Known | None,
          kept: _Known | None) -> tuple[OrderBookLevel, ...]:
    """One side, best first: strictly ordered on the Decimal price, the first level at a
    repeated price kept."""
    if not isinstance(raw, list | tuple):
        return ()
    built = _at_once(raw, known, kept)
    if built is None:
        prices, amounts = _each(raw)
        built = list(levels(zip(prices, amounts, strict=True)))
    prices = [level.price for level in built]
    if all(map(gt if descending else lt, prices, islice(prices, 1, None))):
        return tuple(built)
    ordered = sorted(built, key=_PRICE, reverse=descending)
    # sorted is stable: the first level at a repeated price leads, and is the one kept
    return tuple([level for earlier, level in zip([None, *ordered], ordered, strict=False)
                  if earlier is None or level.price != earlier.price])


class LevelMemo:
    """The levels of one market's latest book, by the venue's texts of price and amount.

    A level sent again as the same two texts is the same exact level, so the next read
    reuses it instead of converting and building it again: between two reads of a deep
    book most levels are unchanged. Only levels of a side read at once (every value a
    plain short text) are kept, and only those of the latest book: the memo never holds
    more than one book."""

    __slots__ = ("levels",)

    def __init__(self) -> None:
        self.levels: _Known = {}


def order_book(raw: Mapping[str, Any], symbol: str, received: datetime,
               memo: LevelMemo | None = None) -> OrderBook:
    """The book with Decimal levels; levels that are not pairs of positive numbers, or
    that repeat a price, are left out. With ``memo`` (the market's), levels unchanged
    since the last read are reused."""
    known = memo.levels if memo is not None else None
    kept: _Known | None = {} if memo is not None else None
    bids = _side(raw.get("bids"), True, known, kept)
    asks = _side(raw.get("asks"), False, known, kept)
    # The contract validates the symbol and the time on a book without levels; each side,
    # put strictly in order by _side, is not walked again by the contract's own check.
    empty = OrderBook(symbol=Symbol(symbol), timestamp=when(raw.get("timestamp"), received))
    book = trusted(OrderBook, symbol=empty.symbol, bids=bids, asks=asks,
                   timestamp=empty.timestamp)
    if memo is not None and kept is not None:
        memo.levels = kept
    return book
