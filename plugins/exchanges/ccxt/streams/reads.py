"""The reads an exchange serves from its streams, or declines (the caller reads REST).

Each method returns the contract's value when the stream of that kind is on and fresh,
and None otherwise: before the stream's first message, while it is down or stale, or for
a question it cannot answer completely (trades from before the subscription, the open
orders of a market not yet seeded, every market at once). The caller then makes its REST
call, exactly as without streams; what REST returns about the account is folded back into
the view (:mod:`own`), so the two sources agree and no fill counts twice.

A streamed book's timestamp is when its latest message arrived: its age is what the
stale-data kill switch sees, and it never exceeds ``max_age`` while served.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from plugins.exchanges.ccxt import convert, guard
from plugins.exchanges.ccxt.book import levels
from plugins.exchanges.ccxt.streams.hub import (
    BOOK,
    FILLS,
    ORDERS,
    TICKER,
    TRADES,
    Feed,
    Host,
    StreamHub,
)
from plugins.exchanges.ccxt.streams.own import OwnView
from plugins.exchanges.ccxt.streams.settings import StreamSettings
from schemas import Fill, Order, OrderBook, OrderBookLevel, Symbol, Ticker, Trade
from schemas.streams import UpdateKind, Updates

__all__ = ["StreamedReads", "book_of", "open_streams"]

_KEEP_TRADES = 10_000


def _levels(side: Any) -> tuple[OrderBookLevel, ...]:
    # exact_level made both Decimal and finite; a level that is not positive is left out,
    # as the REST book path does
    return levels([level for level in side if level[0] > 0 and level[1] > 0])


def book_of(raw: Any, symbol: str, stamp: datetime) -> OrderBook:
    """A ccxt.pro book of exact levels (:mod:`exact_books`) as the contract's book."""
    return OrderBook(symbol=Symbol(symbol), bids=_levels(raw["bids"]),
                     asks=_levels(raw["asks"]), timestamp=stamp)


_NEEDS = {"order_book": "watchOrderBook", "trades": "watchTrades", "ticker": "watchTicker",
          "orders": "watchOrders"}


def open_streams(host: Host, client: Any, settings: StreamSettings, *,
                 order_of: Callable[[Any], Order | None],
                 fill_of: Callable[[Any], Fill | None]) -> StreamedReads:
    """The streams of a loaded client; ``ExchangeError`` naming what the venue cannot
    stream through ccxt (or the credentials the private stream needs)."""
    from schemas import ExchangeError

    has = client.has or {}
    for setting, method in _NEEDS.items():
        if getattr(settings, setting) and not has.get(method):
            raise ExchangeError(f"stream.{setting}: {host.venue} has no {method} in ccxt",
                                venue=host.venue)
    if settings.orders and not has.get("watchMyTrades"):
        raise ExchangeError(f"stream.orders: {host.venue} has no watchMyTrades in ccxt",
                            venue=host.venue)
    if settings.orders and not (client.apiKey and client.secret):
        raise ExchangeError("stream.orders: the private stream needs api_key and secret",
                            venue=host.venue)
    return StreamedReads(client, host, settings, order_of=order_of, fill_of=fill_of)


class StreamedReads:
    """The stream side of one ``exchanges.ccxt.<id>`` component."""

    def __init__(self, client: Any, host: Host, settings: StreamSettings, *,
                 order_of: Callable[[Any], Order | None],
                 fill_of: Callable[[Any], Fill | None]) -> None:
        self.settings = settings
        self.host = host
        self._order_of = order_of
        self._fill_of = fill_of
        self.own = OwnView()
        self.trades: dict[str, deque[Trade]] = {}
        self._books: dict[str, tuple[int, OrderBook]] = {}
        self._epoch = 0
        self.hub = StreamHub(client, host, settings, {
            TRADES: self._on_trades, ORDERS: self._on_orders, FILLS: self._on_fills})

    async def close(self) -> None:
        await self.hub.close()

    def updates(self, symbol: str, kinds: frozenset[UpdateKind]) -> Updates | None:
        streamed = {UpdateKind.BOOK: self.settings.order_book,
                    UpdateKind.TRADE: self.settings.trades,
                    UpdateKind.TICKER: self.settings.ticker,
                    UpdateKind.ORDER: self.settings.orders,
                    UpdateKind.FILL: self.settings.orders}
        chosen = frozenset(kind for kind in kinds if streamed[kind])
        return self.hub.updates(symbol, chosen) if chosen else None

    # -- market data ------------------------------------------------------------------------

    def order_book(self, symbol: str, limit: int | None) -> OrderBook | None:
        if not self.settings.order_book:
            return None
        feed = self.hub.fresh(BOOK, symbol)
        if feed is None or feed.received_at is None:
            return None
        cached = self._books.get(symbol)
        if cached is None or cached[0] != feed.version:
            book = guard.one("order book", self.host.venue,
                             lambda: book_of(feed.value, symbol, feed.received_at or
                                             self.host.clock.now()))
            cached = (feed.version, book)
            self._books[symbol] = cached
        book = cached[1]
        if limit is not None and (len(book.bids) > limit or len(book.asks) > limit):
            book = book.model_copy(update={"bids": book.bids[:limit], "asks": book.asks[:limit]})
        return book

    def ticker(self, symbol: str) -> Ticker | None:
        if not self.settings.ticker:
            return None
        feed = self.hub.fresh(TICKER, symbol)
        if feed is None or feed.received_at is None:
            return None
        stamp = feed.received_at
        return guard.one("ticker", self.host.venue,
                         lambda: convert.ticker(feed.value, symbol, stamp))

    def _on_trades(self, feed: Feed, raws: Any) -> None:
        symbol = feed.symbol or ""
        kept = self.trades.setdefault(symbol, deque(maxlen=_KEEP_TRADES))
        now = feed.received_at or self.host.clock.now()
        for trade in guard.each("trade", raws, lambda raw: convert.trade(raw, now),
                                venue=self.host.venue, log=self.host.log):
            kept.append(trade)

    def public_trades(self, symbol: str, since: datetime | None,
                      limit: int | None) -> list[Trade] | None:
        """Trades from ``since`` on, when the stream has seen all of them."""
        if not self.settings.trades:
            return None
        feed = self.hub.fresh(TRADES, symbol)
        if feed is None or since is None or since < feed.started:
            return None
        chosen = sorted((t for t in self.trades.get(symbol, ()) if t.timestamp >= since),
                        key=lambda t: t.timestamp)
        return chosen[:limit] if limit is not None else chosen

    # -- the account ------------------------------------------------------------------------

    def _on_orders(self, feed: Feed, raws: Any) -> None:
        # A streamed order's fee is its latest trade's (binance: ``n``), and ccxt adds
        # them up through float: the order's fees come from its fills, exact, instead.
        plain = [{**raw, "fee": None, "fees": []} if isinstance(raw, dict) else raw
                 for raw in raws]
        for order in guard.each("order", plain, self._order_of, venue=self.host.venue,
                                log=self.host.log):
            self.own.apply(order)

    def _on_fills(self, feed: Feed, raws: Any) -> None:
        for fill in guard.each("fill", raws, self._fill_of, venue=self.host.venue,
                               log=self.host.log):
            self.own.add_fill(fill)

    def _private_live(self) -> bool:
        """Whether the private streams are connected (they are silent while nothing
        happens, so their health is their connection's, not their last message's)."""
        if not self.settings.orders:
            return False
        orders = self.hub.connected(ORDERS)
        fills = self.hub.connected(FILLS)
        epoch = sum(self.hub.feed(kind, None).drops for kind in (ORDERS, FILLS))
        if not (orders and fills) or epoch != self._epoch:
            self.own.unseed()  # events may have been missed: read REST again
            self._epoch = epoch
        return orders and fills

    def open_orders(self, symbol: str | None) -> list[Order] | None:
        if symbol is None or not self._private_live() or symbol not in self.own.seeded:
            return None
        return self.own.open_orders(symbol)

    def seeding(self) -> int | None:
        """A mark to seed the view from the REST read about to be made, or None."""
        return self.own.mark() if self._private_live() else None

    def seed(self, symbol: str | None, orders: list[Order], mark: int | None) -> list[Order]:
        """Fold REST's open orders into the view; returns them as the view now has them."""
        if symbol is None or mark is None:
            for order in orders:
                self.own.apply(order)
            return orders
        self.own.seed(symbol, orders, mark)
        return self.own.open_orders(symbol)

    def record(self, orders: Iterable[Order | None]) -> None:
        """Orders this component wrote (placed, cancelled): known before the stream says."""
        if self.settings.orders:
            for order in orders:
                if order is not None:
                    self.own.apply(order)

    def fills(self, symbol: str | None, since: datetime | None,
              limit: int | None) -> list[Fill] | None:
        if not self._private_live() or since is None:
            return None
        feed = self.hub.feeds.get((FILLS, None))
        if feed is None or since < feed.started:
            return None
        chosen = self.own.fills_of(symbol, since)
        return chosen[:limit] if limit is not None else chosen

    def merge_fills(self, fills: list[Fill], symbol: str | None,
                    since: datetime | None) -> list[Fill]:
        """REST's fills with the stream's of the same range: each fill once."""
        if not self.settings.orders:
            return fills
        return self.own.merged(fills, symbol, since)
