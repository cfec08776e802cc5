"""The tick loop: run a callback every interval, on the graph's clock, without drift.

Tick ``k`` is due at ``start + k * interval``. A tick that overruns delays the next one,
which then runs at once; slots that passed entirely during an overrun are skipped and
counted, never run back to back. A tick that raises is logged with its context and the loop
goes on; after ``max_consecutive_failures`` failures in a row it stops with
:class:`TickerFailed`. ``request_stop`` interrupts the sleep between ticks at once but never
a tick in progress.

Throttling is not failure. A tick that raises an error carrying a ``retry_after``
attribute (a venue's rate limit: ``schemas.RateLimited``, or any error that says when to
come back) is *throttled*: it is logged as a warning, does not count towards
``max_consecutive_failures``, and the loop slows down: the next tick waits at least
``retry_after`` and the stride between ticks doubles (up to :data:`MAX_STRIDE` slots, never
beyond :data:`MAX_THROTTLED_GAP` seconds); each clean tick halves it again. Ticks stay on
the ``start + k * interval`` grid, so a throttled loop never drifts either.

A stop always ends the loop: the interval must be finite and positive, and a deadline is
never NaN.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated, Any, TypeVar

from pydantic import Field

from fortuna._internal.component import ComponentArgs, Service, _default_log
from fortuna._internal.observe import MetricsSource, Timings
from fortuna._internal.time import Clock
from fortuna._internal.types import Duration

__all__ = ["LeftBehind", "TickArgs", "TickService", "Ticker", "TickerFailed"]

MAX_STRIDE = 64
"""The most slots a throttled loop lets pass between two ticks."""
MAX_THROTTLED_GAP = 60.0
"""...and never more than this many seconds, whatever the interval."""


class TickerFailed(RuntimeError):
    """A tick loop stopped because too many ticks failed in a row."""

    def __init__(self, name: str, failures: int, last: BaseException) -> None:
        self.name = name
        self.failures = failures
        super().__init__(
            f"{name}: stopped after {failures} consecutive failed ticks; "
            f"last error: {type(last).__name__}: {last}"
        )


class LeftBehind(RuntimeError):
    """A service stopped without confirming that it released everything it held outside
    the process: orders that may still rest on a venue. ``items`` lists each one (as
    structured dicts), exactly; ``fortuna run`` logs them and exits 4."""

    def __init__(self, name: str, items: list[dict[str, Any]], why: str) -> None:
        self.name = name
        self.items = items
        self.why = why
        super().__init__(f"{name}: {len(items)} item(s) may still be outside: {why}")


class Ticker:
    """Calls ``callback`` every ``interval`` seconds of ``clock`` until stopped.

    Use ``await ticker.run()`` in a service, or ``ticker.start()`` in a component's
    ``load`` and ``await ticker.stop()`` in its ``unload`` for a background loop.
    """

    def __init__(
        self,
        callback: Callable[[], Awaitable[None]],
        interval: float,
        *,
        clock: Clock,
        name: str = "ticker",
        log: Any = None,
        max_consecutive_failures: int = 5,
    ) -> None:
        if not (math.isfinite(interval) and interval > 0):
            raise ValueError(
                f"{name}: the tick interval must be a finite positive number, got {interval!r}"
            )
        if max_consecutive_failures < 1:
            raise ValueError(f"{name}: max_consecutive_failures must be at least 1")
        self.callback = callback
        self.interval = float(interval)
        self.clock = clock
        self.name = name
        self.log = log if log is not None else _default_log(name)
        self.max_consecutive_failures = max_consecutive_failures
        self.ticks = 0
        """Ticks run (failed ones included)."""
        self.skipped = 0
        """Slots that passed entirely while an earlier tick overran."""
        self.failures = 0
        self.consecutive_failures = 0
        self.throttled = 0
        """Ticks the venue throttled (rate limit), over the run."""
        self.stride = 1
        """Slots between two ticks: 1, or more while the venue throttles."""
        self._resume_at: float | None = None
        self._stopping = False
        self._sleeper: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def stop_requested(self) -> bool:
        return self._stopping

    def request_stop(self) -> None:
        """Finish after the tick in progress (if any); a sleep between ticks ends now."""
        self._stopping = True
        if self._sleeper is not None and not self._sleeper.done():
            self._sleeper.cancel()

    async def run(self) -> None:
        """Tick until ``request_stop``; raises :class:`TickerFailed` on too many failures."""
        clock, interval = self.clock, self.interval
        start = clock.monotonic()
        slot = 0
        while not self._stopping:
            if await self._sleep_until(start + slot * interval):
                break  # request_stop ended the sleep
            await self._tick(slot)
            # Where the next tick goes: the next slot (``stride`` ahead) if it is still
            # ahead, else the latest slot that has come (run at once, late), skipping any
            # that passed entirely.
            now = clock.monotonic()
            due = math.floor((now - start) / interval)
            following = slot + self.stride
            if self._resume_at is not None:  # a throttled tick: not before retry_after
                following = max(following, math.ceil((self._resume_at - start) / interval))
                self._resume_at = None
            elif due > following:
                missed = due - following
                self.skipped += missed
                self.log.warning(
                    "ticks skipped", ticker=self.name, skipped=missed, total_skipped=self.skipped
                )
                following = due
            slot = following

    async def _sleep_until(self, deadline: float) -> bool:
        """Sleep until ``deadline``; True if a stop was requested meanwhile."""
        # The clock's wake-up future, awaited directly: request_stop cancels that future
        # and never reaches into the task that runs ticks. Its cancellation is told apart
        # from this task's own (which propagates) by ``cancelling()``.
        wake = self.clock.wake_at(deadline)
        self._sleeper = wake
        try:
            await wake
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if not wake.cancelled() or current is None or current.cancelling():
                raise
        finally:
            self._sleeper = None
            if not wake.done():
                wake.cancel()
        return self._stopping

    async def _tick(self, slot: int) -> None:
        self.ticks += 1
        try:
            await self.callback()
        except Exception as exc:
            if hasattr(exc, "retry_after"):
                self._throttled(slot, exc)
                return
            self.failures += 1
            self.consecutive_failures += 1
            self.log.error(
                "tick failed",
                ticker=self.name,
                tick=slot,
                consecutive_failures=self.consecutive_failures,
                max_consecutive_failures=self.max_consecutive_failures,
                exc_info=exc,
            )
            if self.consecutive_failures >= self.max_consecutive_failures:
                raise TickerFailed(self.name, self.consecutive_failures, exc) from exc
        else:
            self.consecutive_failures = 0
            self.stride = max(1, self.stride // 2)

    def _throttled(self, slot: int, exc: Exception) -> None:
        retry_after = getattr(exc, "retry_after", None)
        wait = float(retry_after) if isinstance(retry_after, int | float) else 0.0
        wait = min(wait, MAX_THROTTLED_GAP) if math.isfinite(wait) and wait > 0 else 0.0
        self.throttled += 1
        self.stride = max(1, min(self.stride * 2, MAX_STRIDE,
                                 int(MAX_THROTTLED_GAP // self.interval) or 1))
        self._resume_at = self.clock.monotonic() + wait
        self.log.warning(
            "tick throttled by the venue; slowing down",
            ticker=self.name,
            tick=slot,
            retry_after=wait,
            every=self.stride * self.interval,
            error=f"{type(exc).__name__}: {exc}",
        )

    # --- background use -----------------------------------------------------------------

    @classmethod
    async def started_after_first(
        cls,
        callback: Callable[[], Awaitable[None]],
        interval: float,
        *,
        clock: Clock,
        name: str = "ticker",
        log: Any = None,
    ) -> Ticker:
        """Run ``callback`` once now, in the caller (its error propagates, so a ``load``
        that cannot do it fails), then start a background ticker calling it every
        ``interval``. The loop's first slot is this same instant, so that one is passed
        over: the callback never runs twice at once on loading."""
        await callback()
        first = True

        async def from_the_second_slot() -> None:
            nonlocal first
            if first:
                first = False
                return
            await callback()

        ticker = cls(from_the_second_slot, interval, clock=clock, name=name, log=log)
        ticker.start()
        return ticker

    @classmethod
    async def of_component(cls, component: Any, *, first_now: bool = False) -> Ticker:
        """A loaded component's background loop, started: ``component.tick`` every
        ``component.args.interval`` on its clock, named and logging as the component
        (with ``first_now``, the first call runs now, in the caller: see
        :meth:`started_after_first`). Stop it in ``unload`` with :meth:`stop_of`."""
        tick, interval = component.tick, component.args.interval
        where = {"clock": component.clock, "name": component.name, "log": component.log}
        if first_now:
            return await cls.started_after_first(tick, interval, **where)
        ticker = cls(tick, interval, **where)
        ticker.start()
        return ticker

    @staticmethod
    async def stop_of(ticker: Ticker | None) -> None:
        """Stop a component's background loop, if it has one (its ``unload``)."""
        if ticker is not None:
            await ticker.stop()

    def start(self) -> asyncio.Task[None]:
        """Run in the background (from a component's ``load``)."""
        if self._task is not None and not self._task.done():
            raise RuntimeError(f"{self.name}: already running")
        self._stopping = False
        self._task = asyncio.ensure_future(self.run())
        self._task.add_done_callback(self._report)
        return self._task

    def _report(self, task: asyncio.Task[None]) -> None:
        error = None if task.cancelled() else task.exception()
        if error is not None:
            self.log.error("background ticker stopped", ticker=self.name, error=str(error))

    async def stop(self) -> None:
        """Stop a background ticker and wait for the tick in progress to finish."""
        self.request_stop()
        task = self._task
        if task is not None:
            await asyncio.wait((task,))


class TickArgs(ComponentArgs):
    """Args every tick service takes; a service's own args extend this model."""

    interval: Annotated[Duration, Field(gt=0)] = Field(
        description='time between ticks, e.g. "1s", "250ms"; ticks never drift'
    )
    max_consecutive_failures: int = Field(
        default=5,
        ge=1,
        description="stop the service (with an error) after this many failed ticks in a row",
    )


TickArgsT = TypeVar("TickArgsT", bound=TickArgs)


class TickService(Service[TickArgsT], MetricsSource):
    """A service that runs ``tick()`` every ``interval`` on the graph's clock.

    ``on_start`` runs once before the first tick, ``on_stop`` once after the last one when
    the loop ends, gracefully or after too many failures (market making cancels its resting
    orders there). ``on_stop`` also runs when ``on_start`` fails, since a start may have
    left orders behind; it does not run when the service is cancelled by a forced stop.

    Before each tick the service asks its guards (:meth:`Service.guard`: the lease of
    ``fortuna run --lease``); one that answers with a reason stops the service instead of
    ticking. Each tick's wall duration goes to ``fortuna_tick_duration_seconds`` (the
    service is a :class:`~fortuna.MetricsSource`).
    """

    _ticker: Ticker | None = None
    _timings: Timings | None = None

    async def tick(self) -> None:
        """One step of the service's work."""
        raise NotImplementedError

    async def on_start(self) -> None:
        """Runs once before the first tick."""

    async def on_stop(self) -> None:
        """Runs once after the last tick."""

    @property
    def ticker(self) -> Ticker:
        if self._ticker is None:
            self._ticker = Ticker(
                self._guarded_tick,
                self.args.interval,
                clock=self.clock,
                name=self.name,
                log=self.log,
                max_consecutive_failures=self.args.max_consecutive_failures,
            )
        return self._ticker

    async def _guarded_tick(self) -> None:
        """One tick, unless a guard forbids it (then stop instead); its duration, in wall
        seconds whatever the clock, goes to ``fortuna_tick_duration_seconds``."""
        refused = self.refused_by_guard() if self._guards else None
        if refused is not None:
            if not self.stop_requested:
                self.log.error("stopping without ticking", reason=refused)
                self.request_stop()
            return
        if self._timings is None:
            self._timings = Timings()
        started = time.perf_counter()
        try:
            await self.tick()
        finally:
            self._timings.observe(time.perf_counter() - started)

    @property
    def tick_timings(self) -> Timings | None:
        """The durations of the ticks so far (``None`` before the first one)."""
        return self._timings

    def metrics(self) -> Iterable[Any]:
        """``fortuna_tick_duration_seconds``: how long each tick took, by service."""
        if self._timings is not None:
            yield Timings.family("fortuna_tick_duration_seconds",
                                 "wall time of one tick of the service", ("service",),
                                 [((self.name,), self._timings)])

    def request_stop(self) -> None:
        super().request_stop()
        self.ticker.request_stop()

    async def run(self) -> None:
        ticker = self.ticker
        if self.stop_requested:
            ticker.request_stop()
        try:
            await self.on_start()
            await ticker.run()
        except Exception as failure:  # not CancelledError: a forced stop skips on_stop
            try:
                await self.on_stop()
            except LeftBehind as left:  # what may rest outside matters more than why
                raise left from failure
            except Exception as cleanup:  # keep the original failure as the one raised
                self.log.error("on_stop failed while stopping after a failure",
                               error=f"{type(cleanup).__name__}: {cleanup}")
            raise
        await self.on_stop()
