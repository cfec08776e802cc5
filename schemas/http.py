"""The :class:`HttpClient` interface: a shared, pooled HTTP session (``http.session``).

Components that speak HTTP (REST venues, price aggregators, webhooks) take an
``http: HttpClient`` arg so that one connection pool, with its limits and timeouts, is
shared by all of them and closed with the graph.
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

from fortuna import Interface

if TYPE_CHECKING:
    import aiohttp

__all__ = ["HttpClient"]


class HttpClient(Interface, abc.ABC):
    """A pooled HTTP client shared by every component that references it."""

    @abc.abstractmethod
    def session(self) -> aiohttp.ClientSession:
        """The live aiohttp session (only between ``load`` and ``unload``)."""
