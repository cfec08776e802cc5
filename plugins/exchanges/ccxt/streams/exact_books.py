"""The exact-number layer for ccxt's websocket books: levels held as ``Decimal``.

Why this is needed (verified against the installed ccxt.pro, see docs/streams.md):

1. ccxt.pro keeps a streamed book in ``OrderBookSide`` lists kept sorted by ``bisect`` on
   the price, and its venues apply a diff with ``handle_delta``, which reads the level with
   ``safe_float``: every streamed level would be a binary float.
2. The snapshot a diff stream starts from (binance's REST ``depth``) is parsed by the
   exact REST layer into *strings*, which ``bisect`` would compare as text ("10" < "9")
   and a bid side cannot negate.

So the streamed book's sides take the venue's text (or an exact ``Decimal``) and hold a
``Decimal``; ``handle_delta`` hands them the text it received (``safe_string``). A
``float`` reaching a side is refused with ``TypeError``: a venue whose delta path is not
covered fails loudly instead of quoting on an inexact level.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["exact_level", "pro_overrides"]


def exact_level(value: Any) -> Decimal:
    """A level's price or amount as an exact ``Decimal``; ``TypeError`` for a float."""
    if type(value) is Decimal:
        return value
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            raise ValueError(f"a book level that is not a number: {value[:40]!r}") from None
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise TypeError(f"a {type(value).__name__} reached a streamed book level: {value!r} "
                    "(only the venue's text or a Decimal is exact)")


def _sides() -> tuple[type[Any], type[Any], type[Any]]:
    from ccxt.async_support.base.ws import order_book, order_book_side

    def store_array(self: Any, delta: Any) -> Any:
        exact = [exact_level(delta[0]), exact_level(delta[1]), *delta[2:]]
        return base_store(self, exact)

    base_store = order_book_side.OrderBookSide.storeArray
    asks = type("ExactAsks", (order_book_side.Asks,), {"storeArray": store_array})
    bids = type("ExactBids", (order_book_side.Bids,), {"storeArray": store_array})

    def init(self: Any, snapshot: Any = None, depth: Any = None) -> None:
        snapshot = dict(snapshot or {})
        snapshot["asks"] = asks(snapshot.get("asks", []), depth)
        snapshot["bids"] = bids(snapshot.get("bids", []), depth)
        order_book.OrderBook.__init__(self, snapshot, depth)

    book = type("ExactOrderBook", (order_book.OrderBook,), {"__init__": init})
    return book, asks, bids


_CLASSES: list[type[Any]] = []


def exact_book_class() -> type[Any]:
    """ccxt's ``OrderBook`` whose sides hold exact ``Decimal`` levels."""
    if not _CLASSES:
        _CLASSES.append(_sides()[0])
    return _CLASSES[0]


def pro_overrides() -> dict[str, Any]:
    """Methods a ccxt.pro exchange class gets on top of the exact REST overrides."""

    def order_book(self: Any, snapshot: Any = None, depth: Any = None) -> Any:
        return exact_book_class()(snapshot or {}, depth)

    def handle_delta(self: Any, bookside: Any, delta: Any) -> None:
        # binance and okx: [price, amount, ...] as text; the side makes them Decimal
        bookside.store(self.safe_string(delta, 0), self.safe_string(delta, 1))

    return {"order_book": order_book, "handle_delta": handle_delta}
