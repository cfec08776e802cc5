"""schemas.http.RequestSpacing: requests to one service kept a minimum time apart."""

from __future__ import annotations

import asyncio
import itertools

from schemas.http import RequestSpacing

# asyncio may run a timer up to its clock's resolution early.
SLACK = 1e-6


async def test_the_first_request_goes_at_once() -> None:
    spacing = RequestSpacing(60.0)
    await asyncio.wait_for(spacing.wait_turn(), timeout=1.0)


async def test_each_later_request_waits_out_the_interval_since_the_one_before() -> None:
    loop = asyncio.get_running_loop()
    spacing = RequestSpacing(0.05)
    turns = []
    for _ in range(3):
        await spacing.wait_turn()
        turns.append(loop.time())
    assert all(later - earlier >= 0.05 - SLACK for earlier, later in itertools.pairwise(turns))


async def test_concurrent_requests_take_their_turns_one_interval_apart() -> None:
    loop = asyncio.get_running_loop()
    spacing = RequestSpacing(0.05)
    turns: list[float] = []

    async def request() -> None:
        await spacing.wait_turn()
        turns.append(loop.time())

    await asyncio.gather(request(), request(), request())
    assert len(turns) == 3
    assert all(later - earlier >= 0.05 - SLACK for earlier, later in itertools.pairwise(turns))
