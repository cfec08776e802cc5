"""The tick loop on the virtual clock: cadence without drift, skipped ticks, failures, stop."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError

from fortuna import Context, TickArgs
from fortuna._internal.clock import VirtualClock, VirtualClockArgs
from fortuna._internal.ticker import Ticker, TickerFailed
from tests.runtime.runtime_parts import JOURNALS, Journal, RecordingTickArgs, RecordingTicks


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(VirtualClockArgs())


@pytest.fixture
def journal(request: pytest.FixtureRequest) -> Journal:
    JOURNALS[request.node.name] = Journal()
    return JOURNALS[request.node.name]


def service(clock: VirtualClock, journal: Journal, **args: object) -> RecordingTicks:
    key = next(k for k, v in JOURNALS.items() if v is journal)
    return RecordingTicks(
        RecordingTickArgs.model_validate({"journal": key, **args}),
        Context(name="mm", clock=clock),
    )


async def test_ticks_fall_on_start_plus_k_intervals_even_when_ticks_take_time(
    clock: VirtualClock, journal: Journal
) -> None:
    mm = service(clock, journal, interval=0.1, tick_seconds=0.03, stop_after=1000)
    await mm.run()
    # No drift: the thousandth tick is at exactly 999 intervals, not 999 * (0.1 + 0.03).
    assert mm.times[-1] == pytest.approx(99.9, abs=1e-9)
    assert all(t == pytest.approx(k * 0.1, abs=1e-9) for k, t in enumerate(mm.times))
    assert mm.ticker.skipped == 0


async def test_a_slow_tick_delays_the_next_which_then_runs_at_once(
    clock: VirtualClock,
) -> None:
    times: list[float] = []

    async def tick() -> None:
        times.append(clock.monotonic())
        if len(times) == 2:
            await clock.sleep(1.5)  # one and a half intervals
        if len(times) == 4:
            ticker.request_stop()

    ticker = Ticker(tick, 1.0, clock=clock)
    await ticker.run()
    assert times == [0.0, 1.0, 2.5, 3.0]
    assert ticker.skipped == 0


async def test_missed_ticks_are_skipped_and_counted_never_bunched(clock: VirtualClock) -> None:
    times: list[float] = []

    async def tick() -> None:
        times.append(clock.monotonic())
        if len(times) == 2:
            await clock.sleep(3.5)  # slots 2, 3 and 4 pass while this tick runs
        if len(times) == 4:
            ticker.request_stop()

    ticker = Ticker(tick, 1.0, clock=clock)
    await ticker.run()
    # The tick ending at 4.5 is followed by one late tick (slot 4), then slot 5 on time.
    assert times == [0.0, 1.0, 4.5, 5.0]
    assert ticker.skipped == 2
    assert ticker.ticks == 4


async def test_a_failing_tick_is_logged_and_the_loop_goes_on(
    clock: VirtualClock, journal: Journal
) -> None:
    mm = service(clock, journal, interval=1, fail_ticks=[1, 3], stop_after=6)
    await mm.run()
    assert len(mm.times) == 6
    assert mm.ticker.failures == 2
    assert mm.ticker.consecutive_failures == 0


async def test_the_loop_stops_with_an_error_after_too_many_failures_in_a_row(
    clock: VirtualClock, journal: Journal
) -> None:
    mm = service(clock, journal, interval=1, fail_ticks=[2, 3, 4, 5], max_consecutive_failures=3)
    with pytest.raises(TickerFailed, match="3 consecutive failed ticks") as caught:
        await mm.run()
    assert isinstance(caught.value.__cause__, ValueError)
    assert len(mm.times) == 5  # ticks 0 and 1 succeed, 2, 3, 4 fail, then it stops
    assert journal.events[-1] == "on_stop:5"  # resting orders are still cancelled


async def test_a_success_resets_the_consecutive_failure_count(
    clock: VirtualClock, journal: Journal
) -> None:
    mm = service(
        clock,
        journal,
        interval=1,
        fail_ticks=[0, 1, 3, 4, 6, 7],
        max_consecutive_failures=3,
        stop_after=9,
    )
    await mm.run()
    assert mm.ticker.failures == 6
    assert len(mm.times) == 9


async def test_request_stop_interrupts_the_sleep_between_ticks_at_once(
    clock: VirtualClock, journal: Journal
) -> None:
    mm = service(clock, journal, interval=3600)
    running = asyncio.ensure_future(mm.run())
    while not mm.times:  # noqa: ASYNC110 (the first tick runs as soon as run() starts)
        await asyncio.sleep(0)
    await clock.advance(10)
    mm.request_stop()
    await asyncio.wait_for(running, timeout=5)
    assert clock.monotonic() == 10  # it did not wait for the next hour
    assert mm.times == [0.0]


async def test_request_stop_never_interrupts_a_tick_in_progress(clock: VirtualClock) -> None:
    events: list[str] = []

    async def tick() -> None:
        events.append("tick-start")
        ticker.request_stop()
        await clock.sleep(5)
        events.append("tick-end")

    ticker = Ticker(tick, 1.0, clock=clock)
    await ticker.run()
    assert events == ["tick-start", "tick-end"]
    assert clock.monotonic() == 5


async def test_on_start_runs_before_the_first_tick_and_on_stop_once_after_the_last(
    clock: VirtualClock, journal: Journal
) -> None:
    mm = service(clock, journal, interval=1, stop_after=3)
    await mm.run()
    assert journal.events == ["on_start:", "on_stop:3"]


async def test_a_stop_requested_before_run_runs_no_tick(
    clock: VirtualClock, journal: Journal
) -> None:
    mm = service(clock, journal, interval=1)
    mm.request_stop()
    await mm.run()
    assert mm.times == []
    assert journal.events == ["on_start:", "on_stop:0"]


async def test_a_background_ticker_runs_while_loaded_and_stops_on_request(
    clock: VirtualClock,
) -> None:
    count = 0

    async def tick() -> None:
        nonlocal count
        count += 1

    ticker = Ticker(tick, 60, clock=clock)
    ticker.start()
    await clock.sleep(600)
    await ticker.stop()
    assert count == 10  # at 0, 60, ..., 540; the stop at 600 comes before that tick
    assert clock.pending == 0


async def test_a_ticker_started_after_a_first_call_runs_it_once_at_the_start(
    clock: VirtualClock,
) -> None:
    times: list[float] = []

    async def tick() -> None:
        times.append(clock.monotonic())

    ticker = await Ticker.started_after_first(tick, 60, clock=clock)
    assert len(times) == 1  # already called before the loop runs
    await clock.sleep(600)
    await ticker.stop()
    start = times[0]
    assert [t - start for t in times] == [0, 60, 120, 180, 240, 300, 360, 420, 480, 540]


async def test_a_ticker_started_after_a_failing_first_call_is_never_started(
    clock: VirtualClock,
) -> None:
    async def tick() -> None:
        raise RuntimeError("the first call failed")

    with pytest.raises(RuntimeError, match="the first call failed"):
        await Ticker.started_after_first(tick, 60, clock=clock)
    assert clock.pending == 0


async def test_a_day_of_one_second_ticks_rehearses_on_the_virtual_clock(
    clock: VirtualClock, journal: Journal
) -> None:
    mm = service(clock, journal, interval="1s", stop_after=86_400)
    await mm.run()
    assert len(mm.times) == 86_400
    assert clock.now().isoformat() == "2026-01-01T23:59:59+00:00"


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ({"interval": 0}, "greater than 0"),
        ({"interval": "soon"}, "expected a duration"),
        ({"interval": 1, "max_consecutive_failures": 0}, "greater than or equal to 1"),
        ({}, "interval"),
    ],
)
def test_tick_args_refuse_a_bad_interval_or_failure_limit(
    args: dict[str, object], problem: str
) -> None:
    with pytest.raises(ValidationError, match=problem):
        TickArgs.model_validate(args)


def test_ticker_refuses_a_non_positive_interval(clock: VirtualClock) -> None:
    async def noop() -> None:
        return None

    with pytest.raises(ValueError, match="must be a finite positive number"):
        Ticker(noop, 0, clock=clock)


class Throttled(Exception):
    """A venue's rate limit: says when to come back."""

    def __init__(self, retry_after: float | None) -> None:
        super().__init__("over the rate limit")
        self.retry_after = retry_after


async def test_a_throttled_tick_is_not_a_failure_and_slows_the_loop(
    clock: VirtualClock,
) -> None:
    times: list[float] = []

    async def tick() -> None:
        times.append(clock.monotonic())
        if len(times) <= 3:
            raise Throttled(retry_after=2.5)
        if len(times) == 6:
            ticker.request_stop()

    ticker = Ticker(tick, 1.0, clock=clock, max_consecutive_failures=1)
    await ticker.run()  # max_consecutive_failures=1: any counted failure would raise
    assert ticker.failures == 0
    assert ticker.throttled == 3
    # on the 1 s grid, never before retry_after; the stride doubles (2, 4, 8), then halves
    assert times == [0.0, 3.0, 7.0, 15.0, 19.0, 21.0]


async def test_a_throttled_tick_without_retry_after_still_backs_off(
    clock: VirtualClock,
) -> None:
    times: list[float] = []

    async def tick() -> None:
        times.append(clock.monotonic())
        if len(times) == 1:
            raise Throttled(retry_after=None)
        ticker.request_stop()

    ticker = Ticker(tick, 1.0, clock=clock)
    await ticker.run()
    assert times == [0.0, 2.0]
