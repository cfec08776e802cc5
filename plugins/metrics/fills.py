"""``metrics.fills``: every fill an executor reports, stored once in every sink.

The collector reads fills from a :class:`~schemas.metrics.FillSource` by cursor and keeps
one cursor per sink, advanced only once that sink took the fills. A sink that was down or
full is sent the same fills again on a later tick while the others carry on; each fill's
record id is derived from the fill, so a resent fill is never stored twice. On unload the
collector drains what the source holds before the sinks are unloaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from pydantic import Field

from fortuna import Duration
from plugins.metrics._collector import Collector, CollectorArgs, deliver
from schemas import Fill
from schemas.metrics import FillRecord, FillSource, MetricRecord

__all__ = ["FillsArgs", "FillsCollector"]


class FillsArgs(CollectorArgs):
    source: FillSource = Field(description="what reports the fills, usually the executor")
    venue: str | None = Field(
        None, description="venue label on the records (default: what the source reports)"
    )
    page_size: int = Field(1000, ge=1, le=100_000, description="fills read per request")
    interval: Annotated[Duration, Field(gt=0)] = Field(
        1.0, description='time between reads of the source, e.g. "1s"'
    )


class FillsCollector(Collector[FillsArgs]):
    """Stores every fill an executor reports (price, amount, fee, side) in sinks, once."""

    _cursors: list[int] | None = None
    missed = 0
    """Fills the source had already forgotten when asked (each one reported loudly)."""
    unstorable = 0
    """Fills that could not become a record and were skipped (each one reported loudly)."""
    _checked = 0
    """The number of the first fill not yet turned into a record (each fill is reported and
    counted once, even when a sink that failed is sent its page again)."""

    @property
    def cursors(self) -> list[int]:
        """Per sink, the number of the first fill it has not taken yet."""
        if self._cursors is None:
            self._cursors = [0] * len(self.args.sinks)
        return self._cursors

    async def unload(self) -> None:
        await super().unload()
        await self.tick()  # the fills since the last tick, while the sinks are still loaded

    async def collect(self) -> Sequence[MetricRecord]:
        return ()  # tick reads and delivers by cursor itself

    def record(self, fill: Fill, venue: str) -> FillRecord:
        return FillRecord(
            mandate=self.args.mandate,
            venue=venue,
            timestamp=fill.timestamp,
            symbol=str(fill.symbol),
            fill_id=fill.id,
            order_id=fill.order_id,
            client_order_id=fill.client_order_id,
            side=fill.side.value,
            price=fill.price,
            amount=fill.amount,
            fee=fill.fee,
            fee_currency=fill.fee_currency,
            liquidity=fill.liquidity.value if fill.liquidity is not None else None,
        )

    async def tick(self) -> None:
        """Read pages from the lowest sink cursor until the source is drained or a sink fails."""
        try:
            while await self._page():
                pass
        except Exception as exc:
            self.failed_samples += 1
            self.log.error("metrics sample failed", error=f"{type(exc).__name__}: {exc}")

    async def _page(self) -> bool:
        """One page to the sinks behind on it; True if another page may follow."""
        source, sinks, cursors = self.args.source, self.args.sinks, self.cursors
        low = min(cursors)
        page = await source.fills_since(low, self.args.page_size)
        self.samples += 1
        first = page.next_cursor - len(page.fills)
        if page.missed:
            self.missed += page.missed
            self.log.error(
                "metrics fills missed", count=page.missed, cursor=low, first_available=first,
                reason="the source no longer held them; keep more fills or read more often",
            )
        if page.next_cursor <= low:
            return False
        records = self._records(page.fills, first)
        behind = [i for i, cursor in enumerate(cursors) if cursor < page.next_cursor]
        writes = {i: [r for n, r in records if n >= cursors[i]] for i in behind}
        to_write = [i for i in behind if writes[i]]  # a page of skipped fills writes nothing
        taken = dict.fromkeys(behind, True)
        taken.update(zip(to_write, await deliver(
            self.log, [sinks[i] for i in to_write], [writes[i] for i in to_write]
        ), strict=True))
        for i, ok in taken.items():
            if ok:
                cursors[i] = page.next_cursor
        return all(taken.values()) and len(page.fills) >= self.args.page_size

    def _records(self, fills: Sequence[Fill], first: int) -> list[tuple[int, FillRecord]]:
        """Each fill's number and record; a fill that cannot become one is reported loudly
        (once), counted and left out, so it never holds back the fills after it."""
        venue = self.args.venue or self.args.source.fill_venue
        records: list[tuple[int, FillRecord]] = []
        for number, fill in enumerate(fills, first):
            try:
                records.append((number, self.record(fill, venue)))
            except Exception as exc:
                if number < self._checked:
                    continue  # reported when first read; a resent page skips it quietly
                self.unstorable += 1
                self.log.error(
                    "metrics fill not stored",
                    fill=fill.model_dump(mode="json"),
                    cursor=number,
                    venue=venue,
                    error=f"{type(exc).__name__}: {exc}",
                    unstorable=self.unstorable,
                    reason="the fill cannot become a record (no sink could store it "
                    "exactly); skipped so the fills after it are still stored",
                )
        self._checked = max(self._checked, first + len(fills))
        return records
