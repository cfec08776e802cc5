"""Calls into one ccxt instance: every failure a :mod:`schemas` error, reads retried.

Why the policy is what it is:

- A *read* (markets, books, balances, order lookups) changes nothing at the venue, so after
  a retryable error (network, timeout, rate limit, maintenance) it is tried again, a
  bounded number of times, with exponential backoff. The waits run on the graph's clock
  (looked up at each wait, so a virtual clock set after load is honoured) and a venue's
  ``Retry-After`` replaces the computed wait.
- A *write* (create, cancel) goes out once: retrying a create could place the order twice.
  What to do after a failed write is the caller's decision (a create is looked up by its
  client order id, never resent).
- A call the venue refuses for want of a symbol, although ccxt's metadata did not say so
  (``ArgumentsRequired``), is learnt once and from then on made per symbol.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Protocol, TypeVar

from fortuna import Clock, Logger, Timings
from schemas import ExchangeError

__all__ = ["PER_SYMBOL_METHODS", "Transport", "symbol_required"]

T = TypeVar("T")

PER_SYMBOL_METHODS = ("fetchOpenOrders", "fetchClosedOrders", "fetchOrders", "fetchMyTrades")
"""The ccxt calls that may cover every market, or need one symbol per call."""


def symbol_required(features: Any) -> set[str]:
    """The calls of :data:`PER_SYMBOL_METHODS` that ccxt's ``features`` say need a symbol."""
    spot = features.get("spot") if isinstance(features, Mapping) else None
    if not isinstance(spot, Mapping):
        return set()
    return {
        method for method in PER_SYMBOL_METHODS
        if isinstance(spot.get(method), Mapping) and spot[method].get("symbolRequired")
    }


def needs_symbol(error: ExchangeError) -> bool:
    """Whether ccxt refused a call for want of a symbol (``ArgumentsRequired``)."""
    return type(error.__cause__).__name__ == "ArgumentsRequired"


class Host(Protocol):
    """What the transport needs from its component: a name for logs, a clock, a logger."""

    @property
    def venue(self) -> str: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def log(self) -> Logger: ...


class Transport:
    """One loaded ccxt instance and the policy for calling it."""

    def __init__(
        self,
        client: Any,
        host: Host,
        translate: Callable[[BaseException], ExchangeError],
        *,
        retries: int,
        backoff: float,
    ) -> None:
        self.client = client
        self.host = host
        self.translate = translate
        self.retries = retries
        self.backoff = backoff
        self.symbol_required = symbol_required(client.features)
        self.latency = Timings()
        """Seconds each call to the venue took (``fortuna_venue_latency_seconds``)."""

    async def call(self, call: Callable[[], Awaitable[T]]) -> T:
        """``call`` once; any failure raised as the project's error (ccxt's as cause)."""
        started = time.perf_counter()
        try:
            return await call()
        except ExchangeError:
            raise
        except Exception as error:
            raise self.translate(error) from error
        finally:
            self.latency.observe(time.perf_counter() - started)

    async def read(self, call: Callable[[], Awaitable[T]]) -> T:
        """``call`` with bounded retries and exponential backoff on retryable errors."""
        delay = self.backoff
        for attempt in range(self.retries + 1):
            try:
                return await self.call(call)
            except ExchangeError as error:
                if not error.retryable or attempt == self.retries:
                    raise
                wait = getattr(error, "retry_after", None) or delay
                self.host.log.warning("retrying", venue=self.host.venue, attempt=attempt + 1,
                                      wait=wait, error=str(error))
                await self.host.clock.sleep(wait)
                delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    async def read_each_symbol(
        self,
        method: str,
        symbol: str | None,
        call: Callable[[str | None], Awaitable[Iterable[Any]]],
        symbols: Callable[[], Iterable[str]],
    ) -> list[Any]:
        """``method`` for ``symbol``, or for every market: in one call where the venue
        allows it, else once per symbol of ``symbols()`` (the watched and traded ones)."""
        if symbol is not None or method not in self.symbol_required:
            try:
                return list(await self.read(lambda: call(symbol)))
            except ExchangeError as error:
                if symbol is not None or not needs_symbol(error):
                    raise
                self.symbol_required.add(method)  # ccxt's metadata did not say so
        results: list[Any] = []
        for each in symbols():
            results.extend(await self.read(_bound(call, each)))
        return results


def _bound(
    call: Callable[[str | None], Awaitable[Iterable[Any]]], symbol: str
) -> Callable[[], Awaitable[Iterable[Any]]]:
    return lambda: call(symbol)
