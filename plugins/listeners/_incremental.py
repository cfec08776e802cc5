"""The cursor of the incremental listeners (trades, closed orders): no duplicate, no gap.

The cursor is a *position* (a time) and the *seen* items at or after it (id -> time). A
fetch asks the venue for items since the position (inclusive), page after page while pages
come back full, and keeps those not seen yet: no item is taken twice, however the pages
overlap. The position then advances only to a *horizon* below which nothing new can still
appear: ``lag`` before the fetch for trades (a venue may publish a trade a little after its
timestamp), and no later than the creation time of the oldest order still open for closed
orders (venues filter closed orders by creation time, so an old order that closes late
would otherwise fall behind the cursor). Seen items older than the position are forgotten.

Across a restart: each fetch that found new items writes them, then a
:class:`~schemas.listeners.CursorRecord`, to the ``cursor_store`` sink in one write. A
sink stores a write in order, so a stored cursor means the items before it are stored; on
load the listener resumes from the last stored cursor. Items after it are fetched again and
stored once (their ids are derived from the venue's ids). A write the cursor store did not
take is kept and sent again, ahead of the next fetch's records, so a sink outage delays
but does not lose them (up to ``max_pending`` records, beyond which the oldest are dropped
with an error). Without a cursor store a restart starts ``backfill`` before now.
"""

from __future__ import annotations

import abc
from collections import deque
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Annotated, ClassVar, Generic, Self, TypeVar

from pydantic import Field, model_validator

from fortuna import Duration
from plugins.listeners._listener import Listener, ListenerArgs
from plugins.metrics._collector import deliver
from schemas.listeners import CursorRecord, CursorStore
from schemas.metrics import MetricRecord, Sink

__all__ = ["IncrementalArgs", "IncrementalListener"]

ItemT = TypeVar("ItemT")


class IncrementalArgs(ListenerArgs):
    """Args of the incremental listeners."""

    cursor_store: CursorStore | None = Field(
        default=None,
        description="the sink that keeps where the listener stopped (sinks.postgres or "
        "sinks.sqlite): a restart resumes there, with no gap and no duplicate",
    )
    backfill: Annotated[Duration, Field(ge=0)] = Field(
        default=0.0, description='without a stored cursor, start this long before now, e.g. "1h"'
    )
    lag: Annotated[Duration, Field(ge=0)] = Field(
        default=5.0,
        description="how late a venue may publish an item after its timestamp; the cursor "
        'stays this far behind, e.g. "5s"',
    )
    page_size: int = Field(default=1000, ge=1, le=10_000, description="items per request")
    keep: int = Field(default=1000, ge=1, le=1_000_000, description="recent items kept for readers")
    max_pending: int = Field(
        default=100_000, ge=1, description="records held for a cursor store that is down"
    )

    @model_validator(mode="after")
    def _mandate_for_cursor(self) -> Self:
        if self.cursor_store is not None and self.mandate is None:
            raise ValueError("a cursor_store keeps the cursor under a mandate: give one")
        return self


ArgsT = TypeVar("ArgsT", bound=IncrementalArgs)


class IncrementalListener(Listener[ArgsT, tuple[ItemT, ...]], abc.ABC, Generic[ArgsT, ItemT]):
    """Base of the listeners that fetch new items by cursor."""

    # Set here: the core reads Args from a one-parameter base only.
    # a model, as the core sets it from a one-parameter base
    Args: ClassVar[type[IncrementalArgs]] = IncrementalArgs  # type: ignore[assignment]

    _position: datetime
    _seen: dict[str, datetime]
    _items: deque[ItemT]
    _new: list[ItemT]
    _pending: list[MetricRecord]
    _sequence = 0
    stuck = 0
    """Fetches that could not page past items sharing one timestamp (logged as errors)."""

    @abc.abstractmethod
    async def page(self, since: datetime, limit: int) -> list[ItemT]:
        """Items from ``since`` (inclusive), oldest first, at most ``limit``."""

    @abc.abstractmethod
    def key(self, item: ItemT) -> str:
        """The venue's id of an item."""

    @abc.abstractmethod
    def time(self, item: ItemT) -> datetime:
        """The time the venue filters ``since`` by."""

    @abc.abstractmethod
    def record(self, item: ItemT) -> MetricRecord:
        """The item's record (its id derived from the item)."""

    async def horizon(self, now: datetime) -> datetime:
        """Below this time nothing new can still appear (called before paging)."""
        return now - timedelta(seconds=self.args.lag)

    @property
    def cursor_symbol(self) -> str:
        symbol = getattr(self.args, "symbol", None)
        return "" if symbol is None else str(symbol)

    @property
    def position(self) -> datetime:
        """Where the next fetch starts (inclusive)."""
        return self._position

    @property
    def pending(self) -> int:
        """Records the cursor store refused, held to be sent again with the next write."""
        return len(getattr(self, "_pending", ()))

    async def unload(self) -> None:
        await super().unload()
        if self.pending:
            self.log.error("listener records not stored", count=self.pending,
                           reason="the cursor store refused them until the stop; a restart "
                           "fetches them again from the last stored cursor")

    async def load(self) -> None:
        self._items = deque(maxlen=self.args.keep)
        self._new, self._pending, self._seen = [], [], {}
        self._position = self.clock.now() - timedelta(seconds=self.args.backfill)
        store = self.args.cursor_store
        if store is not None:
            cursor = await store.read_cursor(self.mandate, self.venue, self.name)
            if cursor is not None:
                self._position, self._seen = cursor.position, dict(cursor.seen)
                self._sequence = cursor.sequence
                self.log.info("listener resumed", position=cursor.position.isoformat(),
                              seen=len(cursor.seen), sequence=cursor.sequence)
        await super().load()

    async def fetch(self) -> tuple[ItemT, ...]:
        horizon = await self.horizon(self.clock.now())
        size, since, new = self.args.page_size, self._position, []
        while True:
            page = await self.page(since, size)
            for item in page:
                key, at = self.key(item), self.time(item)
                if key in self._seen or at < self._position:
                    continue
                self._seen[key] = at
                new.append(item)
            if len(page) < size:
                break
            last = self.time(page[-1])
            if last <= since:
                self.stuck += 1
                self.log.error("listener page stuck", since=since.isoformat(), page_size=size,
                               reason="a full page of items shares one timestamp; raise "
                               "page_size or items at that time may be missed")
                break
            since = last
        new.sort(key=self.time)
        self._position = max(self._position, min(horizon, self.clock.now()))
        self._seen = {k: t for k, t in self._seen.items() if t >= self._position}
        self._items.extend(new)
        self._new = new
        return tuple(self._items)

    def records(self, value: tuple[ItemT, ...]) -> Sequence[MetricRecord]:
        if not self.args.sinks and self.args.cursor_store is None:
            return ()
        records: list[MetricRecord] = []
        for item in self._new:
            try:
                records.append(self.record(item))
            except ValueError as exc:  # a value no column holds exactly
                self.unstorable += 1
                self.log.error("listener item not stored", item=self.key(item), error=str(exc),
                               unstorable=self.unstorable,
                               reason="skipped so the items after it are still stored")
        return records

    async def write(self, records: Sequence[MetricRecord]) -> list[bool]:
        sinks: list[Sink] = list(self.args.sinks)
        store = self.args.cursor_store
        if store is None:
            return await super().write(records)
        if not records and not self._pending:
            return [True] * len(sinks)
        self._sequence += 1
        cursor = CursorRecord(
            mandate=self.mandate, venue=self.venue, timestamp=self.clock.now(),
            listener=self.name, symbol=self.cursor_symbol, sequence=self._sequence,
            position=self._position, seen=CursorRecord.encode_seen(self._seen),
        )
        stored = [*self._pending, *records, cursor]
        keeper: object = store
        targets: list[Sink] = [s for s in sinks if s is not keeper]
        writes: list[Sequence[MetricRecord]] = [records] * len(targets)
        assert isinstance(store, Sink)
        taken = await deliver(self.log, [*targets, store], [*writes, stored])
        if taken[-1]:
            self._pending = []
        else:
            pending = [r for r in stored if not isinstance(r, CursorRecord)]
            overflow = len(pending) - self.args.max_pending
            if overflow > 0:
                self.log.error("listener records dropped", count=overflow,
                               reason="the cursor store stayed down; max_pending reached")
                pending = pending[overflow:]
            self._pending = pending
        return taken
