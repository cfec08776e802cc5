"""``prices.xexchange`` and ``arbitrage.adapters.dex`` over the xExchange venue.

WEGLD is wrapped EGLD (1:1), so the pair's own price values the gas in USDC. Expected
amounts are the pair's formula worked by hand on 1234.5 WEGLD / 45678.9 USDC, 0.3% fee.
"""

from __future__ import annotations

from decimal import Decimal

from plugins.arbitrage.adapters.dex import DexAdapter, DexAdapterArgs
from plugins.prices._pool import PoolPriceArgs
from plugins.prices.xexchange import XExchangePrice
from schemas import Side
from schemas.money import multiply
from tests.multiversx.conftest import USDC, WEGLD, World
from tests.solana.conftest import context

MID = Decimal("37.00194410692588092345078979343864")
ONE_WEGLD_COSTS = Decimal("37.143372")  # USDC in for exactly 1 WEGLD out
TWO_WEGLD_GIVE = Decimal("73.662894")  # USDC out for exactly 2 WEGLD in


async def price_of(world: World) -> XExchangePrice:
    provider = XExchangePrice(
        PoolPriceArgs(venue=await world.venue(wallet=False), base=WEGLD, quote=USDC),
        context("egld_price"))
    await provider.load()
    return provider


async def adapter(world: World) -> DexAdapter:
    built = DexAdapter(DexAdapterArgs(venue=await world.venue(), symbol="EGLD/USDC",
                                      base=WEGLD, quote=USDC,
                                      native_price=await price_of(world)),
                       context("xexchange_leg"))
    await built.load()
    return built


async def test_the_price_is_the_pairs_reserves_ratio_stamped_with_pair_and_block(
        world: World) -> None:
    quote = await (await price_of(world)).quote()
    assert quote.price == MID
    assert quote.source == f"egld_price:{world.pair}@{world.chain.block}"


async def test_the_price_follows_the_pair_after_a_swap_moves_it(world: World) -> None:
    provider = await price_of(world)
    world.chain.pairs[world.pair].reserves[USDC] = 49_380_000_000  # 49380 USDC
    assert await provider.price() == 40


async def test_a_buy_quote_is_the_pairs_exact_output_amount(world: World) -> None:
    quote = await (await adapter(world)).quote(Side.BUY, Decimal(1))
    assert quote.price == ONE_WEGLD_COSTS


async def test_a_buy_takes_exactly_the_amount_at_the_quoted_price(world: World) -> None:
    dex = await adapter(world)
    before = await dex.balance()
    quote = await dex.quote(Side.BUY, Decimal(1))
    result = await dex.trade(Side.BUY, Decimal(1), limit_price=quote.worst_price,
                             client_order_id="arb-1")
    after = await dex.balance()
    assert (result.filled, result.average_price) == (Decimal(1), ONE_WEGLD_COSTS)
    assert after.base_free == before.base_free + 1
    assert after.quote_free == before.quote_free - multiply(quote.price, Decimal(1))
    (sent,) = world.chain.transactions.values()
    assert (result.fee, result.fee_currency) == (Decimal(sent["fee"]) / 10**18, "EGLD")
    found = await dex.find_trade(Side.BUY, Decimal(1), client_order_id="arb-1")
    assert found is not None
    assert found.order_id == result.order_id


async def test_a_sell_receives_exactly_the_quoted_amount(world: World) -> None:
    dex = await adapter(world)
    before = await dex.balance()
    quote = await dex.quote(Side.SELL, Decimal(2))
    result = await dex.trade(Side.SELL, Decimal(2), limit_price=quote.worst_price)
    after = await dex.balance()
    assert after.quote_free == before.quote_free + TWO_WEGLD_GIVE
    assert after.base_free == before.base_free - 2
    assert result.average_price == TWO_WEGLD_GIVE / 2
