"""The bounded buffer and batch writer shared by the database sinks.

``write`` appends records to a bounded FIFO buffer and returns. One writer task takes up to
``batch_size`` records from the head of the buffer and stores them in one transaction when a
batch is full, when the oldest pending record has waited ``flush_interval``, or when someone
calls ``flush``. Records leave the buffer only after their transaction commits; a failed
batch stays at the head and is retried with exponential backoff, so while the database is
unreachable records accumulate (up to ``buffer_size``) and nothing is lost. Stores are
idempotent (each record has a unique id), so a batch whose commit was acknowledged too late
is retried without duplicating a row. A batch the database refuses as data (not for being
unreachable; say a text with a NUL byte) is split until the culprit records are found: the
others are stored, and each refused one is logged as an error with its content.

A full buffer is loud: the first ``write`` that finds no room logs an error; ``write`` then
waits for room (backpressure) and after ``full_timeout`` raises :class:`SinkFullError`
naming how many records it refused. A write larger than ``buffer_size`` is taken in parts,
in order; if a later part is refused, the error and the log say how many records of the
write were accepted (the first ones, which will be stored) and how many were refused.
``unload`` keeps retrying the buffered records for up to ``unload_timeout`` and logs an
error with the count of any it could not store.

Time: ``flush_interval`` is measured on the graph's clock (``self.clock``), so batches follow
the mandate's time, virtual or not. The deadlines that bound waits on the database itself
(retry backoff, ``full_timeout``, ``unload_timeout``) run on a wall clock: a virtual clock
cannot see real I/O and would let them expire while a transaction is still in flight.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Sequence
from itertools import islice
from typing import Any, TypeVar

from pydantic import Field

from fortuna import Clock, Component, ComponentArgs, Context, Duration
from schemas.metrics import MetricRecord, Sink, SinkFullError

__all__ = ["BufferedSink", "BufferedSinkArgs"]


class BufferedSinkArgs(ComponentArgs):
    """Batching, buffering and retry settings common to the database sinks."""

    batch_size: int = Field(
        1000, ge=1, le=100_000, description="records stored per transaction, at most"
    )
    flush_interval: Duration = Field(
        1.0, description="longest a record waits in the buffer before its batch is written"
    )
    buffer_size: int = Field(
        100_000,
        ge=1,
        description="records held while the database is unreachable; beyond, write waits",
    )
    full_timeout: Duration | None = Field(
        30.0,
        description="how long write waits for room in a full buffer before raising "
        "SinkFullError; null waits for as long as it takes",
    )
    retry_initial: Duration = Field(0.25, description="first wait before retrying a batch")
    retry_max: Duration = Field(30.0, description="longest wait between retries")
    unload_timeout: Duration = Field(
        5.0, description="on unload, how long to keep retrying the records still buffered"
    )
    required: bool = Field(
        True,
        description="true: the mandate does not start while the database is unreachable "
        "(the load fails, exit 3); false (best-effort): the mandate starts anyway, records "
        "are buffered (up to buffer_size, nothing lost) and stored once the database answers",
    )


ArgsT = TypeVar("ArgsT", bound=BufferedSinkArgs)


class BufferedSink(Component[ArgsT], Sink, abc.ABC):
    """Base of the sinks that store batches in a database."""

    _buffer: deque[MetricRecord]
    _wall: Clock
    _writer: asyncio.Task[None] | None = None
    _accepting = False
    _closing = False
    _handled = 0

    rejected = 0
    """Records the database refused as data (each logged as an error with its content)."""

    @abc.abstractmethod
    async def store(self, batch: Sequence[MetricRecord]) -> None:
        """Store one batch atomically and idempotently (a record id is inserted once)."""

    async def ready(self) -> None:
        """Make the store usable (connect, migrate); called before every batch until it
        succeeds once. A best-effort sink whose database was down at load catches up here."""

    def is_rejection(self, error: Exception) -> bool:
        """Whether the database refused the data itself (retrying cannot help), as opposed
        to being unreachable. Such a batch is split to find and report the culprits."""
        return False

    # -- lifecycle -------------------------------------------------------------------------

    async def load(self) -> None:
        from fortuna import NoArgs, WallClock

        self._wall = WallClock(NoArgs(), Context(name=f"{self.name}:io"))
        self._buffer = deque()
        self._wake = asyncio.Event()  # the writer has something to do
        self._progress = asyncio.Event()  # a batch committed, or the writer stopped
        self._accepted = 0  # records ever accepted by write
        self._handled = 0  # records stored or rejected since (always a prefix of the above)
        self._pending_since = 0.0
        self._flush_target = 0  # flush() wants at least this many stored
        self._closing = False
        self._full_reported = False
        self._failing_since: float | None = None
        self._last_error: str | None = None
        self._accepting = True
        self._writer = asyncio.create_task(self._write_loop(), name=f"sink:{self.name}")

    async def unload(self) -> None:
        self._accepting = False
        self._closing = True
        self._wake.set()
        writer, self._writer = self._writer, None
        if writer is None:
            return
        deadline = asyncio.ensure_future(self._wall.sleep(self.args.unload_timeout))
        await asyncio.wait([deadline, writer], return_when=asyncio.FIRST_COMPLETED)
        for task in (deadline, writer):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._buffer:
            self.log.error(
                "sink records not stored",
                count=len(self._buffer),
                reason=f"not confirmed stored within unload_timeout "
                f"({self.args.unload_timeout:g}s) after unload began",
                last_error=self._last_error,
            )
        self._progress.set()

    # -- Sink ------------------------------------------------------------------------------

    @property
    def buffered(self) -> int:
        """Records accepted and not yet stored."""
        return len(self._buffer) if self._accepting or self._closing else 0

    @property
    def stored(self) -> int:
        """Records stored since load."""
        return self._handled - self.rejected

    async def write(self, records: Sequence[MetricRecord]) -> None:
        if not self._accepting:
            raise RuntimeError(f"sink {self.name!r} is not loaded; it cannot accept records")
        capacity = self.args.buffer_size
        for start in range(0, len(records), capacity):
            try:
                await self._admit(records[start : start + capacity])
            except SinkFullError as full:
                refused = len(records) - start
                self.log.error(
                    "sink records refused",
                    count=refused,
                    accepted=start,
                    written=len(records),
                    capacity=capacity,
                    waited=full.waited,
                    last_error=self._last_error,
                )
                raise SinkFullError(
                    self.name, refused, capacity, full.waited, accepted=start
                ) from None
            except RuntimeError as unloaded:
                if not start:
                    raise
                raise RuntimeError(
                    f"{unloaded}; the first {start} of {len(records)} record(s) of this "
                    f"write were accepted, the other {len(records) - start} were not"
                ) from None

    async def flush(self) -> None:
        if self._writer is None:
            return
        target = self._accepted
        self._flush_target = max(self._flush_target, target)
        while self._handled < target and self._writer is not None and not self._writer.done():
            self._progress.clear()
            self._wake.set()
            await self._progress.wait()

    # -- internals -------------------------------------------------------------------------

    async def _admit(self, records: Sequence[MetricRecord]) -> None:
        capacity = self.args.buffer_size
        if len(self._buffer) + len(records) > capacity:
            await self._wait_for_room(len(records))
        was_empty = not self._buffer
        if was_empty:
            self._pending_since = self.clock.monotonic()
        self._buffer.extend(records)
        self._accepted += len(records)
        if was_empty or len(self._buffer) >= self.args.batch_size:
            self._wake.set()  # start the flush_interval timer, or write a full batch now

    async def _wait_for_room(self, count: int) -> None:
        capacity = self.args.buffer_size
        timeout = self.args.full_timeout
        if not self._full_reported:
            self._full_reported = True
            self.log.error(
                "sink buffer full",
                buffered=len(self._buffer),
                capacity=capacity,
                waiting_records=count,
                last_error=self._last_error,
                policy="write waits for room"
                + (f", then refuses after {timeout:g}s" if timeout is not None else ""),
            )
        started = self._wall.monotonic()
        while len(self._buffer) + count > capacity:
            if not self._accepting:
                raise RuntimeError(f"sink {self.name!r} was unloaded while a write waited")
            self._progress.clear()
            if timeout is None:
                await self._progress.wait()
                continue
            left = started + timeout - self._wall.monotonic()
            if left <= 0 or not await _wait_any(self._wall.sleep(left), self._progress.wait()):
                if len(self._buffer) + count <= capacity:
                    break
                raise SinkFullError(self.name, count, capacity, timeout)  # logged by write

    async def _write_loop(self) -> None:
        backoff = self.args.retry_initial
        while True:
            self._wake.clear()
            if not self._buffer:
                self._progress.set()
                if self._closing:
                    return
                await self._wake.wait()
                continue
            due = self._pending_since + self.args.flush_interval
            if not self._due(due):
                await _wait_any(self.clock.sleep(due - self.clock.monotonic()), self._wake.wait())
                continue
            batch = list(islice(self._buffer, self.args.batch_size))
            try:
                await self.ready()
                await self._store_or_reject(batch)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._on_failure(exc, len(batch), backoff)
                await _wait_any(self._wall.sleep(backoff))
                backoff = min(backoff * 2, self.args.retry_max)
                continue
            for _ in batch:
                self._buffer.popleft()
            self._handled += len(batch)
            self._pending_since = self.clock.monotonic()
            backoff = self.args.retry_initial
            self._on_success()
            self._progress.set()

    async def _store_or_reject(self, batch: Sequence[MetricRecord]) -> None:
        """Store the batch; if the database refuses its data (not a connection problem),
        split it to store every record it accepts and report each one it refuses."""
        try:
            await self.store(batch)
        except Exception as exc:
            if not self.is_rejection(exc):
                raise
            if len(batch) == 1:
                self.rejected += 1
                self.log.error(
                    "sink record rejected",
                    record=batch[0].model_dump(mode="json"),
                    kind=batch[0].kind,
                    error=f"{type(exc).__name__}: {exc}".splitlines()[0][:300],
                    rejected=self.rejected,
                )
                return
            half = len(batch) // 2
            await self._store_or_reject(batch[:half])
            await self._store_or_reject(batch[half:])

    def _due(self, due: float) -> bool:
        return (
            len(self._buffer) >= self.args.batch_size
            or self._closing
            or self._handled < self._flush_target
            or self.clock.monotonic() >= due
        )

    def _on_failure(self, exc: Exception, batch: int, backoff: float) -> None:
        self._last_error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        first = self._failing_since is None
        if first:
            self._failing_since = self._wall.monotonic()
        (self.log.error if first else self.log.warning)(
            "sink write failed",
            batch=batch,
            buffered=len(self._buffer),
            capacity=self.args.buffer_size,
            retry_in=backoff,
            error=self._last_error,
        )

    def _on_success(self) -> None:
        if self._failing_since is not None:
            self.log.warning(
                "sink write recovered",
                outage=round(self._wall.monotonic() - self._failing_since, 3),
                buffered=len(self._buffer),
            )
            self._failing_since = None
        if self._full_reported and len(self._buffer) < self.args.buffer_size:
            self._full_reported = False


async def _wait_any(deadline: Awaitable[None], *events: Awaitable[Any]) -> bool:
    """Wait for the timeout or the first event, cancel the others; True if an event won."""
    first = asyncio.ensure_future(deadline)
    others = [asyncio.ensure_future(e) for e in events]
    try:
        done, pending = await asyncio.wait([first, *others], return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        for task in (first, *others):
            task.cancel()
        raise
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        task.result()  # an error in a sleep or a wait is a bug: surface it
    return any(task in done for task in others)
