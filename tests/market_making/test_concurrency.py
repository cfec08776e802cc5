"""plugins.market_making._concurrency.gather: coroutines started at once, in order, a task
only for those after the first that suspends; failures and cancellation as asyncio.gather."""

from __future__ import annotations

import asyncio
import contextvars

import pytest

from plugins.market_making._concurrency import gather

NOTE: contextvars.ContextVar[str] = contextvars.ContextVar("note", default="unset")


async def returns(value: int, log: list[str] | None = None) -> int:
    if log is not None:
        log.append(f"start {value}")
    return value


async def test_coroutines_that_never_suspend_need_no_task() -> None:
    tasks: list[asyncio.Task[object] | None] = []

    async def job(number: int) -> int:
        tasks.append(asyncio.current_task())
        return number

    assert await gather(job(1), job(2), job(3)) == [1, 2, 3]
    assert tasks == [asyncio.current_task()] * 3


async def test_a_coroutine_that_suspends_goes_on_in_the_task_it_started_in() -> None:
    seen: list[tuple[str, asyncio.Task[object] | None]] = []

    async def suspends() -> int:
        seen.append(("before", asyncio.current_task()))
        await asyncio.sleep(0)
        seen.append(("after", asyncio.current_task()))
        return 2

    assert await gather(returns(1), suspends(), returns(3)) == [1, 2, 3]
    assert seen == [("before", asyncio.current_task()), ("after", asyncio.current_task())]


async def test_a_timeout_entered_before_suspending_times_out_the_coroutine_alone() -> None:
    async def slow() -> str:
        try:
            async with asyncio.timeout(0.01):
                await asyncio.sleep(10)
        except TimeoutError:
            return "timed out"
        return "finished"

    assert await gather(returns(1), slow(), returns(3)) == [1, "timed out", 3]
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0


async def test_each_coroutine_after_the_first_runs_in_its_own_copy_of_the_context() -> None:
    async def notes(value: str) -> str:
        NOTE.set(value)
        await asyncio.sleep(0)
        return NOTE.get()

    async def reads() -> str:
        return NOTE.get()

    NOTE.set("caller")
    assert await gather(reads(), notes("second"), reads(), notes("fourth")) == [
        "caller", "second", "caller", "fourth"]
    assert NOTE.get() == "caller"


async def test_gather_starts_in_order_whether_or_not_they_suspend() -> None:
    log: list[str] = []

    async def sleeps(value: int, pause: float) -> int:
        log.append(f"start {value}")
        await asyncio.sleep(pause)
        log.append(f"end {value}")
        return value

    result = await gather(returns(1, log), sleeps(2, 0.02), sleeps(3, 0), returns(4, log))
    assert result == [1, 2, 3, 4]
    assert log[:4] == ["start 1", "start 2", "start 3", "start 4"]
    assert log[4:] == ["end 3", "end 2"]


async def test_a_first_coroutine_failing_at_once_leaves_the_others_unstarted() -> None:
    log: list[str] = []

    async def fails() -> int:
        raise ValueError("first")

    with pytest.raises(ValueError, match="first"):
        await gather(fails(), returns(2, log), returns(3, log))
    assert log == []


async def test_a_later_coroutine_failing_at_once_still_lets_the_rest_start() -> None:
    log: list[str] = []
    cancelled: list[str] = []

    async def fails() -> int:
        raise ValueError("second")

    async def waits() -> int:
        log.append("start waits")
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append("waits")
            raise
        return 4

    with pytest.raises(ValueError, match="second"):
        await gather(returns(1, log), fails(), returns(3, log), waits())
    assert log == ["start 1", "start 3", "start waits"]
    assert cancelled == ["waits"]


async def test_a_failure_after_suspending_cancels_the_others() -> None:
    cancelled: list[int] = []

    async def fails_later() -> int:
        await asyncio.sleep(0.01)
        raise ValueError("late")

    async def waits(number: int) -> int:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(number)
            raise
        return number

    with pytest.raises(ValueError, match="late"):
        await gather(returns(1), fails_later(), waits(3), waits(4))
    assert sorted(cancelled) == [3, 4]


async def test_futures_are_gathered_too() -> None:
    loop = asyncio.get_running_loop()
    done: asyncio.Future[int] = loop.create_future()
    loop.call_soon(done.set_result, 2)
    assert await gather(returns(1), done) == [1, 2]


async def test_a_later_coroutine_stopping_the_process_at_once_starts_no_more() -> None:
    log: list[str] = []

    async def interrupted() -> int:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        await gather(returns(1, log), interrupted(), returns(3, log))
    assert log == ["start 1"]


async def test_cancelling_the_gathering_task_cancels_the_carried_coroutine_and_the_others(
) -> None:
    cancelled: list[str] = []
    started = asyncio.Event()

    async def waits(name: str) -> str:
        started.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(name)
            raise
        return name

    gathering = asyncio.ensure_future(gather(returns(1), waits("carried"), waits("task")))
    await started.wait()
    await asyncio.sleep(0)  # the one after the carried coroutine has started as a task
    gathering.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gathering
    assert sorted(cancelled) == ["carried", "task"]
