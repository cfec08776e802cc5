"""Uniswap v3 on anvil (the published core and periphery builds): local quotes crossing
ticks agree with QuoterV2 and with executed swaps, to the unit; refusals carry the router's
reasons."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from pydantic import ValidationError

from plugins.exchanges.evm._v3math import (
    MAX_SQRT_RATIO,
    MAX_TICK,
    MIN_SQRT_RATIO,
    MIN_TICK,
    sqrt_ratio_at_tick,
)
from plugins.exchanges.evm.uniswap_v3 import UniswapV3Args
from schemas import BadSymbol, InvalidOrder
from schemas.swap import SwapKind
from tests.evm.conftest import V3_SPACING, Parts, World
from tests.evm.venues import deadline, tokens, v3_venue

NARROW_LOW = 200311 // V3_SPACING * V3_SPACING - 120


def test_sqrt_ratios_at_the_tick_bounds_are_the_contracts() -> None:
    assert sqrt_ratio_at_tick(0) == 1 << 96
    assert sqrt_ratio_at_tick(MIN_TICK) == MIN_SQRT_RATIO
    assert sqrt_ratio_at_tick(MAX_TICK) == MAX_SQRT_RATIO
    with pytest.raises(ValueError, match="outside"):
        sqrt_ratio_at_tick(MAX_TICK + 1)


async def test_the_mid_price_is_read_from_sqrt_price_in_both_orientations(
    world: World, parts: Parts
) -> None:
    venue = await v3_venue(world, parts)
    usdc, weth = await tokens(venue, world)
    assert (await venue.mid_price(weth, usdc)).price == Decimal(2000)
    assert (await venue.mid_price(usdc, weth)).price == Decimal("0.0005")


async def test_local_quotes_agree_with_quoter_v2_across_sizes_and_crossings(
    world: World, parts: Parts
) -> None:
    local, quoter = await v3_venue(world, parts), await v3_venue(world, parts, "quoter")
    usdc, weth = await tokens(local, world)
    draw = random.Random(3)
    cases = [(SwapKind.EXACT_IN, weth, usdc, Decimal(3000)),  # crosses above the narrow range
             (SwapKind.EXACT_IN, usdc, weth, Decimal(900_000)),  # crosses below it
             (SwapKind.EXACT_OUT, usdc, weth, Decimal(150)),
             (SwapKind.EXACT_OUT, weth, usdc, Decimal(1_000_000))]
    for _ in range(10):
        kind = draw.choice([SwapKind.EXACT_IN, SwapKind.EXACT_OUT])
        token_in, token_out = draw.choice([(usdc, weth), (weth, usdc)])
        exact = token_in if kind is SwapKind.EXACT_IN else token_out
        scale = Decimal(10) ** (draw.randint(-2, 5) if exact is usdc else draw.randint(-7, 2))
        cases.append((kind, token_in, token_out, exact.from_units(
            exact.to_units(Decimal(draw.randint(1, 999)) * scale / 100))))
    for kind, token_in, token_out, amount in cases:
        try:
            mine = await local.quote(kind, token_in, token_out, amount)
        except InvalidOrder:  # more than the pool holds: the quoter must refuse it too
            with pytest.raises(InvalidOrder):
                await quoter.quote(kind, token_in, token_out, amount)
            continue
        theirs = await quoter.quote(kind, token_in, token_out, amount)
        assert (mine.amount_in, mine.amount_out) == (theirs.amount_in, theirs.amount_out), amount


@pytest.mark.parametrize("kind", [SwapKind.EXACT_IN, SwapKind.EXACT_OUT])
async def test_a_swap_crossing_ticks_executes_exactly_the_local_quote(
    kind: SwapKind, world: World, parts: Parts
) -> None:
    venue = await v3_venue(world, parts)
    usdc, weth = await tokens(venue, world)
    # buying WETH lowers the tick (token0 is USDC): 900k USDC leaves the narrow range
    amount = Decimal(900_000) if kind is SwapKind.EXACT_IN else Decimal(150)
    quote = await venue.quote(kind, usdc, weth, amount)
    receipt = await venue.swap(quote.request(Decimal("0.001"), deadline(venue)))
    assert (receipt.amount_in, receipt.amount_out) == (quote.amount_in, quote.amount_out)
    pool = world.anvil.web3.eth.contract(address=world.v3_pool, abi=[{  # type: ignore[call-overload]
        "type": "function", "name": "slot0", "stateMutability": "view", "inputs": [],
        "outputs": [{"name": n, "type": t} for n, t in (
            ("p", "uint160"), ("tick", "int24"), ("i", "uint16"), ("c", "uint16"),
            ("n", "uint16"), ("f", "uint8"), ("u", "bool"))]}])
    assert pool.functions.slot0().call()[1] < NARROW_LOW  # the swap left the narrow range


async def test_a_fee_tier_without_a_pool_is_a_bad_symbol(world: World, parts: Parts) -> None:
    venue = await v3_venue(world, parts, fee_tier=500)
    usdc, weth = await tokens(venue, world)
    with pytest.raises(BadSymbol, match="fee tier 500"):
        await venue.quote(SwapKind.EXACT_IN, usdc, weth, Decimal(1))


async def test_more_than_the_pool_holds_is_refused(world: World, parts: Parts) -> None:
    venue = await v3_venue(world, parts)
    usdc, weth = await tokens(venue, world)
    with pytest.raises(InvalidOrder, match="runs out"):
        await venue.quote(SwapKind.EXACT_OUT, usdc, weth, Decimal(100_000))


def test_quoting_through_the_quoter_needs_its_address(world: World, parts: Parts) -> None:
    with pytest.raises(ValidationError, match="needs the QuoterV2 address"):
        UniswapV3Args.model_validate({
            "chain": parts.chain, "factory": world.v3_factory.address,
            "router": world.v3_router.address, "quotes": "quoter"})
