"""Clocks: where every component gets the time and sleeps.

A mandate has at most one component providing :class:`Clock`; every component reaches it
as ``self.clock``. Without one, the graph runs on the wall clock (:class:`WallClock`).
:class:`VirtualClock` runs the same mandate in rehearsal, as fast as the CPU allows.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import time as _time
import weakref
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from pydantic import Field, field_validator

from fortuna._internal.component import Component, ComponentArgs, Context, NoArgs
from fortuna._internal.time import Clock

__all__ = ["Clock", "VirtualClock", "VirtualClockArgs", "WallClock"]


class WallClock(Component[NoArgs], Clock):
    """The real time of the machine: what a live mandate runs on."""

    def time(self) -> float:
        return _time.time()

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return _time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, _number(seconds)))

    async def sleep_until(self, deadline: float) -> None:
        await asyncio.sleep(max(0.0, _number(deadline) - _time.monotonic()))

    def wake_at(self, deadline: float) -> asyncio.Future[None]:
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        timer = loop.call_later(max(0.0, _number(deadline) - _time.monotonic()),
                                _wake, waiter)
        waiter.add_done_callback(lambda _: timer.cancel())
        return waiter


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _number(value: float) -> float:
    """A sleep or deadline that can be reached: NaN never is (it compares false with every
    time, so a NaN deadline would spin a virtual clock and never wake a wall one)."""
    if math.isnan(value):
        raise ValueError("a sleep or deadline cannot be NaN")
    return value


_DEFAULT_START = datetime(2026, 1, 1, tzinfo=UTC)

# Without access to the loop's ready queue (an event loop other than asyncio's own, such
# as uvloop), the driver yields this many times before it considers the loop idle.
_FALLBACK_YIELDS = 8

# Every virtual clock's driver task. Two drivers on one loop must not keep each other busy:
# a ready queue holding nothing but drivers counts as idle.
_DRIVERS: weakref.WeakSet[asyncio.Task[None]] = weakref.WeakSet()


def _busy(ready: Collection[Any]) -> bool:
    """True if something other than virtual clocks' drivers is runnable."""
    if not ready:
        return False
    if len(ready) > len(_DRIVERS):
        return True
    for handle in ready:
        owner = getattr(getattr(handle, "_callback", None), "__self__", None)
        if owner is None or owner not in _DRIVERS:
            return True
    return False


class VirtualClockArgs(ComponentArgs):
    start: datetime = Field(
        default=_DEFAULT_START,
        description="the time the rehearsal starts at (UTC if no offset is given)",
    )

    @field_validator("start")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class VirtualClock(Component[VirtualClockArgs], Clock):
    """Simulated time that jumps to the next wakeup as soon as nothing else can run.

    Sleepers wait on futures kept in a heap ordered by deadline. A driver task (started by
    the first sleep, stopped by ``unload``) repeatedly yields to the event loop until the
    loop's ready queue is empty (asyncio's private ``loop._ready``: asyncio has no public
    way to ask "is anything runnable?"), i.e. every task has run as far as it can without time
    passing; only then does it move time to the earliest deadline and wake the sleepers due
    at that instant. A tick that takes no wall time therefore takes no virtual time, and a
    day of one-second ticks rehearses in seconds. Time never moves while any task is still
    runnable, so concurrent sleepers wake in deadline order, deterministically. Drivers of
    other virtual clocks on the same loop do not count as runnable work, so two clocks (a
    test's and a graph's, say) each keep moving.

    Limits, by design: the driver cannot see work that is waiting on real I/O (sockets,
    subprocesses, threads) or on wall-clock timers such as ``asyncio.sleep``: while such
    work is pending and nothing is runnable, virtual time keeps jumping, so I/O appears
    instantaneous and may complete "late" in virtual time. Rehearse against in-process
    venues (``exchanges.sim``); a component talking to the network belongs on the wall
    clock. On an event loop without an inspectable ready queue (not asyncio's own) the
    driver falls back to yielding a fixed number of times, which is correct for the usual
    short chains of awaits but not guaranteed for long ones.
    """

    def __init__(self, args: VirtualClockArgs, context: Context | None = None) -> None:
        super().__init__(args, context)
        self._epoch = args.start.timestamp()
        self._now = 0.0
        self._heap: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._driver: asyncio.Task[None] | None = None
        self._idle: asyncio.Future[None] | None = None

    # --- reading the time ---------------------------------------------------------------

    @property
    def virtual(self) -> bool:
        return True

    def time(self) -> float:
        return self._epoch + self._now

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._epoch + self._now, UTC)

    def monotonic(self) -> float:
        return self._now

    # --- sleeping -------------------------------------------------------------------------

    async def sleep(self, seconds: float) -> None:
        await self.sleep_until(self._now + _number(seconds))

    async def sleep_until(self, deadline: float) -> None:
        if _number(deadline) <= self._now:
            await asyncio.sleep(0)  # still a suspension point, like a zero sleep
            return
        await self.wake_at(deadline)

    def wake_at(self, deadline: float) -> asyncio.Future[None]:
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        if _number(deadline) <= self._now:
            loop.call_soon(_wake, waiter)  # a suspension point, like a zero sleep
            return waiter
        heapq.heappush(self._heap, (deadline, next(self._order), waiter))
        self._ensure_driver(loop)
        return waiter  # a cancelled waiter stays in the heap and is skipped when reached

    async def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` now, waking every sleeper due (for tests)."""
        self._now += _number(seconds)
        self._wake_due()
        await asyncio.sleep(0)

    @property
    def pending(self) -> int:
        """How many sleepers are waiting."""
        return sum(1 for _, _, waiter in self._heap if not waiter.done())

    # --- lifecycle --------------------------------------------------------------------------

    async def unload(self) -> None:
        driver, self._driver = self._driver, None
        if driver is not None and not driver.done():
            driver.cancel()
            await asyncio.wait((driver,))

    # --- the driver -------------------------------------------------------------------------

    def _ensure_driver(self, loop: asyncio.AbstractEventLoop) -> None:
        driver = self._driver
        if driver is None or driver.done() or driver.get_loop() is not loop:
            self._driver = loop.create_task(self._drive(), name=f"{self.name}: virtual time")
            _DRIVERS.add(self._driver)
        elif self._idle is not None and not self._idle.done():
            self._idle.set_result(None)

    def _wake_due(self) -> None:
        heap = self._heap
        while heap and heap[0][0] <= self._now:
            waiter = heapq.heappop(heap)[2]
            if not waiter.done():
                waiter.set_result(None)

    def _drop_cancelled(self) -> None:
        heap = self._heap
        while heap and heap[0][2].done():
            heapq.heappop(heap)

    async def _drive(self) -> None:
        loop = asyncio.get_running_loop()
        ready = getattr(loop, "_ready", None)
        while True:
            self._drop_cancelled()
            if not self._heap:
                self._idle = loop.create_future()
                await self._idle
                self._idle = None
                continue
            # Let every runnable task run as far as it can before time moves.
            await asyncio.sleep(0)
            if ready is None:
                for _ in range(_FALLBACK_YIELDS):
                    await asyncio.sleep(0)
            else:
                # Polling is the point: no event says "the loop has nothing else to do".
                while _busy(ready):  # noqa: ASYNC110
                    await asyncio.sleep(0)
            self._drop_cancelled()
            if self._heap:
                self._now = max(self._now, self._heap[0][0])
                self._wake_due()
