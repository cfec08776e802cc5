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
/ maximum in and the deadline on chain.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from fortuna import ExactDecimal
from plugins.exchanges.evm._abi import PAIR_ROUTER, V2_PAIR, V2_ROUTER
from plugins.exchanges.evm._v2math import amount_in, amount_out, fee_fraction
from plugins.exchanges.evm._venue import (
    ADDRESS,
    V2_SWAP_EVENT,
    EvmSwapVenue,
    EvmVenueArgs,
    ratio,
)
from schemas import BadSymbol, InvalidOrder
from schemas.money import MoneyError
from schemas.swap import PoolPrice, SwapKind, SwapQuote, SwapRequest, Token

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


class UniswapV2(EvmSwapVenue[UniswapV2Args]):
    """Uniswap v2 pairs: exact integer quotes from reserves, swaps through Router02."""

    _pairs: dict[tuple[str, str], str]
    swap_event = V2_SWAP_EVENT

    def _pool_deltas(self, data: bytes) -> tuple[int, int]:
        in0, in1, out0, out1 = (int.from_bytes(data[i:i + 32], "big") for i in range(0, 128, 32))
        return in0 - out0, in1 - out1

    async def load(self) -> None:
        await super().load()
        self._pairs = {}
        self._fee = fee_fraction(self.args.fee)

    def pair_address(self, token_a: str, token_b: str) -> str:
        """The CREATE2 address of the pair of two tokens under the configured factory."""
        from web3 import Web3

        first, second = sorted((self.checksum(token_a), self.checksum(token_b)), key=str.lower)
        salt = Web3.solidity_keccak(["address", "address"], [first, second])
        digest = Web3.keccak(
            b"\xff" + bytes.fromhex(self.args.factory[2:]) + bytes(salt)
            + bytes.fromhex(self.args.init_code_hash[2:])
        )
        return self.checksum("0x" + bytes(digest)[12:].hex())

    async def _pool(self, token_in: Token, token_out: Token) -> str:
        key = tuple(sorted((token_in.address.lower(), token_out.address.lower())))
        pool = self._pairs.get(key)  # type: ignore[arg-type]
        if pool is None:
            pool = self.pair_address(token_in.address, token_out.address)
            if not await self.read(self.web3.eth.get_code(pool)):
                raise BadSymbol(
                    f"no {token_in.symbol}/{token_out.symbol} pair at {pool} (factory "
                    f"{self.args.factory}, init code hash {self.args.init_code_hash[:10]}...)",
                    venue=self.name)
            self._pairs[key] = pool  # type: ignore[index]
        return pool

    async def _reserves(self, token_in: Token, token_out: Token) -> tuple[str, int, int, Any]:
        """The pool, its reserves of (token_in, token_out), and the block they are from."""
        pool = await self._pool(token_in, token_out)
        header = await self.latest_block()
        pair = self.contract(pool, V2_PAIR)
        reserve0, reserve1, _ = await self.read(
            pair.functions.getReserves().call(block_identifier=int(header["number"])))
        if token_in.address.lower() < token_out.address.lower():
            return pool, int(reserve0), int(reserve1), header
        return pool, int(reserve1), int(reserve0), header

    async def quote(self, kind: SwapKind, token_in: Token, token_out: Token,
                    amount: Decimal) -> SwapQuote:
        kind = SwapKind(kind)
        pool, reserve_in, reserve_out, header = await self._reserves(token_in, token_out)
        exact = token_in if kind is SwapKind.EXACT_IN else token_out
        try:
            units = exact.to_units(amount)
            if kind is SwapKind.EXACT_IN:
                units_in, units_out = units, amount_out(units, reserve_in, reserve_out, self._fee)
            else:
                units_in, units_out = amount_in(units, reserve_in, reserve_out, self._fee), units
        except (ValueError, MoneyError) as error:
            raise InvalidOrder(f"{pool}: {error}", venue=self.name) from None
        return self.swap_quote(kind, pool, token_in, token_out, amount, (units_in, units_out),
                               fee_rate=self.args.fee, swap_gas=self.args.swap_gas,
                               header=header)

    async def mid_price(self, base: Token, quote: Token) -> PoolPrice:
        pool, reserve_base, reserve_quote, header = await self._reserves(base, quote)
        if reserve_base == 0 or reserve_quote == 0:
            raise InvalidOrder(f"{pool} has no liquidity", venue=self.name)
        price = ratio(reserve_quote * 10**base.decimals, reserve_base * 10**quote.decimals)
        return PoolPrice(pool=pool, base=base, quote=quote, price=price,
                         block=int(header["number"]), timestamp=self.block_time(header))

    def _swap_call(self, request: SwapRequest, pool: str, recipient: str,
                   deadline: int) -> tuple[str, str]:
        if self.args.router_kind == "pair_router":
            return self._pair_router_call(request, pool, recipient, deadline)
        router = self.contract(self.args.router, V2_ROUTER)
        path = [self.checksum(request.token_in.address), self.checksum(request.token_out.address)]
        if request.kind is SwapKind.EXACT_IN:
            args = [request.token_in.to_units(request.amount),
                    request.token_out.to_units(request.limit), path, recipient, deadline]
            data = router.encode_abi("swapExactTokensForTokens", args=args)
        else:
            args = [request.token_out.to_units(request.amount),
                    request.token_in.to_units(request.limit), path, recipient, deadline]
            data = router.encode_abi("swapTokensForExactTokens", args=args)
        return self.checksum(self.args.router), str(data)


    def _pair_router_call(self, request: SwapRequest, pool: str, recipient: str,
                          deadline: int) -> tuple[str, str]:
        router = self.contract(self.args.router, PAIR_ROUTER)
        token_in = self.checksum(request.token_in.address)
        kept, denominator = self._fee
        exact = request.token_in if request.kind is SwapKind.EXACT_IN else request.token_out
        bounded = request.token_out if request.kind is SwapKind.EXACT_IN else request.token_in
        args = [pool, token_in, exact.to_units(request.amount), bounded.to_units(request.limit),
                kept, denominator, recipient, deadline]
        name = "swapExactIn" if request.kind is SwapKind.EXACT_IN else "swapExactOut"
        return self.checksum(self.args.router), str(router.encode_abi(name, args=args))
