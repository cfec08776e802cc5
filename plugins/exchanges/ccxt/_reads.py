"""The market-data calls of a ccxt venue: markets, order checks, books, tickers, trades,
candles and balances.

Each read asks the venue's streams first (when ``stream`` is on and that stream is fresh,
:mod:`streams.reads`) and otherwise calls REST through the transport, which retries a
read after a retryable failure. What comes back is untrusted: a book, a ticker or the
balances that cannot be held fail the call as a contract error; a trade or a candle that
cannot be held is dropped with one log line (:mod:`guard`). Lists are returned oldest
first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from plugins.exchanges.ccxt import book, convert, guard, markets
from plugins.exchanges.ccxt._loaded import LoadedVenue
from schemas import Balances, Candle, Market, OrderBook, OrderRequest, Ticker, Trade
from schemas.streams import UpdateKind, Updates

__all__ = ["MarketReads"]


class MarketReads(LoadedVenue):
    """The market-data half of the Exchange contract, over a loaded session."""

    async def markets(self) -> Mapping[str, Market]:
        return self.session.markets

    async def check_order(
        self, request: OrderRequest, *, reference_price: Decimal | None = None
    ) -> OrderRequest:
        market = await self.market(request.symbol)
        if int(self.client.precisionMode) == markets.SIGNIFICANT_DIGITS:
            market = markets.at_magnitude(market, self.session.precision[market.symbol],
                                          request.price or reference_price, request.amount)
        return market.check_order(request, reference_price=reference_price)

    def updates(self, symbol: str, kinds: frozenset[UpdateKind]) -> Updates | None:
        streams = self.session.streams
        return None if streams is None else streams.updates(symbol, kinds)

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        streams = self.session.streams
        if streams is not None and (
                streamed := streams.order_book(symbol, limit)) is not None:
            return streamed
        raw = await self.transport.read(lambda: self.client.fetch_order_book(symbol, limit))
        now = self.clock.now()
        books = self.session.books
        memo = books.get(symbol) or books.setdefault(symbol, book.LevelMemo())
        return guard.one("order book", self.venue,
                         lambda: book.order_book(raw, symbol, now, memo))

    async def fetch_ticker(self, symbol: str) -> Ticker:
        streams = self.session.streams
        if streams is not None and (streamed := streams.ticker(symbol)) is not None:
            return streamed
        raw = await self.transport.read(lambda: self.client.fetch_ticker(symbol))
        now = self.clock.now()
        return guard.one("ticker", self.venue, lambda: convert.ticker(raw, symbol, now))

    async def fetch_trades(
        self, symbol: str, since: datetime | None = None, limit: int | None = None
    ) -> list[Trade]:
        streams = self.session.streams
        if streams is not None and (
                served := streams.public_trades(symbol, since, limit)) is not None:
            return served
        raw = await self.transport.read(
            lambda: self.client.fetch_trades(symbol, self._since(since), limit))
        now = self.clock.now()
        trades = self._each("trade", raw, lambda entry: convert.trade(entry, now))
        return sorted(trades, key=lambda t: t.timestamp)

    async def fetch_ohlcv(self, symbol: str, timeframe: str = "1m", since: datetime | None = None,
                          limit: int | None = None) -> list[Candle]:
        raw = await self.transport.read(
            lambda: self.client.fetch_ohlcv(symbol, timeframe, self._since(since), limit))
        candles = self._each("candle", raw, convert.candle)
        return sorted(candles, key=lambda c: c.timestamp)

    async def fetch_balances(self) -> Balances:
        raw = await self.transport.read(lambda: self.client.fetch_balance())
        now = self.clock.now()
        return guard.one("balances", self.venue, lambda: convert.balances(raw, now))
