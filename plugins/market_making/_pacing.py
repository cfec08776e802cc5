"""Pacing a venue's calls to its rate limit, learned from the venue's own refusals.

A venue that answers ``RateLimited`` is saying how fast it may be called. Failing the
tick would fail every tick (a market-making tick makes four calls before it places or
cancels anything), so the service talks to its venue through :class:`PacedExchange`:

- until the venue first refuses, calls pass straight through (no cost, no delay);
- a refusal sets the pace: the calls that started within the last second of the clock,
  minus one (at least one call per second), and nothing starts before the venue's
  ``retry_after``; the refused call waits its turn and is tried again, up to
  :data:`MAX_ATTEMPTS` times (a refused call was not processed; an order is re-sent with
  the same client order id, which a venue never accepts twice);
- every later call waits for its slot: concurrent calls are spaced, not bunched;
- each call answered without refusal raises the pace a little (additive increase, halving
  on refusal), so a venue whose limit was lifted is not paced forever.

Time is the graph's clock: a rehearsal on the virtual clock paces in virtual time.
Calls made by other components to the same venue (a price provider reading its ticker)
are not seen here; their refusals fail their own reads, and the tick loop backs off
(``fortuna.Ticker`` throttling).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from fortuna import Clock
from schemas import (
    Balances,
    Candle,
    Exchange,
    Fill,
    Market,
    Order,
    OrderBook,
    OrderRequest,
    RateLimited,
    Ticker,
    Trade,
)

__all__ = ["MAX_ATTEMPTS", "PacedExchange"]

MAX_ATTEMPTS = 4
"""Attempts per call while the venue keeps refusing (the last refusal is raised)."""
_INCREASE = 0.1  # calls per second gained per answered call
_MARGIN = 1.05  # slots a little wider than the pace, so that float sums never bunch them
_REMEMBERED = 256  # call start times kept to learn the pace (the most a second can count)

T = TypeVar("T")


class PacedExchange(Exchange):
    """``exchange``, with its calls paced to the rate limit it answered with."""

    def __init__(self, exchange: Exchange, clock: Clock, log: Any) -> None:
        self.inner = exchange
        self.clock = clock
        self.log = log
        self.pace: float | None = None
        """Calls per second allowed; None until the venue first refuses."""
        self.refusals = 0
        self._next_slot = 0.0
        self._not_before = 0.0
        self._started: deque[float] = deque(maxlen=_REMEMBERED)

    @property
    def venue(self) -> str:
        return self.inner.venue

    async def _call(self, method: Callable[..., Awaitable[T]], *args: Any) -> T:
        now = self.clock.monotonic()
        if self.pace is None and now >= self._not_before:  # not limited: straight through
            self._started.append(now)
            try:
                return await method(*args)
            except RateLimited as refused:
                self._refused(refused)
        return await self._paced(method, args)

    async def _paced(self, method: Callable[..., Awaitable[T]], args: tuple[Any, ...]) -> T:
        for attempt in range(2, MAX_ATTEMPTS + 1):
            await self._wait_for_slot()
            try:
                result = await method(*args)
            except RateLimited as refused:
                self._refused(refused)
                if attempt == MAX_ATTEMPTS:
                    raise
                continue
            if self.pace is not None:
                self.pace += _INCREASE
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    async def _wait_for_slot(self) -> None:
        clock = self.clock
        now = clock.monotonic()
        start = max(now, self._not_before)
        if self.pace is not None:
            start = max(start, self._next_slot)
            self._next_slot = start + _MARGIN / self.pace
        if start > now:
            await clock.sleep_until(start)
        self._started.append(start)

    def _refused(self, refused: RateLimited) -> None:
        now = self.clock.monotonic()
        self.refusals += 1
        recent = 0
        for started in reversed(self._started):  # newest first
            if started <= now - 1.0:
                break
            recent += 1
        learned = float(max(1, recent - 1))
        pace = learned if self.pace is None else max(1.0, min(learned, self.pace / 2))
        wait = refused.retry_after if refused.retry_after is not None else 1.0 / pace
        self._not_before = max(self._not_before, now + max(0.0, float(wait)))
        if self.pace is None or pace < self.pace:
            self.log.warning("venue rate limit: pacing calls", venue=self.venue,
                             calls_per_second=round(pace, 3), retry_after=wait)
        self.pace = pace

    # --- the venue's calls, paced --------------------------------------------------------
    # Each hands back ``_call``'s coroutine rather than awaiting it in a coroutine of its
    # own: one less per call (a tick that re-quotes twenty levels makes forty-odd calls).

    def markets(self) -> Coroutine[Any, Any, Mapping[str, Market]]:
        return self._call(self.inner.markets)

    async def market(self, symbol: str) -> Market:  # metadata the venue loaded: not a call
        return await self.inner.market(symbol)

    async def check_order(
        self, request: OrderRequest, *, reference_price: Decimal | None = None
    ) -> OrderRequest:
        return await self.inner.check_order(request, reference_price=reference_price)

    def fetch_order_book(
        self, symbol: str, limit: int | None = None
    ) -> Coroutine[Any, Any, OrderBook]:
        return self._call(self.inner.fetch_order_book, symbol, limit)

    def fetch_ticker(self, symbol: str) -> Coroutine[Any, Any, Ticker]:
        return self._call(self.inner.fetch_ticker, symbol)

    def fetch_trades(
        self, symbol: str, since: datetime | None = None, limit: int | None = None
    ) -> Coroutine[Any, Any, list[Trade]]:
        return self._call(self.inner.fetch_trades, symbol, since, limit)

    def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str = "1m",
        since: datetime | None = None,
        limit: int | None = None,
    ) -> Coroutine[Any, Any, list[Candle]]:
        return self._call(self.inner.fetch_ohlcv, symbol, timeframe, since, limit)

    def fetch_balances(self) -> Coroutine[Any, Any, Balances]:
        return self._call(self.inner.fetch_balances)

    def fetch_open_orders(self, symbol: str | None = None) -> Coroutine[Any, Any, list[Order]]:
        return self._call(self.inner.fetch_open_orders, symbol)

    def fetch_closed_orders(
        self, symbol: str | None = None, since: datetime | None = None, limit: int | None = None
    ) -> Coroutine[Any, Any, list[Order]]:
        return self._call(self.inner.fetch_closed_orders, symbol, since, limit)

    def fetch_order(self, order_id: str, symbol: str) -> Coroutine[Any, Any, Order]:
        return self._call(self.inner.fetch_order, order_id, symbol)

    def create_order(self, request: OrderRequest) -> Coroutine[Any, Any, Order]:
        return self._call(self.inner.create_order, request)

    def cancel_order(self, order_id: str, symbol: str) -> Coroutine[Any, Any, Order | None]:
        return self._call(self.inner.cancel_order, order_id, symbol)

    def cancel_all_orders(self, symbol: str | None = None) -> Coroutine[Any, Any, list[Order]]:
        return self._call(self.inner.cancel_all_orders, symbol)

    def fetch_my_trades(
        self, symbol: str | None = None, since: datetime | None = None, limit: int | None = None
    ) -> Coroutine[Any, Any, list[Fill]]:
        return self._call(self.inner.fetch_my_trades, symbol, since, limit)
