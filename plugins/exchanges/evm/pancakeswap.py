"""``exchanges.evm.pancakeswap``: PancakeSwap v2 pairs on BNB Chain (the Uniswap v2 design).

The same integer math and router calls as :mod:`plugins.exchanges.evm.uniswap_v2`, with
PancakeSwap's defaults: a 0.25 % fee (kept 9975/10000) and its pair init-code hash
``0x00fb7f63...9bd5``. The chain is BNB Chain (id 56, native coin BNB): give the chain
component ``chain_id: 56`` and ``native_currency: BNB``. The older core build published on
npm (``@pancakeswap-libs/pancake-swap-core`` 0.1.0, the one the tests deploy) charges 0.2 %
and its pair hash is ``0xc5950761...7ca8``: set ``fee`` and ``init_code_hash`` for it.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from fortuna import ExactDecimal
from plugins.exchanges.evm.uniswap_v2 import UniswapV2, UniswapV2Args

__all__ = ["PANCAKESWAP_V2_INIT_CODE_HASH", "PancakeSwap", "PancakeSwapArgs"]

PANCAKESWAP_V2_INIT_CODE_HASH = (
    "0x00fb7f630766e6a796048ea87d01acd3068e8ff67d078148a3fa3f4a84f69bd5")


class PancakeSwapArgs(UniswapV2Args):
    init_code_hash: str = Field(
        default=PANCAKESWAP_V2_INIT_CODE_HASH, pattern=r"^0x[0-9a-fA-F]{64}$",
        description="keccak256 of the pair's creation code (PancakeSwap v2: 0x00fb7f63...; "
        "the npm core build 0.1.0: 0xc5950761...)",
    )
    fee: ExactDecimal = Field(
        default=Decimal("0.0025"), ge=0, lt=1,
        description="the pairs' swap fee as a fraction of the input: 0.0025 PancakeSwap v2, "
        "0.002 the npm core build 0.1.0",
    )


class PancakeSwap(UniswapV2):
    """PancakeSwap v2 pairs (BNB Chain): exact integer quotes, bounded swaps."""

    Args = PancakeSwapArgs
