"""An endpoint client's plumbing, the same in every on-chain family.

A family's client (web3.py, solana-py, multiversx-sdk) is checked at load to serve the
network the mandate names (:func:`identified`: a URL pasted wrong never signs for another
chain), and closed again when it does not or cannot say. It exists only while its component is
loaded; asking for it otherwise is a programming error, reported with the component's name.
Every call to it is awaited through :func:`translated`, so a failure leaves the family as
the project's error (``NetworkError``, ``RequestTimeout``… from the family's translator),
with the library's exception kept as its cause; an error that is already the project's
passes through untouched. A sent transaction is confirmed by :func:`poll`: the endpoint is
asked again every ``every`` seconds, and once more at ``within``, after which the outcome is
*unknown* to the caller (it may still land), never "failed".
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from schemas import ExchangeError

__all__ = ["Translate", "identified", "loaded", "poll", "translated"]

T = TypeVar("T")


class Translate(Protocol):
    """A family's translator: the project's error for a library's failure."""

    def __call__(self, error: BaseException, *, venue: str | None = None) -> ExchangeError: ...


def loaded(value: T | None, component: str) -> T:
    """``value`` (a client, a key) that ``component`` holds only while it is loaded."""
    if value is None:
        raise RuntimeError(f"{component} is not loaded")
    return value


def _never(error: BaseException) -> bool:
    return False


async def translated(call: Awaitable[T], translate: Translate, *, venue: str,
                     also: Callable[[BaseException], bool] = _never) -> T:
    """The result of ``call``; its failure as ``translate`` says, from the library's error.
    Only ``Exception`` is translated, and what ``also`` accepts (a library that raises a
    ``BaseException`` for a malformed answer); cancellation and exits pass through."""
    try:
        return await call
    except ExchangeError:
        raise
    except BaseException as error:
        if not isinstance(error, Exception) and not also(error):
            raise
        raise translate(error, venue=venue) from error


async def identified(served: Awaitable[T], expected: T | None, *,
                     mismatch: Callable[[T], ExchangeError],
                     close: Callable[[], Awaitable[Any]] | None = None) -> T:
    """The network a new client's endpoint serves (``served``, a translated call), checked
    against the mandate's ``expected`` (None: not checked); ``mismatch(served)`` is raised
    when they differ. The client is closed (``close``) before either failure leaves."""
    try:
        network = await served
        if expected is not None and network != expected:
            raise mismatch(network)
    except BaseException:
        if close is not None:
            await close()
        raise
    return network


async def poll(check: Callable[[], Awaitable[T | None]], *, every: float,
               within: float) -> T | None:
    """The first answer of ``check`` that is not None, asked every ``every`` seconds; None
    when there is none ``within`` seconds (asked once more when the time is up)."""
    loop = asyncio.get_running_loop()
    until = loop.time() + within
    while True:
        found = await check()
        if found is not None:
            return found
        if loop.time() >= until:
            return None
        await asyncio.sleep(every)
