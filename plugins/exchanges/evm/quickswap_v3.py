"""``exchanges.evm.quickswap_v3``: QuickSwap v3 (Algebra) pools, Quoter-exact, SwapRouter swaps.

QuickSwap v3 runs on Algebra's contracts, not Uniswap v3's: one pool per token pair (no fee
tiers), created by the AlgebraPoolDeployer at the CREATE2 address of the deployer, the
sorted pair and the pool init-code hash (``0x6ec6c9c8...94a4``, QuickSwap's on Polygon and
the ``@cryptoalgebra/core`` 2.0.0 npm build's), a tick spacing of 60, and a *dynamic* fee:
the pool reads its fee from its volatility and volume history and keeps it in
``globalState()`` (Algebra's ``slot0``); the first swap in a new block may update it.

Quotes come from Algebra's Quoter (``quoteExactInputSingle`` / ``quoteExactOutputSingle``):
one ``eth_call`` at the quote's block that runs the pool's own swap, so amounts are the
pool's to the unit, and the fee the simulated swap paid comes back with them (the quote's
``fee_rate``). A swap mined at that same pool state executes exactly the quoted amounts; if
another swap lands first, or the new block changes the dynamic fee, the router's bound
(``amountOutMinimum`` / ``amountInMaximum``) refuses what exceeds the request's limit.

Swaps go through Algebra's SwapRouter ``exactInputSingle`` / ``exactOutputSingle``, which
enforce the bound ("Too little received" / "Too much requested") and the deadline
("Transaction too old"). Each swap's gas limit adds ``new_block_gas`` to the node's estimate
(the new block's timepoint and fee update, which the estimate may not include). The mid
price is ``globalState().price`` squared.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field

from plugins.exchanges._onchain.swaps import request_units
from plugins.exchanges.evm._abi import ALGEBRA_POOL, ALGEBRA_QUOTER, ALGEBRA_ROUTER
from plugins.exchanges.evm._errors import simulated
from plugins.exchanges.evm._pools import create2_address, sqrt_price_ratio
from plugins.exchanges.evm._venue import ADDRESS, EvmSwapVenue, EvmVenueArgs
from schemas.swap import SwapKind, SwapQuote, SwapRequest, Token

__all__ = ["ALGEBRA_V1_INIT_CODE_HASH", "QuickSwapV3", "QuickSwapV3Args"]

ALGEBRA_V1_INIT_CODE_HASH = "0x6ec6c9c8091d160c0aa74b2b14ba9c1717e95093bd3ac085cee99a49aab294a4"


class QuickSwapV3Args(EvmVenueArgs):
    pool_deployer: str = Field(
        pattern=ADDRESS, description="the AlgebraPoolDeployer that deploys the pools (its "
        "address, not the factory's, fixes every pool's address)",
    )
    router: str = Field(pattern=ADDRESS, description="Algebra's SwapRouter that swaps")
    quoter: str = Field(pattern=ADDRESS, description="Algebra's Quoter that quotes each swap")
    init_code_hash: str = Field(
        default=ALGEBRA_V1_INIT_CODE_HASH, pattern=r"^0x[0-9a-fA-F]{64}$",
        description="keccak256 of the pool's creation code (Algebra v1's by default)",
    )
    new_block_gas: int = Field(
        default=60_000, ge=0, le=1_000_000,
        description="gas added to the node's estimate of a swap: the first swap in a block "
        "writes a timepoint and recomputes the dynamic fee, which a simulation in the block "
        "of the last swap does not pay (too little and the swap runs out of gas)",
    )
    swap_gas: int = Field(
        default=200_000, ge=21_000,
        description="gas a swap typically uses, for the gas-cost estimate quotes carry",
    )


class QuickSwapV3(EvmSwapVenue[QuickSwapV3Args]):
    """QuickSwap v3 (Algebra) pools: dynamic fee, Quoter-exact quotes, SwapRouter swaps."""

    def pool_address(self, token_a: str, token_b: str) -> str:
        from eth_abi.abi import encode
        from web3 import Web3

        salt = Web3.keccak(encode(["address", "address"], self.sorted_pair(token_a, token_b)))
        return self.checksum(
            create2_address(self.args.pool_deployer, bytes(salt), self.args.init_code_hash))

    async def quote(self, kind: SwapKind, token_in: Token, token_out: Token,
                    amount: Decimal) -> SwapQuote:
        return await self._quoted(kind, token_in, token_out, amount, self.args.swap_gas)

    async def _amounts(self, kind: SwapKind, pool: str, token_in: Token, token_out: Token,
                       units: int, block: int) -> tuple[int, int, Decimal]:
        """From Algebra's Quoter, with the fee the simulated swap paid."""
        if units <= 0:
            raise ValueError(f"the exact amount must be positive, not {units} units")
        functions = self.contract(self.args.quoter, ALGEBRA_QUOTER).functions
        args = (self.checksum(token_in.address), self.checksum(token_out.address), units, 0)
        call: Any = (functions.quoteExactInputSingle(*args) if kind is SwapKind.EXACT_IN
                     else functions.quoteExactOutputSingle(*args))
        result = await simulated(call, block, quoter="the Quoter", venue=self.name)
        amount, fee = int(result[0]), Decimal(int(result[1])).scaleb(-6)
        return (units, amount, fee) if kind is SwapKind.EXACT_IN else (amount, units, fee)

    async def _pool_price(self, pool: str, base: Token, quote: Token, block: int) -> Decimal:
        state = await self.read(self.contract(pool, ALGEBRA_POOL).functions.globalState().call(
            block_identifier=block))
        return sqrt_price_ratio(int(state[0]), base, quote)

    def _swap_call(self, request: SwapRequest, pool: str, recipient: str,
                   deadline: int) -> tuple[str, str]:
        exact, bound = request_units(request)
        pair = self.checksum(request.token_in.address), self.checksum(request.token_out.address)
        if request.kind is SwapKind.EXACT_IN:
            return self._encoded(self.args.router, ALGEBRA_ROUTER, "exactInputSingle",
                                 [(*pair, recipient, deadline, exact, bound, 0)])
        # exactOutputSingle keeps a fee field (0: unused by Algebra)
        return self._encoded(self.args.router, ALGEBRA_ROUTER, "exactOutputSingle",
                             [(*pair, 0, recipient, deadline, exact, bound, 0)])
