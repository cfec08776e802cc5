"""What a listener offers its readers: the latest reading of one kind of a venue's data.

A listener (``listeners.*``) fetches from a venue on its own interval and keeps the latest
value. Readers (a price provider, a kill switch, a strategy's service) do not call the venue:
they call the listener, and one fetch serves all of them. To make a listener a drop-in for the
venue, each feed interface has the same read method, with the same signature, as
:class:`~schemas.Exchange`: an arg typed ``Exchange | TickerFeed`` accepts either and reads
``fetch_ticker(symbol)`` the same way. The difference is where the data comes from: the feed
returns its latest reading and never waits on the venue.

The error contract:

- Before the first successful fetch, or once the latest reading is older than the
  listener's ``max_age``, every read raises :class:`FeedUnavailable`, a retryable
  ``ExchangeError`` (the same family a venue read raises when the venue is down), so a reader
  that handles venue errors handles a silent listener too. A reading is never served stale.
- A read for another market than the one the listener follows raises ``BadSymbol``; a candle
  read for another timeframe raises ``NotSupported``.
- :meth:`Feed.reading` gives the reading itself (value, when it was fetched, and its sequence
  number), for readers that want to know whether anything changed since they last looked.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from fortuna import Interface
from schemas._errors import ExchangeError
from schemas._market_data import Balances, Candle, OrderBook, Ticker, Trade
from schemas._orders import Order

__all__ = [
    "BalancesFeed",
    "CandlesFeed",
    "ClosedOrdersFeed",
    "Feed",
    "FeedUnavailable",
    "OpenOrdersFeed",
    "OrderBookFeed",
    "Reading",
    "TickerFeed",
    "TradesFeed",
    "select_since",
]

T = TypeVar("T")


class FeedUnavailable(ExchangeError):
    """The listener holds no fresh reading: none fetched yet, or the latest is too old."""

    retryable = True
    summary = "the listener holds no fresh reading"


@dataclass(frozen=True, slots=True)
class Reading(Generic[T]):
    """One successful fetch: the value, when it was fetched (graph clock), its number."""

    value: T
    fetched_at: datetime
    sequence: int
    """1 for the first successful fetch of this run, then 2, 3, ...: a reader that saw
    sequence ``n`` has seen everything up to it."""


class Feed(Interface, abc.ABC):
    """A listener's latest reading of one kind of a venue's data."""

    @property
    @abc.abstractmethod
    def venue(self) -> str:
        """The venue the data comes from (the exchange's venue name)."""

    @abc.abstractmethod
    def reading(self) -> Reading[Any]:
        """The latest reading; :class:`FeedUnavailable` if none or too old."""


class BalancesFeed(Feed):
    """The account's balances, as the venue last reported them."""

    @abc.abstractmethod
    async def fetch_balances(self) -> Balances:
        """The latest balances (``Exchange.fetch_balances`` without a venue call)."""


class TickerFeed(Feed):
    """One market's ticker."""

    @abc.abstractmethod
    async def fetch_ticker(self, symbol: str) -> Ticker:
        """The latest ticker of ``symbol`` (the listener's market)."""


class OrderBookFeed(Feed):
    """One market's order book, sampled to a fixed depth."""

    @abc.abstractmethod
    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        """The latest book of ``symbol``, at most ``limit`` levels a side (never more than
        the listener's depth)."""


class TradesFeed(Feed):
    """One market's public trades, incrementally fetched, the recent ones kept."""

    @abc.abstractmethod
    async def fetch_trades(
        self, symbol: str, since: datetime | None = None, limit: int | None = None
    ) -> list[Trade]:
        """Kept trades of ``symbol``, oldest first, from ``since`` (inclusive) when given;
        the first ``limit`` of them from ``since``, else the last ``limit``."""


class CandlesFeed(Feed):
    """One market's candles of one timeframe."""

    @abc.abstractmethod
    async def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str = "1m",
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[Candle]:
        """The latest candles of ``symbol`` in the listener's timeframe, oldest first."""


class OpenOrdersFeed(Feed):
    """The account's resting orders (of one market, or of all)."""

    @abc.abstractmethod
    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        """The latest resting orders, of ``symbol`` or of every market followed."""


class ClosedOrdersFeed(Feed):
    """The account's final orders, incrementally fetched, the recent ones kept."""

    @abc.abstractmethod
    async def fetch_closed_orders(
        self, symbol: str | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Order]:
        """Kept final orders, oldest first (by creation time), from ``since`` when given."""


def select_since(items: Sequence[T], since: datetime | None, limit: int | None,
           time_of: Any) -> list[T]:
    """From chronological ``items``: those at or after ``since`` (the first ``limit`` of
    them), or without ``since`` the last ``limit``: the selection rule of the venue reads."""
    chosen = [i for i in items if since is None or time_of(i) >= since]
    if limit is None:
        return chosen
    if limit <= 0:
        return []
    return chosen[:limit] if since is not None else chosen[-limit:]
