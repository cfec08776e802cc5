"""What every listener shares: the fetch loop, the latest reading, delivery to sinks.

A listener fetches once in ``load`` (so its readers have a value when the service starts;
a failure there is logged, not raised: a venue hiccup at start must not stop the mandate),
then every ``interval`` on the graph's clock on a :class:`fortuna.Ticker`, stopped in
``unload``. A fetch the venue refuses (any ``ExchangeError``) is logged and counted, and
the previous reading stays, but only for ``max_age``: past it, readers get
``FeedUnavailable`` instead of an old value (the contract of :mod:`schemas.feeds`). Records
go to every sink concurrently; a sink that fails is logged with the count it did not take
and the others still get theirs.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Annotated, Any, Generic, Self, TypeVar

from pydantic import Field, model_validator

from fortuna import Component, ComponentArgs, Duration
from plugins.metrics._collector import deliver
from schemas import BadSymbol, Exchange, ExchangeError, Symbol
from schemas.feeds import Feed, FeedUnavailable, Reading
from schemas.metrics import MetricRecord, Sink

__all__ = ["Listener", "ListenerArgs", "MarketListenerArgs"]

T = TypeVar("T")


class ListenerArgs(ComponentArgs):
    """Args every listener takes."""

    exchange: Exchange = Field(description="the venue fetched from")
    interval: Annotated[Duration, Field(gt=0)] = Field(
        description='time between fetches on the graph\'s clock, e.g. "5s"'
    )
    max_age: Annotated[Duration, Field(gt=0)] | None = Field(
        default=None,
        description="readers are refused a reading fetched longer ago than this "
        "(default: three intervals)",
    )
    sinks: list[Sink] = Field(
        default_factory=list,
        description='where each fetch\'s records go, e.g. ["@metrics_db"] (none: readers only)',
    )
    mandate: str | None = Field(
        default=None, min_length=1, description="the mandate name stamped on every record"
    )
    venue: str | None = Field(
        default=None, description="venue label on the records (default: the exchange's venue)"
    )

    @model_validator(mode="after")
    def _mandate_for_sinks(self) -> Self:
        if self.sinks and self.mandate is None:
            raise ValueError("records written to sinks need a mandate")
        if self.max_age is not None and self.max_age < self.interval:
            raise ValueError(
                f"max_age {self.max_age:g} s is shorter than the interval {self.interval:g} s: "
                "every reading would go stale before the next fetch"
            )
        return self


class MarketListenerArgs(ListenerArgs):
    """A listener of one market."""

    symbol: Symbol = Field(description='the market, e.g. "BTC/USDT"')


ArgsT = TypeVar("ArgsT", bound=ListenerArgs)


class Listener(Component[ArgsT], Feed, abc.ABC, Generic[ArgsT, T]):
    """Base of the listeners: ``fetch`` every ``interval``, keep the latest, write records."""

    standalone = True  # it fetches and writes records on its own once loaded
    semantic_checks = ("schemas.checks:records_market",)

    _reading: Reading[T] | None = None
    _ticker: Any = None
    fetches = 0
    """Successful fetches this run."""
    failures = 0
    """Fetches the venue refused this run."""
    unstorable = 0
    """Fetches, or items of an incremental fetch, no record could hold (logged as errors)."""
    book_claims = ("plugins._book:names",)  # its mandate name, in a book

    @abc.abstractmethod
    async def fetch(self) -> T:
        """One fetch from the venue."""

    def records(self, value: T) -> Sequence[MetricRecord]:
        """The records of one fetch (none by default)."""
        return ()

    @property
    def venue(self) -> str:
        return self.args.venue or self.args.exchange.venue

    @property
    def max_age(self) -> float:
        return self.args.max_age if self.args.max_age is not None else 3 * self.args.interval

    @property
    def mandate(self) -> str:
        assert self.args.mandate is not None  # validated whenever there are sinks
        return self.args.mandate

    async def load(self) -> None:
        from fortuna import Ticker

        self._reading = None
        self._ticker = await Ticker.of_component(self, first_now=True)

    async def unload(self) -> None:
        from fortuna import Ticker

        ticker, self._ticker = self._ticker, None
        await Ticker.stop_of(ticker)

    async def tick(self) -> None:
        """One fetch: keep it for readers and hand its records to the sinks."""
        try:
            value = await self.fetch()
        except ExchangeError as exc:
            self.failures += 1
            self.log.warning("listener fetch failed", error=str(exc), failures=self.failures)
            return
        self.fetches += 1
        self._reading = Reading(value=value, fetched_at=self.clock.now(), sequence=self.fetches)
        try:
            records = self.records(value)
        except ValueError as exc:  # a value no column holds exactly (pydantic's refusal)
            self.unstorable += 1
            self.log.error("listener records not built", error=str(exc),
                           unstorable=self.unstorable,
                           reason="the fetch is served to readers but not stored")
            records = ()
        await self.write(records)

    async def write(self, records: Sequence[MetricRecord]) -> list[bool]:
        sinks = self.args.sinks
        if not records or not sinks:
            return [True] * len(sinks)
        return await deliver(self.log, sinks, [records] * len(sinks))

    def reading(self) -> Reading[T]:
        reading = self._reading
        if reading is None:
            raise FeedUnavailable(f"{self.name}: nothing fetched yet", venue=self.venue)
        age = (self.clock.now() - reading.fetched_at).total_seconds()
        if age > self.max_age:
            raise FeedUnavailable(
                f"{self.name}: the latest reading is {age:g} s old (max {self.max_age:g} s; "
                f"{self.failures} failed fetch(es) this run)", venue=self.venue,
            )
        return reading

    def check_symbol(self, symbol: str | None) -> None:
        """``BadSymbol`` when a reader asks for another market than the one followed."""
        followed = getattr(self.args, "symbol", None)
        if followed is not None and symbol is not None and symbol != str(followed):
            raise BadSymbol(f"{self.name} follows {followed}, not {symbol}", venue=self.venue)
