"""The journal of a parent order: write-ahead entries in a sink that can read them back.

Each entry is written *and flushed* before the service goes on (:meth:`Journal.save`
returns once the row is stored), because a restart trusts the stored entry: the child
order an entry names as ``pending`` is the only one a restarted mandate has to look up on
the venue, which holds only if no child is ever sent before the entry naming it is stored.
A journal write that fails therefore fails the tick, and no child is sent on it.

Without a journal (``journal`` omitted) nothing is stored: a restart starts the parent
order over, after cancelling the child orders an earlier run left.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime

from plugins.execution._progress import Progress
from schemas.execution import ProgressRecord, ProgressStore

__all__ = ["Journal"]


@dataclass(eq=False, slots=True)
class Journal:
    """Writes and reads the entries of one mandate's parent order on one market."""

    store: ProgressStore | None
    _: KW_ONLY
    mandate: str
    venue: str
    symbol: str
    algorithm: str
    writes: int = field(default=0, init=False)
    """Entries stored so far."""

    async def latest(self) -> ProgressRecord | None:
        """The stored entry with the highest sequence (None without a journal or entry)."""
        if self.store is None:
            return None
        return await self.store.read_progress(self.mandate, self.venue, self.symbol)

    async def save(self, progress: Progress, now: datetime) -> None:
        """Store the next entry for ``progress``; returns once it is stored."""
        if self.store is None:
            return
        record = progress.record(mandate=self.mandate, venue=self.venue, symbol=self.symbol,
                                 algorithm=self.algorithm, now=now)
        await self.store.write([record])
        await self.store.flush()
        self.writes += 1
