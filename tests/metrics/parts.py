"""Small real implementations of the collectors' dependencies, over fixed data.

``FixedVenue`` is an :class:`Exchange` that serves a given book and balances; the trading
calls are not supported. ``JournalSource`` is a :class:`FillSource` over a
:class:`FillJournal`, as an executor implements it. ``ListSink`` keeps what it is given.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, NoReturn

from fortuna import Component, Context, NoArgs
from schemas import (
    Balance,
    Balances,
    Candle,
    Exchange,
    ExchangeUnavailable,
    Fill,
    Market,
    NotSupported,
    Order,
    OrderBook,
    OrderRequest,
    Ticker,
    Trade,
)
from schemas.metrics import FillJournal, FillPage, FillSource, MetricRecord, Sink

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def book(bids: Sequence[tuple[str, str]], asks: Sequence[tuple[str, str]],
         symbol: str = "BTC/USDT") -> OrderBook:
    return OrderBook.model_validate(
        {"symbol": symbol, "timestamp": T0,
         "bids": [[Decimal(p), Decimal(a)] for p, a in bids],
         "asks": [[Decimal(p), Decimal(a)] for p, a in asks]}
    )


def balances(**totals: tuple[str, str]) -> Balances:
    return Balances.of(
        [Balance(currency=c, free=Decimal(f), used=Decimal(u)) for c, (f, u) in totals.items()]
    )


class FixedVenue(Exchange):
    """A venue whose book and balances are whatever the test sets; ``down`` makes it fail."""

    def __init__(self, book: OrderBook | None = None, balances: Balances | None = None,
                 venue: str = "fixed") -> None:
        self.book = book
        self.balances = balances or Balances()
        self.down = False
        self.book_limits: list[int | None] = []
        self._venue = venue

    @property
    def venue(self) -> str:
        return self._venue

    def _check(self) -> None:
        if self.down:
            raise ExchangeUnavailable("venue down for the test", venue=self._venue)

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        self._check()
        self.book_limits.append(limit)
        assert self.book is not None
        assert self.book.symbol == symbol
        return self.book

    async def fetch_balances(self) -> Balances:
        self._check()
        return self.balances

    def _unsupported(self, *_: Any, **__: Any) -> NoReturn:
        raise NotSupported("not part of this test venue", venue=self._venue)

    async def markets(self) -> Mapping[str, Market]:
        self._unsupported()

    async def fetch_ticker(self, symbol: str) -> Ticker:
        self._unsupported()

    async def fetch_trades(self, symbol: str, since: datetime | None = None,
                           limit: int | None = None) -> list[Trade]:
        self._unsupported()

    async def fetch_ohlcv(self, symbol: str, timeframe: str = "1m",
                          since: datetime | None = None, limit: int | None = None
                          ) -> list[Candle]:
        self._unsupported()

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        self._unsupported()

    async def fetch_closed_orders(self, symbol: str | None = None,
                                  since: datetime | None = None, limit: int | None = None
                                  ) -> list[Order]:
        self._unsupported()

    async def fetch_order(self, order_id: str, symbol: str) -> Order:
        self._unsupported()

    async def create_order(self, request: OrderRequest) -> Order:
        self._unsupported()

    async def cancel_order(self, order_id: str, symbol: str) -> Order | None:
        self._unsupported()

    async def cancel_all_orders(self, symbol: str | None = None) -> list[Order]:
        self._unsupported()

    async def fetch_my_trades(self, symbol: str | None = None, since: datetime | None = None,
                              limit: int | None = None) -> list[Fill]:
        self._unsupported()


class JournalSource(FillSource):
    """A fill source as an executor implements one: a journal it appends every fill to."""

    def __init__(self, keep: int = 100_000, venue: str = "fixed") -> None:
        self.journal = FillJournal(keep)
        self._venue = venue

    @property
    def fill_venue(self) -> str:
        return self._venue

    async def fills_since(self, cursor: int, limit: int = 1000) -> FillPage:
        return self.journal.since(cursor, limit)


def a_fill(i: int, **values: Any) -> Fill:
    fields: dict[str, Any] = {
        "id": f"t{i}", "order_id": f"o{i // 2}", "symbol": "BTC/USDT",
        "side": "buy" if i % 2 else "sell", "price": Decimal("65000.123456789012345678"),
        "amount": Decimal("0.000000000000000001") * (i + 1), "fee": Decimal("-0.01"),
        "fee_currency": "USDT", "liquidity": "maker", "timestamp": T0,
    }
    return Fill.model_validate({**fields, **values})


class ListSink(Component[NoArgs], Sink):
    """Keeps every record written; ``fail`` makes the next writes raise; ``gate`` holds them."""

    def __init__(self, name: str = "list") -> None:
        super().__init__(NoArgs(), Context(name=name))
        self.records: list[MetricRecord] = []
        self.fail = 0
        self.gate: asyncio.Event | None = None

    async def write(self, records: Sequence[MetricRecord]) -> None:
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            self.fail -= 1
            raise ConnectionError(f"{self.name} refuses this write for the test")
        self.records.extend(records)

    async def flush(self) -> None:
        pass
