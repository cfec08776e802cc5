"""``prices.quickswap``: a pool's mid price read on chain, quote per base, with its block.

Point ``venue`` at an ``exchanges.evm.quickswap`` component;
:mod:`plugins.prices._pool` says how the price is read and stamped.
"""

from __future__ import annotations

from plugins.prices._pool import PoolPriceArgs, PoolPriceProvider

__all__ = ["QuickswapPrice"]


class QuickswapPrice(PoolPriceProvider[PoolPriceArgs]):
    """QuickSwap v2 pair's mid price from its reserves: exact, at a block."""
