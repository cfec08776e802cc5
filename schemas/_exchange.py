"""The :class:`Exchange` interface: what every venue (simulated, ccxt, on-chain) provides.

Timestamps in and out are timezone-aware UTC datetimes. Errors are the classes of
:mod:`schemas._errors` (re-exported by ``schemas``); a venue translates its own.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from fortuna import Interface
from schemas._errors import BadSymbol
from schemas._market import Market
from schemas._market_data import Balances, Candle, OrderBook, Ticker, Trade
from schemas._orders import Fill, Order, OrderRequest

__all__ = ["Exchange"]


class Exchange(Interface, abc.ABC):
    """A trading venue: market metadata, market data, balances and orders.

    Contract for implementations:
    - ``create_order`` first calls ``await self.check_order(request)`` (the market's
      ``check_order``) and sends the quantized request it returns, so nothing unquantized
      or under the venue's minimums reaches the wire (``OrderRejected`` otherwise).
    - Unknown symbols raise ``BadSymbol``; unknown order ids raise ``OrderNotFound``.
    - Transient failures raise a retryable ``ExchangeError`` (``NetworkError``,
      ``RequestTimeout``, ``RateLimited``, ``ExchangeUnavailable``).
    - Lists are in chronological order (oldest first) for trades, candles, fills and
      closed orders.
    """

    @property
    @abc.abstractmethod
    def venue(self) -> str:
        """The venue's name, such as ``"binance"`` or ``"sim"``."""

    @abc.abstractmethod
    async def markets(self) -> Mapping[str, Market]:
        """Every market of the venue, by symbol."""

    async def market(self, symbol: str) -> Market:
        """One market; ``BadSymbol`` when the venue has none by that name."""
        markets = await self.markets()
        try:
            return markets[symbol]
        except KeyError:
            raise BadSymbol(f"no market {symbol}", venue=self.venue) from None

    async def check_order(
        self, request: OrderRequest, *, reference_price: Decimal | None = None
    ) -> OrderRequest:
        """``request`` quantized to its market, or ``OrderRejected``: what ``create_order``
        sends. Callers may use it to learn the exact order before placing it."""
        market = await self.market(request.symbol)
        return market.check_order(request, reference_price=reference_price)

    @abc.abstractmethod
    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        """The book, up to ``limit`` levels per side (venue default when None)."""

    @abc.abstractmethod
    async def fetch_ticker(self, symbol: str) -> Ticker:
        """Top of book and last price."""

    @abc.abstractmethod
    async def fetch_trades(
        self, symbol: str, since: datetime | None = None, limit: int | None = None
    ) -> list[Trade]:
        """Public trades, oldest first, from ``since`` (inclusive) when given."""

    @abc.abstractmethod
    async def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str = "1m",
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[Candle]:
        """Candles of ``timeframe`` (ccxt notation: 1m, 5m, 1h, 1d ...), oldest first."""

    @abc.abstractmethod
    async def fetch_balances(self) -> Balances:
        """The account's balances."""

    @abc.abstractmethod
    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        """Resting orders, of one market or of all."""

    @abc.abstractmethod
    async def fetch_closed_orders(
        self, symbol: str | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Order]:
        """Final orders (closed, canceled, rejected, expired), oldest first."""

    @abc.abstractmethod
    async def fetch_order(self, order_id: str, symbol: str) -> Order:
        """One order by the venue's id; ``OrderNotFound`` if unknown."""

    @abc.abstractmethod
    async def create_order(self, request: OrderRequest) -> Order:
        """Place an order after ``Market.check_order``; returns it as the venue accepted it."""

    @abc.abstractmethod
    async def cancel_order(self, order_id: str, symbol: str) -> Order | None:
        """Cancel one order. Returns it as it now stands (``canceled``, or already final
        when it filled first), or None when the venue acknowledges without describing it.
        ``OrderNotFound`` when the venue does not know the id."""

    @abc.abstractmethod
    async def cancel_all_orders(self, symbol: str | None = None) -> list[Order]:
        """Cancel every open order, of one market or of all; returns those the venue
        reported (possibly fewer than were cancelled, never ones that were not)."""

    @abc.abstractmethod
    async def fetch_my_trades(
        self, symbol: str | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Fill]:
        """The account's fills, oldest first."""
