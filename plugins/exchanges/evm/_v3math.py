"""Uniswap v3 swap math in Python integers, step for step as the pool contract computes it.

A v3 pool holds liquidity between ticks. A swap walks from the current price towards the
next initialized tick (found in the tick bitmap, one 256-bit word at a time); inside a
range it is a constant-product step (:func:`swap_step`); at an initialized tick it crosses,
adding the tick's ``liquidityNet`` (negated when the price falls). Every rounding below is
the contract's: amounts paid to the pool round up, amounts paid out round down, and the
price moves with the rounding that protects the pool. Where the contract chooses between
two formulas on a uint256 overflow, the same choice is made here, so the result is the
contract's to the unit (checked against QuoterV2 and executed swaps in the tests).

:func:`simulate` runs the whole swap given a reader of the pool's bitmap words and ticks, so
the caller decides where state comes from (RPC at one block, a cache).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

__all__ = ["MAX_SQRT_RATIO", "MIN_SQRT_RATIO", "PoolState", "Swap", "simulate",
           "sqrt_ratio_at_tick", "swap_step"]

Q96 = 1 << 96
UINT256 = (1 << 256) - 1
UINT160 = (1 << 160) - 1
MIN_TICK, MAX_TICK = -887272, 887272
MIN_SQRT_RATIO = 4295128739
MAX_SQRT_RATIO = 1461446703485210103287273052203988822378723970342
PIPS = 1_000_000

_TICK_FACTORS = (
    0xfff97272373d413259a46990580e213a, 0xfff2e50f5f656932ef12357cf3c7fdcc,
    0xffe5caca7e10e4e61c3624eaa0941cd0, 0xffcb9843d60f6159c9db58835c926644,
    0xff973b41fa98c081472e6896dfb254c0, 0xff2ea16466c96a3843ec78b326b52861,
    0xfe5dee046a99a2a811c461f1969c3053, 0xfcbe86c7900a88aedcffc83b479aa3a4,
    0xf987a7253ac413176f2b074cf7815e54, 0xf3392b0822b70005940c7a398e4b70f3,
    0xe7159475a2c29b7443b29c7fa6e889d9, 0xd097f3bdfd2022b8845ad8f792aa5825,
    0xa9f746462d870fdf8a65dc1f90e061e5, 0x70d869a156d2a1b890bb3df62baf32f7,
    0x31be135f97d08fd981231505542fcfa6, 0x9aa508b5b7a84e1c677de54f3e99bc9,
    0x5d6af8dedb81196699c329225ee604, 0x2216e584f5fa1ea926041bedfe98,
    0x48a170391f7dc42444e8fa2,
)
"""1.0001^(-2^i / 2) in Q128 for i = 1..19 (TickMath's constants, public facts)."""


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def sqrt_ratio_at_tick(tick: int) -> int:
    """sqrt(1.0001^tick) in Q64.96, as TickMath.getSqrtRatioAtTick rounds it."""
    if not MIN_TICK <= tick <= MAX_TICK:
        raise ValueError(f"tick {tick} is outside [{MIN_TICK}, {MAX_TICK}]")
    magnitude = abs(tick)
    ratio = 0xfffcb933bd6fad37aa2d162d1a594001 if magnitude & 1 else 1 << 128
    for bit, factor in enumerate(_TICK_FACTORS, start=1):
        if magnitude & (1 << bit):
            ratio = (ratio * factor) >> 128
    if tick > 0:
        ratio = UINT256 // ratio
    return (ratio >> 32) + (1 if ratio & 0xFFFFFFFF else 0)


def amount0_delta(a: int, b: int, liquidity: int, round_up: bool) -> int:
    low, high = min(a, b), max(a, b)
    numerator1, numerator2 = liquidity << 96, high - low
    if round_up:
        return _ceil_div(_ceil_div(numerator1 * numerator2, high), low)
    return numerator1 * numerator2 // high // low


def amount1_delta(a: int, b: int, liquidity: int, round_up: bool) -> int:
    low, high = min(a, b), max(a, b)
    if round_up:
        return _ceil_div(liquidity * (high - low), Q96)
    return liquidity * (high - low) // Q96


def _next_from_amount0(price: int, liquidity: int, amount: int, add: bool) -> int:
    if amount == 0:
        return price
    numerator1 = liquidity << 96
    product = amount * price
    if add:
        if product <= UINT256 and numerator1 + product <= UINT256:
            return _ceil_div(numerator1 * price, numerator1 + product)
        return _ceil_div(numerator1, numerator1 // price + amount)
    if product > UINT256 or numerator1 <= product:
        raise ValueError("the pool cannot pay that much of token0")
    result = _ceil_div(numerator1 * price, numerator1 - product)
    if result > UINT160:
        raise ValueError("price out of range")
    return result


def _next_from_amount1(price: int, liquidity: int, amount: int, add: bool) -> int:
    if add:
        return price + (amount << 96) // liquidity
    quotient = _ceil_div(amount << 96, liquidity)
    if price <= quotient:
        raise ValueError("the pool cannot pay that much of token1")
    return price - quotient


def swap_step(price: int, target: int, liquidity: int, remaining: int,
              fee: int) -> tuple[int, int, int, int]:
    """SwapMath.computeSwapStep: (next price, amount in, amount out, fee amount).
    ``remaining`` > 0 is an exact input left, < 0 an exact output left."""
    zero_for_one = price >= target
    exact_in = remaining >= 0
    if exact_in:
        less_fee = remaining * (PIPS - fee) // PIPS
        amount_in = (amount0_delta(target, price, liquidity, True) if zero_for_one
                     else amount1_delta(price, target, liquidity, True))
        if less_fee >= amount_in:
            next_price = target
        elif zero_for_one:
            next_price = _next_from_amount0(price, liquidity, less_fee, True)
        else:
            next_price = _next_from_amount1(price, liquidity, less_fee, True)
    else:
        amount_out = (amount1_delta(target, price, liquidity, False) if zero_for_one
                      else amount0_delta(price, target, liquidity, False))
        if -remaining >= amount_out:
            next_price = target
        elif zero_for_one:
            next_price = _next_from_amount1(price, liquidity, -remaining, False)
        else:
            next_price = _next_from_amount0(price, liquidity, -remaining, False)
    reached = next_price == target
    if zero_for_one:
        if not (reached and exact_in):
            amount_in = amount0_delta(next_price, price, liquidity, True)
        if not (reached and not exact_in):
            amount_out = amount1_delta(next_price, price, liquidity, False)
    else:
        if not (reached and exact_in):
            amount_in = amount1_delta(price, next_price, liquidity, True)
        if not (reached and not exact_in):
            amount_out = amount0_delta(price, next_price, liquidity, False)
    if not exact_in and amount_out > -remaining:
        amount_out = -remaining
    if exact_in and next_price != target:
        fee_amount = remaining - amount_in
    else:
        fee_amount = _ceil_div(amount_in * fee, PIPS - fee)
    return next_price, amount_in, amount_out, fee_amount


@dataclass(frozen=True)
class PoolState:
    """What a swap starts from: slot0's price and tick, in-range liquidity, fee, spacing."""

    sqrt_price: int
    tick: int
    liquidity: int
    fee: int
    tick_spacing: int


@dataclass(frozen=True)
class Swap:
    """A simulated swap's amounts and how many initialized ticks it crossed."""

    amount_in: int
    amount_out: int
    sqrt_price_after: int
    ticks_crossed: int


BitmapReader = Callable[[int], Awaitable[int]]
"""Reads ``tickBitmap(word)``."""
NetReader = Callable[[int], Awaitable[int]]
"""Reads ``ticks(tick).liquidityNet``."""


async def _next_initialized(tick: int, spacing: int, lte: bool,
                            bitmap: BitmapReader) -> tuple[int, bool]:
    compressed = tick // spacing
    if lte:
        word, bit = compressed >> 8, compressed & 0xFF
        masked = await bitmap(word) & ((1 << bit) - 1 + (1 << bit))
        if masked:
            return (compressed - (bit - (masked.bit_length() - 1))) * spacing, True
        return (compressed - bit) * spacing, False
    word, bit = (compressed + 1) >> 8, (compressed + 1) & 0xFF
    masked = await bitmap(word) & (UINT256 ^ ((1 << bit) - 1))
    if masked:
        lowest = (masked & -masked).bit_length() - 1
        return (compressed + 1 + (lowest - bit)) * spacing, True
    return (compressed + 1 + (255 - bit)) * spacing, False


async def simulate(state: PoolState, zero_for_one: bool, amount: int, exact_in: bool,
                   bitmap: BitmapReader, net: NetReader) -> Swap:
    """UniswapV3Pool.swap's amounts, without a price limit (the quoter's default); raises
    ``ValueError`` when the pool's liquidity runs out before the amount is filled."""
    if amount <= 0:
        raise ValueError(f"the amount must be positive, got {amount}")
    limit = MIN_SQRT_RATIO + 1 if zero_for_one else MAX_SQRT_RATIO - 1
    remaining = amount if exact_in else -amount
    calculated = 0
    price, tick, liquidity, crossed = state.sqrt_price, state.tick, state.liquidity, 0
    while remaining != 0 and price != limit:
        start = price
        tick_next, initialized = await _next_initialized(
            tick, state.tick_spacing, zero_for_one, bitmap)
        tick_next = max(MIN_TICK, min(MAX_TICK, tick_next))
        price_next = sqrt_ratio_at_tick(tick_next)
        beyond = price_next < limit if zero_for_one else price_next > limit
        price, step_in, step_out, fee_amount = swap_step(
            price, limit if beyond else price_next, liquidity, remaining, state.fee)
        if exact_in:
            remaining -= step_in + fee_amount
            calculated += step_out
        else:
            remaining += step_out
            calculated += step_in + fee_amount
        if price == price_next:
            if initialized:
                change = await net(tick_next)
                liquidity += -change if zero_for_one else change
                crossed += 1
            tick = tick_next - 1 if zero_for_one else tick_next
        elif price != start:
            break  # a partial step ends the swap: the amount is filled
    if remaining != 0:
        raise ValueError("the pool's liquidity runs out before the amount is filled")
    if exact_in:
        return Swap(amount, calculated, price, crossed)
    return Swap(calculated, amount, price, crossed)
