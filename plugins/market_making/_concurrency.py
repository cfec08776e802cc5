"""Awaiting several coroutines at once, with one task fewer than ``asyncio.gather``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from types import CoroutineType
from typing import TypeVar

__all__ = ["gather"]

T = TypeVar("T")


async def gather(*awaitables: Awaitable[T]) -> list[T]:
    """Await concurrently, results in argument order: the first in this task, the others
    as tasks awaited in turn, so a call into an in-process venue costs one task less than
    ``asyncio.gather`` and no gathering future. They start in argument order, as with
    ``asyncio.gather``. If one fails (or this task is cancelled), the others are cancelled
    and the first failure is raised."""
    if not awaitables:
        return []
    if len(awaitables) == 1:
        return [await awaitables[0]]
    loop = asyncio.get_running_loop()
    others = [  # a coroutine straight to a task: what ensure_future does, without its checks
        loop.create_task(a) if type(a) is CoroutineType else asyncio.ensure_future(a)
        for a in awaitables[1:]
    ]
    try:
        results = [await awaitables[0]]
        for task in others:
            results.append(await task)
    except BaseException:
        for task in others:
            task.cancel()
        await asyncio.wait(others)
        for task in others:
            if not task.cancelled():
                task.exception()  # retrieved: a second failure is not reported twice
        raise
    return results
