"""The clock interface: the one source of time and sleep for a whole graph.

It lives apart from the clock implementations so that validating a mandate (which must
know whether a component is a clock) imports neither asyncio nor the runtime.
"""

from __future__ import annotations

import abc
from datetime import datetime
from typing import TYPE_CHECKING

from fortuna._internal.component import Interface

if TYPE_CHECKING:
    import asyncio

__all__ = ["Clock"]


class Clock(Interface, abc.ABC):
    """The source of time and sleep for a whole graph."""

    @property
    def virtual(self) -> bool:
        """True when time moves only while the event loop has nothing to run (a rehearsal).

        On such a clock a blocking call costs no time at all, while work handed to a thread
        is invisible to it (time jumps on meanwhile) and, as the loop never idles, pays for
        a switch of the interpreter lock each way: a component may do short blocking work
        in place instead.
        """
        return False

    @abc.abstractmethod
    def time(self) -> float:
        """Seconds since the epoch (UTC). Time, never money: a float is fine here."""

    @abc.abstractmethod
    def now(self) -> datetime:
        """The current time as a timezone-aware UTC datetime."""

    @abc.abstractmethod
    def monotonic(self) -> float:
        """A clock that never goes back, for intervals and deadlines."""

    @abc.abstractmethod
    async def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` of this clock's time. Cancellable."""

    @abc.abstractmethod
    async def sleep_until(self, deadline: float) -> None:
        """Sleep until ``monotonic()`` reaches ``deadline``. Cancellable."""

    def wake_at(self, deadline: float) -> asyncio.Future[None]:
        """A future done when ``monotonic()`` reaches ``deadline`` (on the next turn of the
        loop if it has already). Cancelling it ends that wait and nothing else, so a loop
        can stop its own sleep from outside without cancelling the task that sleeps.

        This default runs :meth:`sleep_until` as a task of its own; the clocks of this
        package answer with a bare future instead, which costs no task and no extra turn
        of the loop per sleep.
        """
        import asyncio

        return asyncio.ensure_future(self.sleep_until(deadline))
