"""The simulated venue's streams: updates pushed on the graph's clock, as a venue pushes them.

Why a push loop: the simulated venue replays its market lazily, on each call, so nothing
would ever *tell* a reader that the book moved or an order filled. With ``stream: true``
a loop runs while someone listens: every ``stream_interval`` of the clock (binance pushes
book diffs every 100 ms) it replays the market to now and compares each market's state
with the last push: the price step and the synthetic levels consumed (the book), the
latest public trade, the account's latest fill of that market. What changed is pushed to
every subscriber of that market (:class:`schemas.streams.Updates`), so a market-making
service with ``requote_on`` requotes in a rehearsal exactly as it would on a live venue,
on the virtual clock, as fast as the CPU allows. Reads are the venue's own answers, as
without streams; the loop costs nothing while nobody listens.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from plugins.exchanges.updates import UpdateQueue
from schemas.streams import UpdateKind, Updates

if TYPE_CHECKING:
    from fortuna import Clock
    from plugins.exchanges.sim._account import Account
    from plugins.exchanges.sim._engine import MarketEngine

__all__ = ["SimStreams"]

_ACCOUNT = frozenset({UpdateKind.ORDER, UpdateKind.FILL})


class SimStreams:
    """The push loop of one simulated venue and its subscribers."""

    def __init__(self, engines: dict[str, MarketEngine], account: Account, clock: Clock,
                 interval: float) -> None:
        self.engines = engines
        self.account = account
        self.clock = clock
        self.interval = interval
        self.subscriptions: set[UpdateQueue] = set()
        self.pushes = 0
        self._seen: dict[str, tuple[Any, ...]] = {}
        self._task: asyncio.Task[None] | None = None

    def subscribe(self, symbol: str, kinds: frozenset[UpdateKind]) -> Updates:
        self._seen.setdefault(symbol, self._state(symbol))
        subscription = UpdateQueue(symbol, kinds, self.subscriptions.discard)
        self.subscriptions.add(subscription)
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())
        return subscription

    def _state(self, symbol: str) -> tuple[Any, ...]:
        engine = self.engines[symbol]
        fills = self.account.fills.get(symbol)
        return (
            (engine.step, len(engine.consumed_bids), len(engine.consumed_asks),
             engine.bids.best(), engine.asks.best()),
            engine.trades[-1][0] if engine.trades else None,
            fills[-1].seq if fills else None,
        )

    def _changes(self, symbol: str) -> set[UpdateKind]:
        before = self._seen.get(symbol)
        now = self._seen[symbol] = self._state(symbol)
        if before is None:
            return set()
        changed: set[UpdateKind] = set()
        if now[0] != before[0]:
            changed.add(UpdateKind.BOOK)
        if now[1] != before[1]:
            changed |= {UpdateKind.TRADE, UpdateKind.TICKER}
        if now[2] != before[2]:
            changed |= _ACCOUNT
        return changed

    async def _run(self) -> None:
        clock = self.clock
        while self.subscriptions:
            await clock.sleep(self.interval)
            now = clock.time()
            for engine in self.engines.values():
                engine.advance(now)
            for symbol in {s.symbol for s in self.subscriptions}:
                changed = self._changes(symbol)
                if changed:
                    self.pushes += 1
                    for subscription in list(self.subscriptions):
                        if subscription.symbol == symbol:
                            subscription.push(changed)
        self._task = None

    async def close(self) -> None:
        self.subscriptions.clear()
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
