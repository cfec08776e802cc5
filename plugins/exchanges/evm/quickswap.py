"""``exchanges.evm.quickswap``: QuickSwap v2 pairs on Polygon (the Uniswap v2 design).

QuickSwap v2 is the Uniswap v2 contracts deployed by QuickSwap on Polygon: same pair
init-code hash (``0x96e8ac42...``), same 0.3 % fee, same Router02 interface, so this is
:class:`~plugins.exchanges.evm.uniswap_v2.UniswapV2` with its own id. Give the chain
component ``chain_id: 137`` and ``native_currency: POL``. QuickSwap v3 runs on Algebra
contracts, whose pools are not Uniswap v3 pools: that is ``exchanges.evm.quickswap_v3``.
"""

from __future__ import annotations

from plugins.exchanges.evm.uniswap_v2 import UniswapV2

__all__ = ["QuickSwap"]


class QuickSwap(UniswapV2):
    """QuickSwap v2 pairs (Polygon): exact integer quotes, bounded swaps through Router02."""
