"""Concentrated-liquidity pools: found by address (the CREATE2 rule, a checked cache) and
priced from their square-root price."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from schemas import BadSymbol, money
from schemas.swap import Token

__all__ = ["PoolDirectory", "create2_address", "ratio", "sqrt_price_ratio"]


def ratio(numerator: int, denominator: int) -> Decimal:
    """``numerator / denominator`` to 34 significant digits, rounded half-even (integers
    convert to ``Decimal`` exactly; only the one division rounds)."""
    return money.ratio(Decimal(numerator), Decimal(denominator))


def create2_address(deployer: str, salt: bytes, init_code_hash: str) -> str:
    """The (lower-case) address CREATE2 gives a contract of ``init_code_hash`` deployed by
    ``deployer`` with ``salt``: the last 20 bytes of keccak(0xff, deployer, salt, hash)."""
    from web3 import Web3

    digest = Web3.keccak(b"\xff" + bytes.fromhex(deployer[2:]) + salt
                         + bytes.fromhex(init_code_hash[2:]))
    return "0x" + bytes(digest)[12:].hex()


def sqrt_price_ratio(sqrt_price: int, base: Token, quote: Token) -> Decimal:
    """Units of ``quote`` per unit of ``base`` from a pool's ``sqrtPriceX96`` (the price of
    token0 in token1 is sqrtP^2 / 2^192, scaled by the decimals; token0 is the lower
    address), to 34 significant digits."""
    if base.address.lower() < quote.address.lower():
        return ratio(sqrt_price**2 * 10**base.decimals, (1 << 192) * 10**quote.decimals)
    return ratio((1 << 192) * 10**base.decimals, sqrt_price**2 * 10**quote.decimals)


class PoolDirectory:
    """A venue's pools by unordered token pair: each computed once and checked to hold a
    contract; a pair with none there is :class:`BadSymbol` (asked again next time), worded
    by ``missing(token_in, token_out, address)``."""

    def __init__(self, venue: str, address: Callable[[str, str], str],
                 code_at: Callable[[str], Awaitable[Any]],
                 missing: Callable[[Token, Token, str], str]) -> None:
        self._venue, self._address, self._code_at = venue, address, code_at
        self._missing = missing
        self._pools: dict[tuple[str, str], str] = {}

    async def pool(self, token_in: Token, token_out: Token) -> str:
        """The pool of the pair, whichever way it is traded."""
        first, second = sorted((token_in.address.lower(), token_out.address.lower()))
        pool = self._pools.get((first, second))
        if pool is None:
            pool = self._address(token_in.address, token_out.address)
            if not await self._code_at(pool):
                raise BadSymbol(self._missing(token_in, token_out, pool), venue=self._venue)
            self._pools[first, second] = pool
        return pool
