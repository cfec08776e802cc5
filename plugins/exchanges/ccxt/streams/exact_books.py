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

Venue fixes beside (okx): the book checksum ccxt does not verify, and the sign of a
streamed fill's fee, which ccxt's websocket parser leaves opposite to its REST parser's.
"""

from __future__ import annotations

import zlib
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["book_checksum", "exact_level", "pro_overrides"]


def exact_level(value: Any) -> Decimal:
    """A level's price or amount as an exact, finite ``Decimal``; ``TypeError`` for a
    float, ``ValueError`` for what is not a finite number."""
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"a book level that is not a number: {value[:40]!r}") from None
    elif isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if type(value) is Decimal:
        if not value.is_finite():
            raise ValueError(f"a book level that is not a finite number: {value}")
        return value
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


def book_checksum(book: Any, levels: int = 25) -> int:
    """OKX's book checksum (CRC32, signed 32-bit) of the first ``levels`` bids and asks,
    interleaved ``bidPx:bidSz:askPx:askSz``, in the texts the venue sent: an exact level
    keeps them (``format(Decimal("0.10"), "f")`` is ``"0.10"``)."""
    parts: list[str] = []
    bids, asks = book["bids"], book["asks"]
    for i in range(levels):
        if i < len(bids):
            parts += (format(bids[i][0], "f"), format(bids[i][1], "f"))
        if i < len(asks):
            parts += (format(asks[i][0], "f"), format(asks[i][1], "f"))
    crc = zlib.crc32(":".join(parts).encode())
    return crc - 2**32 if crc >= 2**31 else crc


def _okx_checked(base: Any) -> Any:
    """OKX's book handler, then the checksum the message carries (ccxt checks only the
    sequence): a mismatch drops the book as a sequence gap does, so the next watch
    resubscribes and starts again from a fresh snapshot."""
    from ccxt.base.errors import ChecksumError

    def handle_order_book_message(self: Any, client: Any, message: Any, orderbook: Any,
                                  message_hash: Any, market: Any = None) -> Any:
        result = base(self, client, message, orderbook, message_hash, market)
        expected = self.safe_integer(message, "checksum")
        if expected is None or message_hash not in client.subscriptions:
            return result
        if book_checksum(orderbook) != expected:
            del client.subscriptions[message_hash]
            symbol = orderbook.get("symbol")
            if symbol in self.orderbooks:
                del self.orderbooks[symbol]
            client.reject(ChecksumError(f"{self.id} order book checksum mismatch"),
                          message_hash)
        return result

    return handle_order_book_message


def _negated(text: Any) -> Any:
    if not isinstance(text, str) or not text:
        return text
    return text[1:] if text.startswith("-") else f"-{text}"


def _okx_fill_fee(base: Any) -> Any:
    """OKX's streamed fill as a trade, its fee the charge: OKX reports ``fillFee``
    negative for a fee charged (positive for a rebate); ccxt's REST parser negates it into
    a cost, its websocket one does not, so the same fill would carry opposite fees."""

    def order_to_trade(self: Any, order: Any, market: Any = None) -> Any:
        info = order.get("info") if isinstance(order, dict) else None
        if isinstance(info, dict) and "fillFee" in info:
            order = {**order, "info": {**info, "fillFee": _negated(info["fillFee"])}}
        return base(self, order, market)

    return order_to_trade


def pro_overrides(base: Any = None) -> dict[str, Any]:
    """Methods a ccxt.pro exchange class (``base``) gets on top of the exact REST ones."""

    def order_book(self: Any, snapshot: Any = None, depth: Any = None) -> Any:
        return exact_book_class()(snapshot or {}, depth)

    def handle_delta(self: Any, bookside: Any, delta: Any) -> None:
        # binance and okx: [price, amount, ...] as text; the side makes them Decimal
        bookside.store(self.safe_string(delta, 0), self.safe_string(delta, 1))

    overrides = {"order_book": order_book, "handle_delta": handle_delta}
    if base is not None and base.__name__ == "okx":
        overrides["handle_order_book_message"] = _okx_checked(base.handle_order_book_message)
        overrides["order_to_trade"] = _okx_fill_fee(base.order_to_trade)
    return overrides
