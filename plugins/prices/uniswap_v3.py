"""``prices.uniswap_v3``: a pool's mid price read on chain, quote per base, with its block.

Point ``venue`` at an ``exchanges.evm.uniswap_v3`` component;
:mod:`plugins.prices._pool` says how the price is read and stamped.
"""

from __future__ import annotations

from plugins.prices._pool import PoolPriceArgs, PoolPriceProvider

__all__ = ["UniswapV3Price"]


class UniswapV3Price(PoolPriceProvider[PoolPriceArgs]):
    """Uniswap v3 pool's mid price from sqrtPriceX96: exact, at a block."""
