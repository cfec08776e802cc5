"""What a venue that streams offers readers that act on a change: wake-ups, not polling.

A venue whose data comes from websocket streams (``exchanges.ccxt.<id>`` with ``stream``
on, ``exchanges.sim`` with ``stream: true``) provides :class:`UpdateSource` besides
:class:`~schemas.Exchange`. Reads stay the Exchange's own (``fetch_order_book`` serves the
streamed book without a REST call); what this adds is the moment: a reader subscribes to
kinds of update of one market and awaits :meth:`Updates.next`, which returns as soon as
the venue saw one, so the market-making service requotes on a book change or a fill
instead of on its next tick. A venue that does not stream simply does not provide it.
"""

from __future__ import annotations

import abc
from enum import StrEnum

from fortuna import Interface

__all__ = ["UpdateKind", "UpdateSource", "Updates"]


class UpdateKind(StrEnum):
    """What changed."""

    BOOK = "book"
    """The market's order book (a diff applied, or a snapshot after a resync)."""
    TRADE = "trade"
    """A public trade on the market."""
    TICKER = "ticker"
    ORDER = "order"
    """One of the account's orders changed (placed, filled in part, cancelled)."""
    FILL = "fill"
    """One of the account's orders filled, in part or in full."""


class Updates(abc.ABC):
    """A subscription to updates; close it when done."""

    @abc.abstractmethod
    async def next(self) -> list[UpdateKind]:
        """Wait for at least one update; returns the kinds seen since the last call (an
        update that arrives while nobody waits is kept, never lost, and merged)."""

    @abc.abstractmethod
    def close(self) -> None:
        """Stop receiving updates."""


class UpdateSource(Interface, abc.ABC):
    """A venue that can wake a reader when its data changes."""

    @abc.abstractmethod
    def updates(self, symbol: str, kinds: frozenset[UpdateKind]) -> Updates | None:
        """A subscription to ``kinds`` of update of ``symbol``, or None when none of them
        is streamed here (the reader then keeps to its own interval)."""
