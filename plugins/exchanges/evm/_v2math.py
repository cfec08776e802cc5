"""The constant-product swap math of Uniswap v2 and its forks, in integers, as the pair
contract computes it.

The pair accepts a swap when ``(reserve_in + in - in*fee) * (reserve_out - out) >=
reserve_in * reserve_out`` with the fee applied as ``numerator/denominator`` of the input
(Uniswap 997/1000, PancakeSwap v2 9975/10000). ``amount_out`` is the largest output and
``amount_in`` the smallest input that pass, which is what the routers compute: floor
division for the output, floor + 1 for the input. Only the ratio of the fee fraction
matters (scaling both terms leaves every floor unchanged), so a fee given as a decimal
fraction (0.003) converts exactly.
"""

from __future__ import annotations

from decimal import Decimal

__all__ = ["amount_in", "amount_out", "fee_fraction"]


def fee_fraction(fee: Decimal) -> tuple[int, int]:
    """``(kept_numerator, denominator)`` of the input kept after a fee of ``fee`` (0.003)."""
    if not Decimal(0) <= fee < Decimal(1):
        raise ValueError(f"a pool fee is a fraction in [0, 1), got {fee}")
    numerator, denominator = fee.as_integer_ratio()
    return denominator - numerator, denominator


def amount_out(amount: int, reserve_in: int, reserve_out: int, fee: tuple[int, int]) -> int:
    """Output for exactly ``amount`` input (UniswapV2Library.getAmountOut)."""
    if amount <= 0:
        raise ValueError(f"the input must be positive, got {amount}")
    if reserve_in <= 0 or reserve_out <= 0:
        raise ValueError("the pool has no liquidity")
    kept, denominator = fee
    with_fee = amount * kept
    return with_fee * reserve_out // (reserve_in * denominator + with_fee)


def amount_in(amount: int, reserve_in: int, reserve_out: int, fee: tuple[int, int]) -> int:
    """Input needed for exactly ``amount`` output (UniswapV2Library.getAmountIn)."""
    if amount <= 0:
        raise ValueError(f"the output must be positive, got {amount}")
    if reserve_in <= 0 or amount >= reserve_out:
        raise ValueError(f"the pool holds {reserve_out} units: it cannot pay {amount}")
    kept, denominator = fee
    return reserve_in * amount * denominator // ((reserve_out - amount) * kept) + 1
