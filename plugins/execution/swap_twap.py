"""``execution.swap_twap``: works a parent order in equal slices over a window, in a pool.

The schedule is ``execution.twap``'s (:func:`plugins.execution.twap.schedule`: ``slices``
slices over ``window``, the last one's target the whole amount exactly, seeded size and
time jitter, catch-up). In each slice a swap is sent for what the slice's target asks
beyond the fills, sized within the slippage budget (``max_slippage`` against the pool's
mid or ``reference``, pool fee included) and worth its gas (``max_gas_share``); a swap
shrunk by the budget leaves the rest of the slice to the next ticks, which try again
while the slice lasts. A swap that cannot be sent (too small for its gas, no room in the
budget, refused by the chain) closes the slice: the next slice catches up. At the window's
end the service stops. The pool's swaps are counted for the interval VWAP when the venue
reports them (an aggregator does not: the report then has no VWAP).
"""

from __future__ import annotations

from decimal import Decimal

from plugins.execution._args import SwapParentArgs
from plugins.execution._swap_parent import SwapExecutionService, SwapView
from plugins.execution.twap import SliceArgs, schedule, slot, wanted

__all__ = ["SwapTwap", "SwapTwapArgs"]


class SwapTwapArgs(SwapParentArgs, SliceArgs):
    pass


class SwapTwap(SwapExecutionService[SwapTwapArgs]):
    """Time-weighted in a pool: slices over a window, swaps sized by slippage and gas."""

    algorithm = "swap_twap"
    counts_volume = False
    _closed = -1
    _slot = -1

    async def load(self) -> None:
        await super().load()
        self._starts, self._targets = schedule(self.args)

    def deadline(self) -> float | None:
        return self.args.window

    def want(self, view: SwapView) -> Decimal | None:
        k = slot(self._starts, view.elapsed)
        self._slot = k
        if k < 0 or k <= self._closed:
            return None
        amount = wanted(self.args, self._targets, k, view.filled)
        return amount if amount > 0 else None

    def refused(self) -> None:
        self._closed = max(self._closed, self._slot)
