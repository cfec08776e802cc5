"""``exchanges.evm.uniswap_v2``: swap in Uniswap v2 pairs (and forks) through their router.

A pair's address is not looked up: it is computed the way the factory deployed it
(CREATE2 of ``factory``, the sorted token pair and the pair's init-code hash), so a venue
is told which factory and which init-code hash it deals with, and a router deployed for
another fork (its own hash compiled in) is caught the first time the computed pair has no
code. Published hashes: Uniswap v2 and QuickSwap v2
``0x96e8ac4277198ff8b6f785478aa9a39f403cb768dd02cbee326c3e7da348845f`` (also the hash of
the ``@uniswap/v2-core`` 1.0.1 npm build), PancakeSwap v2 on BNB Chain
``0x00fb7f630766e6a796048ea87d01acd3068e8ff67d078148a3fa3f4a84f69bd5``.

Quotes read ``getReserves`` at one block (the block is in the quote) and apply the pair's
integer math (:mod:`plugins.exchanges.evm._v2math`): a quote equals what the router then
executes against the same reserves, to the unit. Swaps go through the router's
``swapExactTokensForTokens`` / ``swapTokensForExactTokens``, which enforce the minimum out
/ maximum in and the deadline on chain. Each swap's gas limit adds ``new_block_gas`` to the
node's estimate: the first swap of a pair in a later second adds the elapsed time to the
pair's two price accumulators (two storage writes, about 44,000 gas the first time a
pair's are written), which an estimate simulated in the second of the pair's last update
does not pay; without it such a swap runs out of gas and reverts with no reason.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from fortuna import ExactDecimal
from plugins.exchanges._onchain.swaps import request_units
from plugins.exchanges.evm._abi import PAIR_ROUTER, V2_PAIR, V2_ROUTER
from plugins.exchanges.evm._logs import V2_SWAP_EVENT, v2_deltas
from plugins.exchanges.evm._pools import create2_address, ratio
from plugins.exchanges.evm._v2math import amount_in, amount_out, fee_fraction
from plugins.exchanges.evm._venue import (
    ADDRESS,
    EvmSwapVenue,
    EvmVenueArgs,
)
from schemas import InvalidOrder
from schemas.swap import SwapKind, SwapQuote, SwapRequest, Token

__all__ = ["UNISWAP_V2_INIT_CODE_HASH", "UniswapV2", "UniswapV2Args"]

UNISWAP_V2_INIT_CODE_HASH = "0x96e8ac4277198ff8b6f785478aa9a39f403cb768dd02cbee326c3e7da348845f"


class UniswapV2Args(EvmVenueArgs):
    factory: str = Field(pattern=ADDRESS, description="the factory that deployed the pairs")
    router: str = Field(
        pattern=ADDRESS, description="the router that swaps (a Router02 built for this factory)"
    )
    router_kind: Literal["router02", "pair_router"] = Field(
        default="router02",
        description="router02: the fork's own Router02 (its compiled-in init-code hash must "
        "match); pair_router: Fortuna's PairRouter contract, which swaps in the computed pair "
        "directly with this venue's fee (for forks without a usable router)",
    )
    init_code_hash: str = Field(
        default=UNISWAP_V2_INIT_CODE_HASH, pattern=r"^0x[0-9a-fA-F]{64}$",
        description="keccak256 of the pair's creation code, which fixes every pair's address "
        "(Uniswap v2 / QuickSwap: 0x96e8ac42..., PancakeSwap v2: 0x00fb7f63...)",
    )
    fee: ExactDecimal = Field(
        default=Decimal("0.003"), ge=0, lt=1,
        description="the pairs' swap fee as a fraction of the input: 0.003 Uniswap v2 and "
        "QuickSwap, 0.0025 PancakeSwap v2",
    )
    swap_gas: int = Field(
        default=150_000, ge=21_000,
        description="gas a swap typically uses, for the gas-cost estimate quotes carry",
    )
    new_block_gas: int = Field(
        default=50_000, ge=0, le=1_000_000,
        description="gas added to the node's estimate of a swap: a pair's first swap in a "
        "later second updates its two price accumulators, which a simulation in the second "
        "of its last update does not pay (too little and the swap runs out of gas)",
    )


class UniswapV2(EvmSwapVenue[UniswapV2Args]):
    """Uniswap v2 pairs: exact integer quotes from reserves, swaps through Router02."""

    _fee: tuple[int, int]
    swap_event = V2_SWAP_EVENT

    _pool_deltas = staticmethod(v2_deltas)

    async def load(self) -> None:
        await super().load()
        self._fee = fee_fraction(self.args.fee)

    def _no_pool(self, token_in: Token, token_out: Token, address: str) -> str:
        return (f"no {token_in.symbol}/{token_out.symbol} pair at {address} (factory "
                f"{self.args.factory}, init code hash {self.args.init_code_hash[:10]}...)")

    def pool_address(self, token_a: str, token_b: str) -> str:
        """The CREATE2 address of the pair of two tokens under the configured factory."""
        from web3 import Web3

        salt = Web3.solidity_keccak(["address", "address"], self.sorted_pair(token_a, token_b))
        return self.checksum(
            create2_address(self.args.factory, bytes(salt), self.args.init_code_hash))

    async def _reserves(self, pool: str, token_in: Token, token_out: Token,
                        block: int) -> tuple[int, int]:
        """The pool's reserves of (token_in, token_out) at ``block``."""
        reserve0, reserve1, _ = await self.read(
            self.contract(pool, V2_PAIR).functions.getReserves().call(block_identifier=block))
        if token_in.address.lower() < token_out.address.lower():
            return int(reserve0), int(reserve1)
        return int(reserve1), int(reserve0)

    async def quote(self, kind: SwapKind, token_in: Token, token_out: Token,
                    amount: Decimal) -> SwapQuote:
        return await self._quoted(kind, token_in, token_out, amount, self.args.swap_gas)

    async def _amounts(self, kind: SwapKind, pool: str, token_in: Token, token_out: Token,
                       units: int, block: int) -> tuple[int, int, Decimal]:
        reserve_in, reserve_out = await self._reserves(pool, token_in, token_out, block)
        if kind is SwapKind.EXACT_IN:
            return units, amount_out(units, reserve_in, reserve_out, self._fee), self.args.fee
        return amount_in(units, reserve_in, reserve_out, self._fee), units, self.args.fee

    async def _pool_price(self, pool: str, base: Token, quote: Token, block: int) -> Decimal:
        reserve_base, reserve_quote = await self._reserves(pool, base, quote, block)
        if reserve_base == 0 or reserve_quote == 0:
            raise InvalidOrder(f"{pool} has no liquidity", venue=self.name)
        return ratio(reserve_quote * 10**base.decimals, reserve_base * 10**quote.decimals)

    def _swap_call(self, request: SwapRequest, pool: str, recipient: str,
                   deadline: int) -> tuple[str, str]:
        exact, bound = request_units(request)
        exact_in = request.kind is SwapKind.EXACT_IN
        if self.args.router_kind == "pair_router":
            kept, denominator = self._fee
            return self._encoded(
                self.args.router, PAIR_ROUTER, "swapExactIn" if exact_in else "swapExactOut",
                [pool, self.checksum(request.token_in.address), exact, bound, kept, denominator,
                 recipient, deadline])
        path = [self.checksum(request.token_in.address), self.checksum(request.token_out.address)]
        return self._encoded(
            self.args.router, V2_ROUTER,
            "swapExactTokensForTokens" if exact_in else "swapTokensForExactTokens",
            [exact, bound, path, recipient, deadline])
