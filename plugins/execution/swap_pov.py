"""``execution.swap_pov``: works a parent order as a share of a pool's traded volume.

The pool's volume is measured from its swap events (Uniswap v2 ``Swap``, v3 / Algebra
``Swap`` logs, read by block through :meth:`schemas.swap.SwapVenue.pool_trades`) since
the parent order started, the mandate's own swaps taken out. The target is ``rate``
times that volume; when the fills lag it by at least ``min_child`` a swap is sent for the
lag, at least ``min_child`` and at most ``max_child``, never so much that the fills would
run more than ``max_ahead`` past the target (``execution.pov``'s rule,
:func:`plugins.execution.pov.participation`), then sized within the slippage budget and
worth its gas. A venue that does not report its pool's swaps (an aggregator) is refused
at start. With a ``window`` the parent order expires at its end.
"""

from __future__ import annotations

from decimal import Decimal

from plugins.execution._args import SwapParentArgs
from plugins.execution._swap_parent import SwapExecutionService, SwapView
from plugins.execution.pov import ParticipationArgs, participation

__all__ = ["SwapPov", "SwapPovArgs"]


class SwapPovArgs(SwapParentArgs, ParticipationArgs):
    pass


class SwapPov(SwapExecutionService[SwapPovArgs]):
    """Participation of a pool's volume (its swap events); swaps sized by slippage and gas."""

    algorithm = "swap_pov"

    def deadline(self) -> float | None:
        return self.args.window

    def want(self, view: SwapView) -> Decimal | None:
        return participation(self.args, view.filled, view.market_volume)
