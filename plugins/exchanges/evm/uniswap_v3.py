"""``exchanges.evm.uniswap_v3``: swap in Uniswap v3 pools, quoted exactly, through SwapRouter.

A pool is one token pair at one fee tier (``fee_tier`` in hundredths of a basis point:
500 = 0.05 %, 3000 = 0.3 %, 10000 = 1 %). Its address is computed as the factory deployed
it (CREATE2 of the factory, the sorted pair and the fee, and the pool init-code hash,
``0xe34f199b...8b54`` for Uniswap v3 and for the ``@uniswap/v3-core`` 1.0.1 npm build).

Quotes come from one of two sources that agree to the unit:

- ``local`` (default): slot0 and liquidity are read at one block (the tick spacing once), and
  the swap is simulated with the pool's own integer math
  (:mod:`plugins.exchanges.evm._v3math`), crossing initialized ticks: the tick bitmap
  words and the crossed ticks' ``liquidityNet`` are read, at the same block, as the walk
  reaches them. Four reads for a swap inside the current range (block, slot0, liquidity,
  one bitmap word), one more per bitmap word and per tick crossed.
- ``quoter``: the deployed QuoterV2 (``quoteExactInputSingle`` /
  ``quoteExactOutputSingle``), one ``eth_call`` that simulates the swap in the node.

Swaps go through SwapRouter's ``exactInputSingle`` / ``exactOutputSingle``: the router
enforces ``amountOutMinimum`` / ``amountInMaximum`` ("Too little received" / "Too much
requested") and the deadline ("Transaction too old").
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, model_validator

from plugins.exchanges._onchain.swaps import request_units
from plugins.exchanges.evm._abi import QUOTER_V2, SWAP_ROUTER, V3_POOL
from plugins.exchanges.evm._errors import simulated
from plugins.exchanges.evm._pools import create2_address, sqrt_price_ratio
from plugins.exchanges.evm._v3math import PoolState, simulate
from plugins.exchanges.evm._venue import ADDRESS, EvmSwapVenue, EvmVenueArgs
from schemas.swap import SwapKind, SwapQuote, SwapRequest, Token

__all__ = ["UNISWAP_V3_INIT_CODE_HASH", "UniswapV3", "UniswapV3Args"]

UNISWAP_V3_INIT_CODE_HASH = "0xe34f199b19b2b4f47f68442619d555527d244f78a3297ea89325f843f87b8b54"


class UniswapV3Args(EvmVenueArgs):
    factory: str = Field(pattern=ADDRESS, description="the UniswapV3Factory of the pools")
    router: str = Field(pattern=ADDRESS, description="the SwapRouter that swaps")
    quoter: str | None = Field(
        default=None, pattern=ADDRESS, description="the QuoterV2, needed when quotes: quoter"
    )
    fee_tier: Literal[100, 500, 3000, 10000] = Field(
        default=3000, description="the pools' fee in hundredths of a bip: 500 = 0.05 %, "
        "3000 = 0.3 %, 10000 = 1 %",
    )
    quotes: Literal["local", "quoter"] = Field(
        default="local", description="local: the pool's math on state read at one block; "
        "quoter: QuoterV2 simulates each quote in the node",
    )
    init_code_hash: str = Field(
        default=UNISWAP_V3_INIT_CODE_HASH, pattern=r"^0x[0-9a-fA-F]{64}$",
        description="keccak256 of the pool's creation code, which fixes every pool's address",
    )
    swap_gas: int = Field(
        default=180_000, ge=21_000,
        description="gas a swap typically uses, for the gas-cost estimate quotes carry",
    )

    @model_validator(mode="after")
    def _quoter_given(self) -> UniswapV3Args:
        if self.quotes == "quoter" and self.quoter is None:
            raise ValueError("quotes: quoter needs the QuoterV2 address in quoter")
        return self


class UniswapV3(EvmSwapVenue[UniswapV3Args]):
    """Uniswap v3 pools: exact quotes (local tick-crossing math or QuoterV2), SwapRouter swaps."""

    _spacings: dict[str, int]

    async def load(self) -> None:
        await super().load()
        self._spacings = {}

    def _no_pool(self, token_in: Token, token_out: Token, address: str) -> str:
        return (f"no {token_in.symbol}/{token_out.symbol} pool at fee tier "
                f"{self.args.fee_tier} (expected at {address})")

    def pool_address(self, token_a: str, token_b: str) -> str:
        from eth_abi.abi import encode
        from web3 import Web3

        salt = Web3.keccak(encode(["address", "address", "uint24"],
                                  [*self.sorted_pair(token_a, token_b), self.args.fee_tier]))
        return self.checksum(
            create2_address(self.args.factory, bytes(salt), self.args.init_code_hash))

    async def _state(self, pool: str, block: int) -> PoolState:
        functions = self.contract(pool, V3_POOL).functions
        spacing = self._spacings.get(pool)
        if spacing is None:  # immutable: read once per pool
            spacing = self._spacings[pool] = int(
                await self.read(functions.tickSpacing().call(block_identifier=block)))
        slot0, liquidity = await asyncio.gather(
            self.read(functions.slot0().call(block_identifier=block)),
            self.read(functions.liquidity().call(block_identifier=block)),
        )
        return PoolState(sqrt_price=int(slot0[0]), tick=int(slot0[1]), liquidity=int(liquidity),
                         fee=self.args.fee_tier, tick_spacing=int(spacing))

    async def quote(self, kind: SwapKind, token_in: Token, token_out: Token,
                    amount: Decimal) -> SwapQuote:
        return await self._quoted(kind, token_in, token_out, amount, self.args.swap_gas)

    async def _amounts(self, kind: SwapKind, pool: str, token_in: Token, token_out: Token,
                       units: int, block: int) -> tuple[int, int, Decimal]:
        if self.args.quotes == "quoter":
            units_in, units_out = await self._quoter(kind, token_in, token_out, units, block)
        else:
            units_in, units_out = await self._local(kind, pool, token_in, token_out, units,
                                                    block)
        return units_in, units_out, Decimal(self.args.fee_tier).scaleb(-6)

    async def _local(self, kind: SwapKind, pool: str, token_in: Token, token_out: Token,
                     units: int, block: int) -> tuple[int, int]:
        functions = self.contract(pool, V3_POOL).functions
        state = await self._state(pool, block)

        async def bitmap(word: int) -> int:
            return int(await self.read(functions.tickBitmap(word).call(block_identifier=block)))

        async def net(tick: int) -> int:
            return int((await self.read(functions.ticks(tick).call(block_identifier=block)))[1])

        zero_for_one = token_in.address.lower() < token_out.address.lower()
        swap = await simulate(state, zero_for_one, units, kind is SwapKind.EXACT_IN, bitmap, net)
        return swap.amount_in, swap.amount_out

    async def _quoter(self, kind: SwapKind, token_in: Token, token_out: Token, units: int,
                      block: int) -> tuple[int, int]:
        assert self.args.quoter is not None
        functions = self.contract(self.args.quoter, QUOTER_V2).functions
        params = (self.checksum(token_in.address), self.checksum(token_out.address), units,
                  self.args.fee_tier, 0)
        call: Any = (functions.quoteExactInputSingle(params) if kind is SwapKind.EXACT_IN
                     else functions.quoteExactOutputSingle(params))
        result = await simulated(call, block, quoter="QuoterV2", venue=self.name)
        return (units, int(result[0])) if kind is SwapKind.EXACT_IN else (int(result[0]), units)

    async def _pool_price(self, pool: str, base: Token, quote: Token, block: int) -> Decimal:
        return sqrt_price_ratio((await self._state(pool, block)).sqrt_price, base, quote)

    def _swap_call(self, request: SwapRequest, pool: str, recipient: str,
                   deadline: int) -> tuple[str, str]:
        exact, bound = request_units(request)
        params = (self.checksum(request.token_in.address),
                  self.checksum(request.token_out.address), self.args.fee_tier, recipient,
                  deadline, exact, bound, 0)
        function = ("exactInputSingle" if request.kind is SwapKind.EXACT_IN
                    else "exactOutputSingle")
        return self._encoded(self.args.router, SWAP_ROUTER, function, [params])
