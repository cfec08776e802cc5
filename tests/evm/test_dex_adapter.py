"""``arbitrage.adapters.dex`` over the Uniswap v2 pool on anvil: quotes net of gas that
match the swaps, trades bounded by the limit price, balances."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from plugins.arbitrage.adapters.dex import DexAdapter, DexAdapterArgs
from plugins.arbitrage.converters.identity import IdentityConverter
from plugins.exchanges.evm.uniswap_v2 import UniswapV2
from plugins.prices._pool import PoolPriceArgs
from plugins.prices.uniswap_v2 import UniswapV2Price
from schemas import Side
from schemas.arbitrage import InsufficientDepth
from schemas.money import Rounding, multiply, ratio, round_to
from schemas.swap import SlippageExceeded, SwapKind
from tests.evm.conftest import Parts, World, context
from tests.evm.venues import tokens, v2_venue

SYMBOL = "WETH/USDC"


async def adapter(world: World, venue: UniswapV2) -> DexAdapter:
    eth_price = UniswapV2Price(PoolPriceArgs(venue=venue, base=world.weth.address,
                                             quote=world.usdc.address), context("eth_price"))
    await eth_price.load()
    built = DexAdapter(DexAdapterArgs(venue=venue, symbol=SYMBOL, base=world.weth.address,
                                      quote=world.usdc.address, native_price=eth_price),
                       context("dex"))
    await built.load()
    return built


async def test_a_buy_quote_is_the_exact_output_swap_plus_gas(world: World, parts: Parts) -> None:
    venue = await v2_venue("uniswap_v2", world, parts)
    dex = await adapter(world, venue)
    usdc, weth = await tokens(venue, world)
    swap = await venue.quote(SwapKind.EXACT_OUT, usdc, weth, Decimal("0.5"))
    quote = await dex.quote(Side.BUY, Decimal("0.5"))
    gas_in_usdc = round_to(multiply(swap.gas_cost or Decimal(0), Decimal(2000)),
                           Decimal("0.000001"), Rounding.UP)
    assert quote.price == ratio(swap.amount_in, Decimal("0.5"))
    assert quote.fee_rate == ratio(gas_in_usdc, swap.amount_in)
    assert quote.worst_price == quote.price


async def test_a_sell_quote_is_the_exact_input_swap_less_gas(world: World, parts: Parts) -> None:
    venue = await v2_venue("uniswap_v2", world, parts)
    dex = await adapter(world, venue)
    usdc, weth = await tokens(venue, world)
    swap = await venue.quote(SwapKind.EXACT_IN, weth, usdc, Decimal("0.5"))
    quote = await dex.quote(Side.SELL, Decimal("0.5"))
    assert quote.price == ratio(swap.amount_out, Decimal("0.5"))
    assert quote.net_cost < swap.amount_out  # gas comes off the proceeds


async def test_a_buy_takes_exactly_the_amount_at_the_quoted_price(
    world: World, parts: Parts
) -> None:
    venue = await v2_venue("uniswap_v2", world, parts)
    dex = await adapter(world, venue)
    before = await dex.balance()
    quote = await dex.quote(Side.BUY, Decimal("0.25"))
    result = await dex.trade(Side.BUY, Decimal("0.25"), limit_price=quote.worst_price,
                             client_order_id="arb-1")
    after = await dex.balance()
    assert result.filled == Decimal("0.25")
    assert result.average_price == quote.price
    assert after.base_free == before.base_free + Decimal("0.25")
    assert after.quote_free == before.quote_free - multiply(quote.price, Decimal("0.25"))
    assert result.fee_currency == "ETH"
    assert result.fee_in_quote is not None
    assert result.fee_in_quote > 0
    assert result.order_id is not None
    found = await dex.find_trade(Side.BUY, Decimal("0.25"), client_order_id="arb-1")
    assert found is not None
    assert (found.order_id, found.filled, found.average_price, found.fee) == (
        result.order_id, result.filled, result.average_price, result.fee)


async def test_a_sell_below_its_limit_is_refused_and_fills_nothing(
    world: World, parts: Parts
) -> None:
    venue = await v2_venue("uniswap_v2", world, parts)
    dex = await adapter(world, venue)
    before = await dex.balance()
    quote = await dex.quote(Side.SELL, Decimal("1"))
    with pytest.raises(SlippageExceeded, match="INSUFFICIENT_OUTPUT_AMOUNT"):
        await dex.trade(Side.SELL, Decimal("1"), limit_price=quote.price + Decimal("0.01"))
    assert await dex.balance() == before


async def test_more_than_the_pool_holds_is_insufficient_depth(world: World, parts: Parts) -> None:
    venue = await v2_venue("uniswap_v2", world, parts)
    dex = await adapter(world, venue)
    with pytest.raises(InsufficientDepth):
        await dex.quote(Side.BUY, Decimal(1000))


async def test_an_unknown_client_order_id_was_never_placed(world: World, parts: Parts) -> None:
    venue = await v2_venue("uniswap_v2", world, parts)
    dex = await adapter(world, venue)
    assert await dex.find_trade(Side.BUY, Decimal(1), client_order_id="never") is None


async def test_gas_must_be_valued_one_way_exactly(world: World, parts: Parts) -> None:
    venue = await v2_venue("uniswap_v2", world, parts)
    converter = IdentityConverter(IdentityConverter.Args(), context("identity"))
    with pytest.raises(ValidationError, match="exactly one of native_price or converter"):
        DexAdapterArgs(venue=venue, symbol=SYMBOL, base=world.weth.address,
                       quote=world.usdc.address)
    DexAdapterArgs(venue=venue, symbol=SYMBOL, base=world.weth.address,
                   quote=world.usdc.address, converter=converter)
