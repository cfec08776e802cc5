"""The clock interface: the one source of time and sleep for a whole graph.

It lives apart from the clock implementations so that validating a mandate (which must
know whether a component is a clock) imports neither asyncio nor the runtime.
"""

from __future__ import annotations

import abc
from datetime import datetime

from fortuna._internal.component import Interface

__all__ = ["Clock"]


class Clock(Interface, abc.ABC):
    """The source of time and sleep for a whole graph."""

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
