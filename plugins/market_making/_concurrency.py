"""Awaiting several coroutines at once, with a task only for what has to wait.

``asyncio.gather`` makes a task of every awaitable. A call into an in-process venue (the
simulator) usually ends without ever suspending, and a task costs more than such a call
(creating it, registering it, a turn of the loop to run it, one to wake the caller), so a
tick that places and cancels twenty orders spent more on tasks than on the venue.
:func:`gather` starts the coroutines itself, in argument order, each at once:

- a coroutine's first step runs in this task: the first coroutine in this task's
  context, every other in a copy of it, as a task of its own would run it. One that
  returns there needs no task at all;
- the first one that suspends is carried on here, in this task, to its end (as the
  first awaitable always was): whatever it noted of the running task before it
  suspended (``asyncio.timeout``, an HTTP library's timer, a cancel scope) is the task
  that goes on running it. Every coroutine after it becomes a task, as before;
- a failure: the coroutines not started yet are not started when the first one fails
  in its first step (as its tasks used to be cancelled before they ran), nor when any
  stops the process (``KeyboardInterrupt``, ``SystemExit``); otherwise every coroutine
  is started, those still waiting are cancelled, and the first failure in argument
  order is raised. If this task is cancelled, the others are cancelled too.

Any other awaitable (a future, a task) goes the way of ``asyncio.gather`` with one task
fewer: the first awaited here, the others as tasks.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Coroutine, Generator, Sequence
from types import CoroutineType
from typing import Any, TypeVar

__all__ = ["gather"]

T = TypeVar("T")


async def gather(*awaitables: Awaitable[T]) -> list[T]:
    """Await concurrently, results in argument order (see the module's docstring)."""
    if not awaitables:
        return []
    if len(awaitables) == 1:
        return [await awaitables[0]]
    if not all(type(a) is CoroutineType for a in awaitables):
        return await _in_tasks(awaitables)
    coroutines: Sequence[Coroutine[Any, Any, T]] = awaitables  # type: ignore[assignment]
    results: list[Any] = [None] * len(coroutines)
    failure: BaseException | None = None
    waiting: list[asyncio.Future[Any]] = []  # cleanups of coroutines cancelled after a failure
    for index, coroutine in enumerate(coroutines):
        context = None if index == 0 else contextvars.copy_context()
        try:
            yielded = (coroutine.send(None) if context is None
                       else context.run(coroutine.send, None))
        except StopIteration as stop:
            results[index] = stop.value
            continue
        except BaseException as error:
            if index == 0 or not isinstance(error, Exception | asyncio.CancelledError):
                # the first failing at once, or the process stopping: start no more
                for unstarted in coroutines[index + 1:]:
                    unstarted.close()
                raise
            if failure is None:
                failure = error
            continue
        if failure is not None:
            _cancel(coroutine, yielded, context, waiting)
            continue
        return await _carry_on(coroutines, index, _Rest(coroutine, yielded, context), results)
    if failure is not None:
        await _settled(waiting)
        raise failure
    return results


async def _carry_on(
    coroutines: Sequence[Coroutine[Any, Any, T]], index: int, rest: _Rest[T],
    results: list[Any],
) -> list[T]:
    """Coroutine ``index`` suspended: carried on here, the ones after it as tasks."""
    loop = asyncio.get_running_loop()
    others = [loop.create_task(c) for c in coroutines[index + 1:]]
    results[index:] = await _first_then_others(rest, others)
    return results


async def _in_tasks(awaitables: Sequence[Awaitable[T]]) -> list[T]:
    """Any awaitables: the first awaited here, the others as tasks."""
    return await _first_then_others(
        awaitables[0], [asyncio.ensure_future(a) for a in awaitables[1:]])


async def _first_then_others(first: Awaitable[T], others: Sequence[asyncio.Future[T]]
                             ) -> list[T]:
    """``first`` awaited here, then ``others`` in turn; on a failure (or a cancel) the
    others are cancelled and waited for, and the failure raised."""
    try:
        results = [await first]
        for task in others:
            results.append(await task)
    except BaseException:
        for task in others:
            task.cancel()
        await _settled(others)
        raise
    return results


async def _settled(futures: Sequence[asyncio.Future[Any]]) -> None:
    """Wait for ``futures`` to end; their failures are retrieved (not reported twice)."""
    if not futures:
        return
    await asyncio.wait(futures)
    for future in futures:
        if not future.cancelled():
            future.exception()


def _cancel(coroutine: Coroutine[Any, Any, Any], yielded: Any,
            context: contextvars.Context | None, waiting: list[asyncio.Future[Any]]) -> None:
    """Cancel a coroutine suspended on ``yielded`` (a future, or None), as a task would be
    cancelled: the future too. Its cleanup, if it awaits, goes on as a task added to
    ``waiting``."""
    if isinstance(yielded, asyncio.Future):
        yielded.cancel()
    throw = coroutine.throw if context is None else (
        lambda error: context.run(coroutine.throw, error))
    try:
        again = throw(asyncio.CancelledError())
    except BaseException:  # ended (cancelled, or failed): its outcome is dropped
        return
    waiting.append(asyncio.get_running_loop().create_task(
        _awaited(_Rest(coroutine, again, context)), context=context))


async def _awaited(rest: _Rest[T]) -> T:
    return await rest


class _Rest(Awaitable[T]):
    """The rest of a coroutine that suspended on ``yielded`` in a step run elsewhere:
    awaiting this resumes it and passes on what it waits for, until it returns. Each
    step runs in ``context`` when given (a copy of the caller's, as for a task)."""

    __slots__ = ("_context", "_coroutine", "_yielded")

    def __init__(self, coroutine: Coroutine[Any, Any, T], yielded: Any,
                 context: contextvars.Context | None) -> None:
        self._coroutine = coroutine
        self._yielded = yielded
        self._context = context

    def __await__(self) -> Generator[Any, Any, T]:
        coroutine, yielded, context = self._coroutine, self._yielded, self._context
        while True:
            try:
                sent = yield yielded
            except GeneratorExit:
                coroutine.close()
                raise
            except BaseException as error:
                step: Any = coroutine.throw
                argument: Any = error
            else:
                step, argument = coroutine.send, sent
            try:
                yielded = step(argument) if context is None else context.run(step, argument)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
