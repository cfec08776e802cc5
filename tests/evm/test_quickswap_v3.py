"""QuickSwap v3 on anvil (Algebra's published core and periphery builds): quotes from
Algebra's Quoter equal executed swaps to the unit, with the pool's dynamic fee; refusals
carry the router's reasons; the mid price comes from globalState with its block."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from plugins.exchanges.evm.quickswap_v3 import (
    ALGEBRA_V1_INIT_CODE_HASH,
    QuickSwapV3Args,
)
from plugins.prices._pool import PoolPriceArgs
from plugins.prices.quickswap_v3 import QuickswapV3Price
from schemas import BadSymbol, InvalidOrder
from schemas.swap import SlippageExceeded, SwapKind
from tests.evm.conftest import Parts, World, context
from tests.evm.venues import algebra_venue, deadline, tokens, with_limit


def global_state(world: World) -> tuple[int, int]:
    pool = world.anvil.web3.eth.contract(address=world.algebra.pool, abi=[{  # type: ignore[call-overload]
        "type": "function", "name": "globalState", "stateMutability": "view", "inputs": [],
        "outputs": [{"name": "price", "type": "uint160"}, {"name": "tick", "type": "int24"}]}])
    price, tick = pool.functions.globalState().call()
    return int(price), int(tick)


async def test_the_pool_address_is_computed_from_the_pool_deployer_and_init_code_hash(
    world: World, parts: Parts
) -> None:
    venue = await algebra_venue(world, parts)
    assert venue.pool_address(world.weth.address, world.usdc.address) == world.algebra.pool
    assert venue.pool_address(world.usdc.address, world.weth.address) == world.algebra.pool


async def test_the_default_init_code_hash_is_algebra_v1s_and_finds_no_npm_pool(
    world: World, parts: Parts
) -> None:
    venue = await algebra_venue(world, parts, init_code_hash=ALGEBRA_V1_INIT_CODE_HASH)
    usdc, weth = await tokens(venue, world)
    with pytest.raises(BadSymbol, match="no USDC/WETH pool"):
        await venue.quote(SwapKind.EXACT_IN, usdc, weth, Decimal(1))


async def test_the_mid_price_is_read_from_global_state_in_both_orientations(
    world: World, parts: Parts
) -> None:
    venue = await algebra_venue(world, parts)
    usdc, weth = await tokens(venue, world)
    assert (await venue.mid_price(weth, usdc)).price == Decimal(2000)
    assert (await venue.mid_price(usdc, weth)).price == Decimal("0.0005")


async def test_a_quote_carries_the_dynamic_fee_the_pool_charges(
    world: World, parts: Parts
) -> None:
    venue = await algebra_venue(world, parts)
    usdc, weth = await tokens(venue, world)
    quote = await venue.quote(SwapKind.EXACT_IN, weth, usdc, Decimal(1))
    assert quote.fee_rate == Decimal("0.0001")  # the fresh pool's base fee: 100 / 10^6
    assert Decimal(1990) < quote.amount_out < Decimal(2000)
    assert quote.block == await parts.chain.web3.eth.block_number


@pytest.mark.parametrize("kind", [SwapKind.EXACT_IN, SwapKind.EXACT_OUT])
@pytest.mark.parametrize("direction", ["buy_weth", "sell_weth"])
async def test_swaps_of_many_sizes_execute_exactly_their_quotes(
    kind: SwapKind, direction: str, world: World, parts: Parts
) -> None:
    venue = await algebra_venue(world, parts)
    usdc, weth = await tokens(venue, world)
    token_in, token_out = (usdc, weth) if direction == "buy_weth" else (weth, usdc)
    exact = token_in if kind is SwapKind.EXACT_IN else token_out
    sizes = ([Decimal("0.001"), Decimal(37), Decimal("12345.678901")] if exact is usdc
             else [Decimal("0.000000001"), Decimal("0.5"), Decimal(7)])
    for amount in sizes:
        quote = await venue.quote(kind, token_in, token_out, amount)
        receipt = await venue.swap(quote.request(Decimal("0.01"), deadline(venue)))
        assert (receipt.amount_in, receipt.amount_out) == (quote.amount_in, quote.amount_out)


@pytest.mark.parametrize("kind", [SwapKind.EXACT_IN, SwapKind.EXACT_OUT])
async def test_a_swap_leaving_the_narrow_range_executes_exactly_its_quote(
    kind: SwapKind, world: World, parts: Parts
) -> None:
    venue = await algebra_venue(world, parts)
    usdc, weth = await tokens(venue, world)
    _, tick_before = global_state(world)
    amount = Decimal(300_000) if kind is SwapKind.EXACT_IN else Decimal(100)
    quote = await venue.quote(kind, usdc, weth, amount)
    receipt = await venue.swap(quote.request(Decimal("0.001"), deadline(venue)))
    assert (receipt.amount_in, receipt.amount_out) == (quote.amount_in, quote.amount_out)
    _, tick_after = global_state(world)
    assert abs(tick_after - tick_before) > 120  # crossed the narrow position's edge


async def test_an_exact_out_swap_above_its_maximum_is_refused_with_the_routers_reason(
    world: World, parts: Parts
) -> None:
    # an allowance above the maximum, so the router (not the token) judges the amount
    venue = await algebra_venue(world, parts,
                                allowance_caps={world.usdc.address: Decimal(1_000_000)})
    usdc, weth = await tokens(venue, world)
    quote = await venue.quote(SwapKind.EXACT_OUT, usdc, weth, Decimal(1))
    request = with_limit(quote.request(Decimal(0), deadline(venue)),
                         quote.amount_in - Decimal("0.000001"))
    with pytest.raises(SlippageExceeded, match="Too much requested"):
        await venue.swap(request)


async def test_more_than_the_pool_holds_is_refused(world: World, parts: Parts) -> None:
    venue = await algebra_venue(world, parts)
    usdc, weth = await tokens(venue, world)
    with pytest.raises(InvalidOrder, match="Quoter cannot quote it"):
        await venue.quote(SwapKind.EXACT_OUT, usdc, weth, Decimal(100_000))


async def test_a_zero_amount_is_refused_before_any_call(world: World, parts: Parts) -> None:
    venue = await algebra_venue(world, parts)
    usdc, weth = await tokens(venue, world)
    with pytest.raises(InvalidOrder, match="must be positive"):
        await venue.quote(SwapKind.EXACT_IN, usdc, weth, Decimal(0))


async def test_digits_beyond_the_tokens_decimals_are_refused(
    world: World, parts: Parts
) -> None:
    venue = await algebra_venue(world, parts)
    usdc, weth = await tokens(venue, world)
    with pytest.raises(InvalidOrder):
        await venue.quote(SwapKind.EXACT_IN, usdc, weth, Decimal("1.0000001"))


@pytest.mark.parametrize("field", ["pool_deployer", "router", "quoter", "init_code_hash"])
def test_a_malformed_address_or_hash_is_a_located_error(
    field: str, world: World, parts: Parts
) -> None:
    args: dict[str, Any] = {
        "chain": parts.chain, "pool_deployer": world.algebra.pool_deployer.address,
        "router": world.algebra.router.address, "quoter": world.algebra.quoter.address}
    args[field] = "0x1234"
    with pytest.raises(ValidationError, match=field):
        QuickSwapV3Args.model_validate(args)


async def test_the_price_provider_reads_the_pool_with_its_block(
    world: World, parts: Parts
) -> None:
    venue = await algebra_venue(world, parts)
    provider = QuickswapV3Price(PoolPriceArgs(
        venue=venue, base=world.weth.address, quote=world.usdc.address),
        context("quickswap_v3_price"))
    await provider.load()
    quote = await provider.quote()
    assert quote.price == Decimal(2000)
    block = await parts.chain.web3.eth.block_number
    assert quote.source == f"quickswap_v3_price:{world.algebra.pool}@{block}"
    usdc, weth = await tokens(venue, world)
    sold = await venue.quote(SwapKind.EXACT_IN, weth, usdc, Decimal(50))
    await venue.swap(sold.request(Decimal("0.01"), deadline(venue)))
    assert await provider.price() < Decimal(2000)  # selling WETH lowered its price


async def test_after_volatility_the_fee_rises_and_swaps_still_execute_their_quotes(
    world: World, parts: Parts
) -> None:
    venue = await algebra_venue(world, parts)
    usdc, weth = await tokens(venue, world)
    for kind, token_in, token_out, amount in (
        (SwapKind.EXACT_IN, usdc, weth, Decimal(300_000)),
        (SwapKind.EXACT_IN, weth, usdc, Decimal(150)),
        (SwapKind.EXACT_OUT, usdc, weth, Decimal(120)),
    ):
        # the pool's volatility is averaged over time (deadlines allow the chain's jumps)
        world.anvil.rpc("evm_increaseTime", 600)
        world.anvil.rpc("evm_mine")
        quote = await venue.quote(kind, token_in, token_out, amount)
        receipt = await venue.swap(quote.request(Decimal("0.05"), deadline(venue, minutes=120)))
        assert (receipt.amount_in, receipt.amount_out) == (quote.amount_in, quote.amount_out)
    world.anvil.rpc("evm_increaseTime", 600)
    world.anvil.rpc("evm_mine")
    quote = await venue.quote(SwapKind.EXACT_IN, weth, usdc, Decimal(1))
    assert quote.fee_rate > Decimal("0.0001")  # no longer the calm pool's base fee
    receipt = await venue.swap(quote.request(Decimal("0.01"), deadline(venue, minutes=120)))
    assert (receipt.amount_in, receipt.amount_out) == (quote.amount_in, quote.amount_out)
