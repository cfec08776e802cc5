"""The runtime: load a mandate's graph, run its service until done or stopped, unload.

``start`` is the context manager for embedding (tests, notebooks); ``run`` is what
``fortuna run`` does, optionally with SIGINT/SIGTERM handling: the first signal asks the
service to stop gracefully (no new ticks; ``on_stop`` cancels resting orders) and the graph
is unloaded in reverse; a second signal forces the stop: the service task is cancelled and
unloading goes on with short timeouts. A forced stop raises :class:`ForcedStop`.

Once the graph is built, the value of every secret its components hold is registered for
redaction (:mod:`fortuna._internal.redaction`): no log line or message shows it from then
on, wherever it appears. A ``duration`` must be finite and positive: a NaN would never be
reached (and would spin a virtual clock).

While ``run`` runs a graph on a simulated clock, every log line carries its time
(:mod:`fortuna._internal.run_progress`); with a ``duration`` and a ``progress`` factory, it
reports how far the run has come, a fixed number of times spread over the duration.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import signal
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from fortuna._internal.clock import WallClock
from fortuna._internal.container import DEFAULT_UNLOAD_TIMEOUT, Graph
from fortuna._internal.findings import MandateError
from fortuna._internal.plan import Plan
from fortuna._internal.run_progress import Progress, use_clock
from fortuna._internal.status import Status

if TYPE_CHECKING:
    from fortuna._internal.lease import LeaseConfig

__all__ = ["MAX_DURATION", "ForcedStop", "LeaseLost", "RunObserver", "check_duration", "run",
           "start"]

DEFAULT_FORCE_UNLOAD_TIMEOUT = 1.0
MAX_DURATION = 10 * 365.25 * 86400.0
"""Ten years: a longer run is not a rehearsal but a typo (and overflows dates)."""
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
OBSERVER_TIMEOUT = 30.0
"""Wall seconds an observer may take when told the run started or finished."""
RESET_SIGNAL = signal.SIGUSR1
"""The operator's reset: clears every tripped kill switch (every ``Resettable``)."""


class RunObserver(Protocol):
    """Watches a run without taking part in it (the run summary): told once the graph is
    loaded, and once the service has finished, before anything unloads (its venues can
    still be read). An observer that fails, or takes longer than
    :data:`OBSERVER_TIMEOUT` seconds of wall time, is logged and left behind: it never
    stops a run, nor holds its start or its stop for long."""

    async def started(self, graph: Graph) -> None: ...

    async def finished(self, graph: Graph) -> None: ...


class ForcedStop(Exception):
    """A second stop signal cut the graceful stop short."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"stop forced by a second {signal.Signals(signum).name}")


def check_duration(duration: float) -> float:
    """``duration`` if it is a number of seconds a run can reach, else ``ValueError``."""
    if isinstance(duration, bool) or not isinstance(duration, int | float):
        raise ValueError(f"a duration is a number of seconds, got {duration!r}")
    if not math.isfinite(duration) or duration <= 0 or duration > MAX_DURATION:
        raise ValueError(
            f"a duration must be a finite number of seconds above 0 and at most "
            f"{MAX_DURATION:.0f} (ten years), got {duration!r}"
        )
    return float(duration)


@contextlib.contextmanager
def _secrets_of(graph: Graph, *, keep: bool = False) -> Iterator[None]:
    """The graph's secrets are redacted from every output while it lives (and after, with
    ``keep``: the command line still logs the run's outcome once it is over)."""
    from fortuna._internal.redaction import register_secrets_of, release_secrets

    registration = register_secrets_of(graph[name].args for name in graph)
    try:
        yield
    finally:
        if not keep:
            release_secrets(registration)


def _to_plan(obj: Any) -> Plan:
    """The plan to run: a :class:`Plan` as is; a mandate or a path through validation."""
    if isinstance(obj, Plan):
        plan = obj
    else:
        from fortuna._internal import validation

        plan = validation.plan_for(obj, for_run=True)
    if plan.missing_env:  # validation tolerates them; running does not
        raise MandateError(list(plan.missing_env))
    return plan


@contextlib.asynccontextmanager
async def start(
    mandate_or_plan: Any, *, unload_timeout: float = DEFAULT_UNLOAD_TIMEOUT
) -> AsyncIterator[Graph]:
    """Build and load the graph; unload it when the block exits."""
    graph = Graph(_to_plan(mandate_or_plan), unload_timeout=unload_timeout)
    with _secrets_of(graph):
        await graph.load()
        try:
            yield graph
        finally:
            await graph.unload()


class _Stopper:
    """Turns stop signals into a graceful stop, then a forced one."""

    def __init__(self, graph: Graph, force_unload_timeout: float) -> None:
        self.graph = graph
        self.force_unload_timeout = force_unload_timeout
        self.requests = 0  # stop requests so far, signals or not
        self.forced_by: int | None = None  # the signal that forced the stop
        self.current: asyncio.Future[Any] | None = None  # the load or the service run
        self.loading = True

    def reset(self) -> None:
        """The reset signal: clear latches, unless the graph is loading or stopping."""
        if self.loading or self.requests:
            self.graph.log.warning("operator reset ignored: the mandate is not running")
            return
        if not self.graph.reset():
            self.graph.log.warning("operator reset: nothing to reset")

    def __call__(self, signum: int) -> None:
        """A stop signal: the first asks for a graceful stop, the next ones force it."""
        self.requests += 1
        name = signal.Signals(signum).name
        if self.requests == 1:
            self.graceful(name)
        else:
            self.forced_by = signum
            self.force(name)

    def request(self, reason: str) -> None:
        """A stop asked for by code (a stop event, the run's duration), not by a signal."""
        self.requests += 1
        if self.requests == 1:
            self.graceful(reason)

    def graceful(self, reason: str) -> None:
        # A stop asked for (the duration, an operator's signal) is the run going to plan.
        self.graph.log.info("stop requested; stopping gracefully", reason=reason)
        if self.loading:
            if self.current is not None:
                self.current.cancel()  # abort loading: what loaded is unloaded
        else:
            self.graph.service.request_stop()

    def force(self, reason: str) -> None:
        self.graph.log.warning("stop forced", reason=reason)
        if self.current is not None and not self.current.done():
            self.current.cancel()
        self.graph.force(self.force_unload_timeout)

    @contextlib.contextmanager
    def installed(self) -> Iterator[_Stopper]:
        loop = asyncio.get_running_loop()
        installed: list[int] = []
        previous: dict[int, Any] = {}
        try:
            for signum in STOP_SIGNALS:
                before = signal.getsignal(signum)
                try:
                    loop.add_signal_handler(signum, self, signum)
                except (NotImplementedError, RuntimeError, ValueError):
                    continue  # not the main thread, or a platform without signal handlers
                installed.append(signum)
                previous[signum] = before
            try:
                loop.add_signal_handler(RESET_SIGNAL, self.reset)
                installed.append(RESET_SIGNAL)
            except (NotImplementedError, RuntimeError, ValueError, AttributeError):
                pass  # no SIGUSR1 here: resets are available from Python only
            yield self
        finally:
            for number in installed:
                loop.remove_signal_handler(number)
                # Hand the signal back to whoever handled it before the run (the command
                # line's handler), not to the system default: a stop after the run still stops.
                if previous.get(number) is not None:
                    with contextlib.suppress(ValueError, OSError, TypeError):
                        signal.signal(number, previous[number])


async def run(
    mandate_or_plan: Any,
    *,
    unload_timeout: float = DEFAULT_UNLOAD_TIMEOUT,
    force_unload_timeout: float = DEFAULT_FORCE_UNLOAD_TIMEOUT,
    handle_signals: bool = False,
    stop: asyncio.Event | None = None,
    duration: float | None = None,
    keep_secrets: bool = False,
    progress: Callable[[bool], Progress] | None = None,
    http: tuple[str, int] | None = None,
    lease: LeaseConfig | None = None,
    observers: Sequence[RunObserver] = (),
) -> Graph:
    """Load the graph, run its service until it returns or is stopped, then unload.

    With ``handle_signals``, SIGINT/SIGTERM stop the run (gracefully, then by force); setting
    ``stop`` asks for a graceful stop from code, and so does ``duration`` seconds of the
    graph's clock after loading (a rehearsal of a day on the virtual clock). The graph's
    secrets are redacted from every output while it lives; ``keep_secrets`` keeps them
    redacted for the rest of the process (the command line's last lines). Returns the
    (unloaded) graph. Raises :class:`~fortuna.MandateError` if the plan cannot run,
    ``LoadError`` if a component fails to load, the service's own exception if it fails,
    and :class:`ForcedStop` after a second stop signal. ``progress`` makes the reporter
    of a run with a duration (told whether the clock is simulated). ``observers`` are told
    when the graph is loaded and when the service has finished (see :class:`RunObserver`).

    ``http`` serves ``/healthz``, ``/readyz`` and ``/metrics`` at that address while the run
    lasts (:mod:`fortuna._internal.status`). ``lease`` takes the mandate's lease before
    loading and stops the run at once if it is lost (:mod:`fortuna._internal.lease`):
    :class:`~fortuna._internal.lease.LeaseHeld` if another runner holds it, ``LeaseLost``
    (after the graceful stop) if it was lost while running.
    """
    if duration is not None:
        duration = check_duration(duration)
    graph = Graph(_to_plan(mandate_or_plan), unload_timeout=unload_timeout)
    stopper = _Stopper(graph, force_unload_timeout)
    handlers = stopper.installed() if handle_signals else contextlib.nullcontext()
    watcher = asyncio.ensure_future(_watch(stop, stopper)) if stop is not None else None
    simulated = not isinstance(graph.clock, WallClock)
    reporter = progress(simulated) if progress is not None and duration is not None else None
    use_clock(graph.clock if simulated else None)
    status = Status()
    status.graph = graph
    try:
        with _secrets_of(graph, keep=keep_secrets), handlers:
            async with contextlib.AsyncExitStack() as stack:
                if http is not None:
                    from fortuna._internal.status import serving

                    await stack.enter_async_context(serving(status, *http, graph.log))
                held = None
                if lease is not None:
                    status.phase = "waiting for its lease"
                    held = await _take_lease(stack, lease, graph, stopper)
                    if held is None:  # a stop while waiting: nothing was loaded
                        _raise_if_forced(stopper)
                        return graph
                result = await _run(graph, stopper, duration, status, reporter, observers)
                if held is not None and held.lost is not None:
                    raise LeaseLost(held.lost)
                return result
    finally:
        status.phase = "stopped"
        use_clock(None)
        if reporter is not None:
            reporter.close()
        if watcher is not None:
            watcher.cancel()


class LeaseLost(Exception):
    """The run stopped (gracefully, orders cancelled) because its lease was lost."""


async def _take_lease(
    stack: contextlib.AsyncExitStack, config: LeaseConfig, graph: Graph, stopper: _Stopper
) -> Any:
    from fortuna._internal.lease import holding

    def lost(reason: str) -> None:
        graph.log.error("lease lost; stopping at once", reason=reason)
        stopper.request("lease lost")

    # A stop signal while waiting for the lease cancels the wait, like a stop while loading.
    taking = asyncio.ensure_future(stack.enter_async_context(holding(config, graph.log, lost)))
    stopper.current = taking
    await asyncio.wait((taking,))
    stopper.current = None
    if taking.cancelled():
        return None
    held = taking.result()  # LeaseHeld or LeaseUnavailable, if so
    graph.service.guard(held.check)
    return held


async def _watch(stop: asyncio.Event, stopper: _Stopper) -> None:
    await stop.wait()
    stopper.request("stop event")


async def _stop_after(duration: float, graph: Graph, stopper: _Stopper) -> None:
    await graph.clock.sleep(duration)
    stopper.request(f"duration of {duration:g} s reached")


async def _report(duration: float, graph: Graph, reporter: Progress) -> None:
    clock = graph.clock
    start = clock.monotonic()
    for step in range(1, reporter.steps + 1):
        await clock.sleep_until(start + duration * step / reporter.steps)
        reporter(min(clock.monotonic() - start, duration), duration)


async def _observe(graph: Graph, observers: Sequence[RunObserver], moment: str) -> None:
    for observer in observers:
        try:
            await asyncio.wait_for(getattr(observer, moment)(graph), OBSERVER_TIMEOUT)
        except Exception as error:
            graph.log.warning("run observer failed", observer=type(observer).__name__,
                              moment=moment, error=f"{type(error).__name__}: {error}")


async def _run(graph: Graph, stopper: _Stopper, duration: float | None,
               status: Status, reporter: Progress | None = None,
               observers: Sequence[RunObserver] = ()) -> Graph:
    status.phase = "loading"
    loading = asyncio.ensure_future(graph.load())
    stopper.current = loading
    await asyncio.wait((loading,))
    if loading.cancelled():  # a stop aborted loading; the graph rolled itself back
        _raise_if_forced(stopper)
        return graph
    loading.result()  # raises the LoadError, if any
    stopper.loading = False
    service = graph.service
    await _observe(graph, observers, "started")
    if stopper.requests:  # a stop arrived just as loading finished
        service.request_stop()
    status.phase = "running"
    running = asyncio.ensure_future(service.run())
    stopper.current = running
    timer = (
        None if duration is None else asyncio.ensure_future(_stop_after(duration, graph, stopper))
    )
    shown = (
        None if duration is None or reporter is None
        else asyncio.ensure_future(_report(duration, graph, reporter))
    )
    try:
        await asyncio.wait((running,))
    finally:
        if timer is not None:
            timer.cancel()
        if shown is not None:
            shown.cancel()
        if not running.done():  # we were cancelled ourselves: stop the service too
            running.cancel()
            await asyncio.wait((running,))
        status.phase = "stopping"
        if stopper.forced_by is None:
            await _observe(graph, observers, "finished")
        await graph.unload()
    _raise_if_forced(stopper)
    if not running.cancelled():
        running.result()  # the service's failure, raised after the graph is unloaded
    return graph


def _raise_if_forced(stopper: _Stopper) -> None:
    if stopper.forced_by is not None:
        raise ForcedStop(stopper.forced_by)
