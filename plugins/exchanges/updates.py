"""The wake-up a streaming venue hands a reader (:class:`schemas.streams.Updates`).

One implementation for every venue that streams (``exchanges.ccxt.<id>`` with ``stream``,
``exchanges.sim`` with ``stream: true``): updates pushed while nobody waits are kept and
merged (each kind once), never lost and never queued one by one, so a reader that wakes
late sees everything that changed in one call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from schemas.streams import UpdateKind, Updates

__all__ = ["UpdateQueue"]


class UpdateQueue(Updates):
    """Updates of ``kinds`` for ``symbol``; ``on_close`` unsubscribes it at its venue."""

    def __init__(self, symbol: str, kinds: frozenset[UpdateKind],
                 on_close: Callable[[UpdateQueue], None]) -> None:
        self.symbol = symbol
        self.kinds = kinds
        self._on_close = on_close
        self._pending: list[UpdateKind] = []
        self._event = asyncio.Event()

    def push(self, kinds: Iterable[UpdateKind]) -> None:
        """Record ``kinds`` that changed (those this subscriber wants) and wake it."""
        for kind in kinds:
            if kind in self.kinds and kind not in self._pending:
                self._pending.append(kind)
                self._event.set()

    async def next(self) -> list[UpdateKind]:
        await self._event.wait()
        self._event.clear()
        kinds, self._pending = self._pending, []
        return kinds

    def close(self) -> None:
        self._on_close(self)
