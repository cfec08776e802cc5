"""The pool price providers: exact mid prices in either orientation, stamped with the block
time, for each pool kind."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest

from plugins.exchanges.evm.quickswap import QuickSwap
from plugins.exchanges.evm.uniswap_v2 import UniswapV2Args
from plugins.prices._pool import PoolPriceArgs, PoolPriceProvider
from plugins.prices.pancakeswap import PancakeswapPrice
from plugins.prices.quickswap import QuickswapPrice
from plugins.prices.uniswap_v2 import UniswapV2Price
from plugins.prices.uniswap_v3 import UniswapV3Price
from schemas import PriceUnavailable
from schemas.swap import SwapKind, SwapVenue
from tests.evm.chain import CONTRACTS
from tests.evm.conftest import Parts, World, context
from tests.evm.venues import deadline, tokens, v2_venue, v3_venue


async def venue_of(kind: str, world: World, parts: Parts) -> SwapVenue:
    if kind == "uniswap_v3":
        return await v3_venue(world, parts)
    if kind == "quickswap":  # the Uniswap v2 contracts under QuickSwap's id
        venue = QuickSwap(UniswapV2Args(chain=parts.chain, factory=world.v2_factory.address,
                                        router=world.v2_router.address), context("quickswap"))
        await venue.load()
        return venue
    return await v2_venue(kind, world, parts)


PROVIDERS: dict[str, type[PoolPriceProvider[PoolPriceArgs]]] = {
    "uniswap_v2": UniswapV2Price, "pancakeswap": PancakeswapPrice,
    "quickswap": QuickswapPrice, "uniswap_v3": UniswapV3Price,
}


@pytest.mark.parametrize("kind", sorted(PROVIDERS))
async def test_a_pool_price_is_exact_in_both_orientations_at_its_block(
    kind: str, world: World, parts: Parts
) -> None:
    venue = await venue_of(kind, world, parts)
    provider = PROVIDERS[kind]
    weth_in_usdc = provider(PoolPriceArgs(venue=venue, base=world.weth.address,
                                          quote=world.usdc.address), context("price"))
    usdc_in_weth = provider(PoolPriceArgs(venue=venue, base=world.usdc.address,
                                          quote=world.weth.address), context("inverse"))
    await weth_in_usdc.load()
    await usdc_in_weth.load()
    assert await weth_in_usdc.price() == Decimal(2000)
    assert await usdc_in_weth.price() == Decimal("0.0005")
    quote = await weth_in_usdc.quote()
    block = world.anvil.web3.eth.get_block("latest")
    assert quote.timestamp.timestamp() == block["timestamp"]
    assert quote.source.endswith(f"@{block['number']}")


async def test_a_v2_price_after_a_swap_is_the_new_reserve_ratio_to_34_digits(
    world: World, parts: Parts
) -> None:
    venue = await v2_venue("uniswap_v2", world, parts)
    usdc, weth = await tokens(venue, world)
    quote = await venue.quote(SwapKind.EXACT_IN, usdc, weth, Decimal(1000))
    await venue.swap(quote.request(Decimal("0.01"), deadline(venue)))
    provider = UniswapV2Price(PoolPriceArgs(venue=venue, base=world.weth.address,
                                            quote=world.usdc.address), context("price"))
    usdc_reserve = 2_000_000 + 1000
    weth_reserve = Decimal(1000) - quote.amount_out
    price = await provider.price()
    with localcontext() as wide:
        wide.prec = 100
        error = abs(price - Decimal(usdc_reserve) / weth_reserve)
    assert len(price.as_tuple().digits) == 34
    assert error < Decimal("1e-30")  # 34 significant digits of a 4-digit price


@pytest.mark.parametrize("kind", sorted(PROVIDERS))
async def test_a_pair_without_a_pool_is_price_unavailable_naming_the_provider(
    kind: str, world: World, parts: Parts
) -> None:
    venue = await venue_of(kind, world, parts)
    lonely = world.deployer.deploy(CONTRACTS / "TestToken.json", "Lonely", "LONE", 18)
    provider = PROVIDERS[kind](PoolPriceArgs(venue=venue, base=lonely.address,
                                             quote=world.usdc.address), context("price"))
    await provider.load()
    with pytest.raises(PriceUnavailable) as raised:
        await provider.quote()
    assert raised.value.source == "price"
