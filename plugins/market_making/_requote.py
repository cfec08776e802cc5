"""Requoting on a streamed change: the market-making service's ``requote_on``.

A service quotes on its tick. With ``requote_on`` (``book``, ``fill``) and a venue that
streams those updates (:class:`schemas.streams.UpdateSource`), it also quotes as soon as
one arrives: the same pipeline as a tick (kill switches, reference, reads, strategy,
executor), run by this background task, never concurrently with a tick (one lock), and
at most once per ``min_interval`` of the clock: updates that arrive meanwhile are merged
into the next requote, never queued one by one, so a busy book cannot make the service
spend the venue's rate limit.

Stopping waits for a requote in progress to finish (an order being placed is never cut
off halfway, its outcome unknown); a requote that fails is logged and reported to the
kill switches like a failed tick, and the next update tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from fortuna import Clock, Logger
from schemas.streams import UpdateKind, Updates

__all__ = ["Requoter"]


class Requoter:
    """Runs ``requote`` after each streamed update, spaced by ``min_interval``."""

    def __init__(self, updates: Updates, requote: Callable[[list[UpdateKind]], Awaitable[None]],
                 *, clock: Clock, log: Logger, min_interval: float) -> None:
        self.updates = updates
        self.requote = requote
        self.clock = clock
        self.log = log
        self.min_interval = min_interval
        self.requotes = 0
        self._busy = False
        self._stopping = False
        self._last: float | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while not self._stopping:
            kinds = await self.updates.next()
            if self._last is not None:
                wait = self._last + self.min_interval - self.clock.monotonic()
                if wait > 0:
                    await self.clock.sleep(wait)  # a stop meanwhile cancels it
            self._busy = True
            try:
                self._last = self.clock.monotonic()
                self.requotes += 1
                await self.requote(kinds)
            except Exception as exc:
                self.log.warning("requote failed", error=f"{type(exc).__name__}: {exc}",
                                 on=[str(kind) for kind in kinds])
            finally:
                self._busy = False

    async def stop(self) -> None:
        """Stop after the requote in progress, if any; no new one starts."""
        self._stopping = True
        self.updates.close()
        task, self._task = self._task, None
        if task is None:
            return
        if not self._busy:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
