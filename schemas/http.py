"""The :class:`HttpClient` interface: a shared, pooled HTTP session (``http.session``).

Components that speak HTTP (REST venues, price aggregators, webhooks) take an
``http: HttpClient`` arg so that one connection pool, with its limits and timeouts, is
shared by all of them and closed with the graph. :class:`RequestSpacing` keeps one
component's requests to a public service at least a given time apart.
"""

from __future__ import annotations

import abc
import asyncio
from typing import TYPE_CHECKING

from fortuna import Interface

if TYPE_CHECKING:
    import aiohttp

__all__ = ["HttpClient", "RequestSpacing"]


class HttpClient(Interface, abc.ABC):
    """A pooled HTTP client shared by every component that references it."""

    @abc.abstractmethod
    def session(self) -> aiohttp.ClientSession:
        """The live aiohttp session (only between ``load`` and ``unload``)."""


class RequestSpacing:
    """Requests to one service at least ``min_interval`` seconds apart, in the order asked.

    Measured on the event loop's monotonic time, not the graph's clock: the service counts
    real seconds whatever clock the mandate runs on. Create it inside the running loop
    (its lock belongs to one loop)."""

    def __init__(self, min_interval: float) -> None:
        self._min_interval = min_interval
        self._gate = asyncio.Lock()
        self._last = float("-inf")

    async def wait_turn(self) -> None:
        """Return when the next request may be sent, and count it as sent now."""
        async with self._gate:
            loop = asyncio.get_running_loop()
            wait = self._last + self._min_interval - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self._last = loop.time()
