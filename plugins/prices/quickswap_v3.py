"""``prices.quickswap_v3``: a QuickSwap v3 (Algebra) pool's mid price with its block.

Point ``venue`` at an ``exchanges.evm.quickswap_v3`` component; the price is
``globalState().price`` squared, and :mod:`plugins.prices._pool` says how it is stamped.
"""

from __future__ import annotations

from plugins.prices._pool import PoolPriceArgs, PoolPriceProvider

__all__ = ["QuickswapV3Price"]


class QuickswapV3Price(PoolPriceProvider[PoolPriceArgs]):
    """QuickSwap v3 (Algebra) pool's mid price from globalState: exact, at a block."""
