"""What every collector shares: a background tick loop and concurrent delivery to sinks.

A collector samples on a :class:`fortuna.Ticker` started in ``load`` and stopped in
``unload``, on the graph's clock. Each sample's records go to every sink concurrently; a
sink that fails or refuses (its buffer stayed full) is reported with the number of records
it did not take, and the others still get theirs. A sample that fails (the venue is down)
is logged and the loop goes on: metrics never stop for a transient error.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import Field

from fortuna import Component, ComponentArgs, Duration, Ticker
from schemas.metrics import MetricRecord, Sink, SinkFullError

__all__ = ["BPS", "Collector", "CollectorArgs", "deliver"]

BPS = Decimal(10_000)
"""Basis points in one: a spread of 0.001 of the mid is 10 bps."""


class CollectorArgs(ComponentArgs):
    """Args every collector takes."""

    sinks: Annotated[list[Sink], Field(min_length=1)] = Field(
        description='where the records go, e.g. ["@metrics_db", "@metrics_log"]; '
        "written concurrently"
    )
    mandate: str = Field(min_length=1, description="the mandate name stamped on every record")
    interval: Annotated[Duration, Field(gt=0)] = Field(
        10.0, description='time between samples, e.g. "10s", "1m"'
    )


ArgsT = TypeVar("ArgsT", bound=CollectorArgs)


def sink_name(sink: Sink) -> str:
    name = getattr(sink, "name", None)
    return name if isinstance(name, str) else type(sink).__name__


async def deliver(log: Any, sinks: Sequence[Sink], writes: Sequence[Sequence[MetricRecord]]
                  ) -> list[bool]:
    """Write ``writes[i]`` to ``sinks[i]``, all at once; which sinks took their records.

    A sink that raises does not stop the others; its failure is logged as an error with the
    number of records it did not take (``count``) and, when a full sink took the first part
    of a large write before refusing the rest, how many it did take (``accepted``).
    """
    results = await asyncio.gather(
        *(sink.write(records) for sink, records in zip(sinks, writes, strict=True)),
        return_exceptions=True,
    )
    taken: list[bool] = []
    for sink, records, result in zip(sinks, writes, results, strict=True):
        if isinstance(result, BaseException):
            if isinstance(result, asyncio.CancelledError):
                raise result
            refused = records
            accepted = 0
            if isinstance(result, SinkFullError) and 0 < result.accepted < len(records):
                accepted = result.accepted
                refused = records[accepted:]
            log.error(
                "metrics not stored",
                sink=sink_name(sink),
                count=len(refused),
                accepted=accepted,
                written=len(records),
                kinds=sorted({r.kind for r in refused}),
                error=f"{type(result).__name__}: {result}",
            )
        taken.append(not isinstance(result, BaseException))
    return taken


class Collector(Component[ArgsT], abc.ABC):
    """Base of the collectors: ``collect`` every ``interval``, records to every sink."""

    standalone = True  # it collects and writes records on its own once loaded
    semantic_checks = ("schemas.checks:records_market",)

    _ticker: Ticker | None = None
    samples = 0
    """Samples taken (ticks whose collect succeeded)."""
    failed_samples = 0
    book_claims = ("plugins._book:names",)  # its mandate name, in a book

    @abc.abstractmethod
    async def collect(self) -> Sequence[MetricRecord]:
        """One sample's records."""

    async def load(self) -> None:
        self._ticker = await Ticker.of_component(self)

    async def unload(self) -> None:
        ticker, self._ticker = self._ticker, None
        await Ticker.stop_of(ticker)

    async def tick(self) -> None:
        """Take one sample and hand it to the sinks; a failed sample is logged, not raised."""
        try:
            records = await self.collect()
        except Exception as exc:
            self.failed_samples += 1
            self.log.error(
                "metrics sample failed", error=f"{type(exc).__name__}: {exc}",
                failed_samples=self.failed_samples,
            )
            return
        self.samples += 1
        if records:
            sinks = self.args.sinks
            await deliver(self.log, sinks, [records] * len(sinks))
