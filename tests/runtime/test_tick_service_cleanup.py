"""A tick service cleans up after itself whichever way it fails."""

from __future__ import annotations

import pytest

from fortuna import Context, TickArgs, TickService
from fortuna._internal.clock import VirtualClock, VirtualClockArgs


class Recorder(TickService[TickArgs]):
    """Records its hooks; fails where told to."""

    fail_start = False
    fail_stop = False

    def __init__(self) -> None:
        clock = VirtualClock(VirtualClockArgs(), Context(name="clock"))
        super().__init__(TickArgs(interval=1, max_consecutive_failures=1),
                         Context(name="svc", clock=clock))
        self.calls: list[str] = []

    async def on_start(self) -> None:
        self.calls.append("on_start")
        if self.fail_start:
            raise ConnectionError("could not recover the earlier run's orders")

    async def tick(self) -> None:
        self.calls.append("tick")
        raise TimeoutError("venue timed out")

    async def on_stop(self) -> None:
        self.calls.append("on_stop")
        if self.fail_stop:
            raise RuntimeError("cancel failed")


async def test_on_stop_runs_when_on_start_fails() -> None:
    service = Recorder()
    service.fail_start = True
    with pytest.raises(ConnectionError):
        await service.run()
    assert service.calls == ["on_start", "on_stop"]


async def test_a_failing_on_stop_does_not_hide_the_original_failure() -> None:
    service = Recorder()
    service.fail_start = True
    service.fail_stop = True
    with pytest.raises(ConnectionError):
        await service.run()
    assert service.calls == ["on_start", "on_stop"]
