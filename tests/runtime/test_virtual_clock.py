"""Clocks: the virtual clock jumps to the next wakeup once nothing else can run."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest

from fortuna import Clock
from fortuna._internal.clock import VirtualClock, VirtualClockArgs, WallClock
from fortuna._internal.component import NoArgs


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(VirtualClockArgs())


async def test_an_hour_of_virtual_sleep_takes_no_real_time(clock: VirtualClock) -> None:
    started = time.perf_counter()
    await clock.sleep(3600)
    assert clock.monotonic() == 3600
    assert time.perf_counter() - started < 1


def test_virtual_time_starts_at_the_configured_instant() -> None:
    clock = VirtualClock(VirtualClockArgs.model_validate({"start": "2030-05-01T12:00:00"}))
    assert clock.now() == datetime(2030, 5, 1, 12, tzinfo=UTC)
    assert clock.time() == datetime(2030, 5, 1, 12, tzinfo=UTC).timestamp()
    assert clock.monotonic() == 0


def test_by_default_virtual_time_starts_on_new_year_2026(clock: VirtualClock) -> None:
    assert clock.now() == datetime(2026, 1, 1, tzinfo=UTC)


async def test_concurrent_sleepers_wake_in_deadline_order(clock: VirtualClock) -> None:
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock.monotonic()))

    await asyncio.gather(sleeper("c", 3), sleeper("a", 1), sleeper("b", 2), sleeper("a2", 1))
    assert woke == [("a", 1), ("a2", 1), ("b", 2), ("c", 3)]


async def test_time_stands_still_while_any_task_can_still_run(clock: VirtualClock) -> None:
    seen: set[float] = set()

    async def busy() -> None:
        for _ in range(1000):
            seen.add(clock.monotonic())
            await asyncio.sleep(0)

    await asyncio.gather(busy(), clock.sleep(5))
    assert seen == {0.0}
    assert clock.monotonic() == 5


async def test_a_cancelled_sleep_does_not_move_time(clock: VirtualClock) -> None:
    long_sleep = asyncio.ensure_future(clock.sleep(1000))
    await asyncio.sleep(0)
    long_sleep.cancel()
    await clock.sleep(1)
    assert clock.monotonic() == 1
    assert clock.pending == 0


async def test_sleeping_until_a_past_deadline_returns_at_once(clock: VirtualClock) -> None:
    await clock.sleep(10)
    await clock.sleep_until(5)
    assert clock.monotonic() == 10


async def test_unload_stops_the_driver_and_a_later_sleep_restarts_it(clock: VirtualClock) -> None:
    await clock.sleep(1)
    await clock.unload()
    await clock.sleep(1)
    assert clock.monotonic() == 2
    await clock.unload()


def test_both_clocks_provide_the_clock_interface(clock: VirtualClock) -> None:
    assert isinstance(clock, Clock)
    assert isinstance(WallClock(NoArgs()), Clock)


async def test_the_wall_clock_tells_real_utc_time_and_sleeps_for_real() -> None:
    wall = WallClock(NoArgs())
    assert wall.now().tzinfo is UTC
    assert abs(wall.time() - time.time()) < 1
    started = wall.monotonic()
    await wall.sleep_until(started + 0.05)
    assert wall.monotonic() - started >= 0.04


async def test_two_virtual_clocks_on_one_loop_both_move(clock: VirtualClock) -> None:
    other = VirtualClock(VirtualClockArgs())
    await asyncio.wait_for(asyncio.gather(clock.sleep(5), other.sleep(3)), timeout=10)
    assert (clock.monotonic(), other.monotonic()) == (5, 3)


# --- wake_at: a wake-up future a loop can cancel without cancelling its own task -------


async def test_a_virtual_wake_up_is_done_when_time_reaches_its_deadline(
    clock: VirtualClock,
) -> None:
    wake = clock.wake_at(30)
    assert not wake.done()
    await wake
    assert clock.monotonic() == 30


async def test_a_virtual_wake_up_already_due_is_done_on_the_next_turn_not_at_once(
    clock: VirtualClock,
) -> None:
    wake = clock.wake_at(0)
    assert not wake.done()  # a suspension point, like a zero sleep
    await asyncio.sleep(0)
    assert wake.done()
    assert clock.monotonic() == 0


async def test_cancelling_a_virtual_wake_up_leaves_the_other_sleepers_waking_in_order(
    clock: VirtualClock,
) -> None:
    first, second = clock.wake_at(5), clock.wake_at(10)
    first.cancel()
    await second
    assert first.cancelled()
    assert clock.monotonic() == 10
    assert clock.pending == 0


def test_virtual_and_wall_clocks_say_whether_they_are_virtual(clock: VirtualClock) -> None:
    assert clock.virtual
    assert not WallClock(NoArgs()).virtual


async def test_a_wall_wake_up_is_done_after_its_deadline() -> None:
    wall = WallClock(NoArgs())
    started = wall.monotonic()
    await wall.wake_at(started + 0.05)
    assert wall.monotonic() - started >= 0.04


async def test_cancelling_a_wall_wake_up_ends_that_wait_at_once() -> None:
    wall = WallClock(NoArgs())
    wake = wall.wake_at(wall.monotonic() + 3600)
    started = time.perf_counter()
    wake.cancel()
    with pytest.raises(asyncio.CancelledError):
        await wake
    assert time.perf_counter() - started < 1


class _SleepOnlyClock(Clock):
    """A clock that implements the abstract methods only (a third party's, say)."""

    def __init__(self) -> None:
        self.slept_until: list[float] = []

    def time(self) -> float:
        return 0.0

    def now(self) -> datetime:
        return datetime(2026, 1, 1, tzinfo=UTC)

    def monotonic(self) -> float:
        return 0.0

    async def sleep(self, seconds: float) -> None:
        await self.sleep_until(seconds)

    async def sleep_until(self, deadline: float) -> None:
        self.slept_until.append(deadline)
        await asyncio.sleep(0)


async def test_any_clock_wakes_through_its_own_sleep_until_by_default() -> None:
    other = _SleepOnlyClock()
    await other.wake_at(7.5)
    assert other.slept_until == [7.5]
    assert not other.virtual
