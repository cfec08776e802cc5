"""What the on-chain execution services share: one parent order worked in a pool, one
swap at a time.

Each tick: stop at the window's end or once the whole amount filled; check the kill
switches (any tripped: send nothing until a reset); read the pool's mid (its block and
block time); settle the swap in flight, if any, by its hash (while its outcome is
unknown nothing else happens); count the pool's swaps mined since the last count, up to
that block (:meth:`schemas.swap.SwapVenue.pool_trades`); ask the algorithm how much base
it wants now (:meth:`SwapExecutionService.want`); size a swap for it within the slippage
budget and the gas share, and send it (:mod:`plugins.execution._swaps`).

A swap is atomic: nothing rests in a pool, so a stop has nothing to cancel. What a stop
must not leave half-done is the bookkeeping: the swap in flight is looked up once more,
and if its outcome is still unknown the final journal entry keeps its hash as
``pending`` (the report says ``in_flight``) so a restart resolves it before anything
else. The pool's volume is counted by block (``trades_block`` in the journal), so a
restart never counts a swap twice nor misses one.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from plugins.execution._args import SwapParentArgs
from plugins.execution._journal import Journal
from plugins.execution._progress import Progress
from plugins.execution._service import ParentService
from plugins.execution._swaps import SwapDesk
from plugins.execution._volume import volume_excluding
from schemas import ExchangeError, NotSupported, money
from schemas.swap import PoolPrice

__all__ = ["SwapExecutionService", "SwapView"]

ArgsT = TypeVar("ArgsT", bound=SwapParentArgs)


@dataclass(frozen=True, slots=True)
class SwapView:
    """What an on-chain algorithm sees on a tick."""

    elapsed: float
    """Seconds of the clock since the parent order started (its first run)."""
    progress: Progress
    reference: Decimal
    """The price the slippage budget is measured from (quote per base)."""
    market_volume: Decimal
    """The pool's base volume since the start without the mandate's own swaps."""

    @property
    def filled(self) -> Decimal:
        return self.progress.filled


class SwapExecutionService(ParentService[ArgsT], abc.ABC):
    """Base of the on-chain execution services; see the module docstring."""

    semantic_checks = ("plugins.execution._swap_checks:budget_above_fee",)
    desk: SwapDesk | None = None
    counts_volume = True
    """False: the pool's swaps are counted only if the venue reports them (TWAP)."""

    # --- what an algorithm provides -----------------------------------------------------

    @abc.abstractmethod
    def want(self, view: SwapView) -> Decimal | None:
        """Base wanted swapped now; None for none."""

    def refused(self) -> None:
        """The swap wanted could not be sent (not to be asked for again right away)."""

    # --- lifecycle --------------------------------------------------------------------------

    async def load(self) -> None:
        args = self.args
        venue = args.venue
        self._base = await venue.token(args.base)
        self._quote = await venue.token(args.quote)
        self._observe()
        self._journal = Journal(args.journal, mandate=args.mandate, venue=venue.venue,
                                symbol=str(args.symbol), algorithm=self.algorithm)
        self._counting = True

    async def _mid(self) -> PoolPrice:
        return await self.args.venue.mid_price(self._base, self._quote)

    async def _reference(self, mid: PoolPrice) -> Decimal:
        reference = self.args.reference
        return mid.price if reference is None else await reference.price()

    async def _start(self) -> None:
        args = self.args
        record = await self._journaled()
        mid = await self._mid()
        if record is not None:
            self.progress = Progress.resume(record)
        else:
            self.progress = Progress(side=args.side, total=args.amount,
                                     started=self.clock.now(),
                                     arrival=await self._reference(mid))
            self.progress.trades_block = mid.block
        if self._already_finished():
            return
        self.progress.state = "working"
        self.desk = SwapDesk(args=args, base=self._base, quote=self._quote,
                             progress=self.progress, journal=self._journal, clock=self.clock,
                             log=self.log)
        try:
            await args.venue.pool_trades(self._base, self._quote, mid.block, mid.block)
        except NotSupported:
            if self.counts_volume:
                raise ValueError(f"{self.name}: {args.venue.venue} does not report its pool's "
                                 "swaps, so the pool's volume cannot be measured") from None
            self._counting = False
        if self.progress.pending is not None:
            self.log.warning("an earlier run left a swap in flight; looking it up",
                             tx_hash=self.progress.pending)
            await self.desk.resolve(mid.timestamp)
        await self._journal.save(self.progress, self.clock.now())
        self.log.info("parent order started" if record is None else "parent order resumed",
                      algorithm=self.algorithm, mandate=args.mandate, side=args.side.value,
                      total=args.amount, filled=self.progress.filled,
                      remaining=self.progress.remaining, arrival_price=self.progress.arrival,
                      pool=mid.pool, block=mid.block)

    async def on_stop(self) -> None:
        desk = self.desk
        if desk is None or self._finished:
            if desk is None and not self._finished:
                self.log.warning("stopped before starting; nothing was swapped")
                return
            await self._final()
            return
        if self.progress.pending is not None:
            try:
                await desk.resolve((await self._mid()).timestamp)
            except ExchangeError as exc:
                self.log.error("the swap in flight could not be looked up",
                               error=f"{type(exc).__name__}: {exc}")
        if self.progress.pending is not None:
            self.log.warning("a swap is still in flight; a restart looks it up by its hash",
                             tx_hash=self.progress.pending)
        await self._final(in_flight=self.progress.pending)

    # --- the tick -----------------------------------------------------------------------------

    async def _count(self, mid: PoolPrice) -> None:
        """Count the pool's swaps in the blocks after the last count, up to ``mid``'s."""
        progress = self.progress
        first = (progress.trades_block if progress.trades_block is not None else mid.block) + 1
        if not self._counting or first > mid.block:
            return
        trades = await self.args.venue.pool_trades(self._base, self._quote, first, mid.block)
        progress.count_trades(money.total(t.base for t in trades),
                              money.total(t.quote for t in trades), mid.timestamp)
        progress.trades_block = mid.block

    async def _tick(self) -> None:
        if self._over():
            return
        clear = await self._switches_clear()
        desk = self.desk
        assert desk is not None, f"{self.name}: not started"
        mid = await self._mid()
        if not await desk.resolve(mid.timestamp):
            return
        await self._count(mid)
        if not clear:
            return
        progress = self.progress
        if progress.remaining == 0:
            self.log.info("parent order filled", filled=progress.filled)
            self.request_stop()
            return
        reference = await self._reference(mid)
        wanted = self.want(SwapView(
            elapsed=self._elapsed(), progress=progress, reference=reference,
            market_volume=volume_excluding(progress.market_volume, progress.filled)))
        if wanted is None or wanted <= 0:
            return
        sized = await desk.size(wanted, reference)
        if isinstance(sized, str):
            self.refused()
            await desk.refused(sized, wanted=wanted)
            return
        refusal = desk.risk_refusal(sized, reference)
        if refusal is not None:
            self.refused()
            await desk.refused(f"refused by risk: {refusal}", amount=sized.amount)
            return
        await desk.send(sized)
