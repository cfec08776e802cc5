"""``arbitrage.adapters.dex`` over Jupiter: the CEX-Jupiter arbitrage leg on the stand-ins."""

from __future__ import annotations

from decimal import Decimal

from plugins.arbitrage.adapters.dex import DexAdapter, DexAdapterArgs
from plugins.prices._pool import PoolPriceArgs
from plugins.prices.jupiter import JupiterPrice
from schemas import Side
from schemas.money import multiply, ratio
from tests.solana.conftest import World, context


async def adapter(world: World) -> DexAdapter:
    venue = await world.venue()
    sol_price = JupiterPrice(PoolPriceArgs(venue=venue, base=str(world.wsol),
                                           quote=str(world.usdc)), context("sol_price"))
    await sol_price.load()
    built = DexAdapter(DexAdapterArgs(venue=venue, symbol="SOL/USDC", base=str(world.wsol),
                                      quote=str(world.usdc), native_price=sol_price),
                       context("jupiter_leg"))
    await built.load()
    return built


async def test_a_buy_quote_is_jupiters_exact_output_route_with_the_fee_in_usdc(
        world: World) -> None:
    dex = await adapter(world)
    quote = await dex.quote(Side.BUY, Decimal("1"))
    assert quote.price == Decimal("200.521307")
    # 0.000105 SOL at 199.480101 USDC = 0.020945410605, rounded up to 0.020946 USDC
    assert quote.fee_rate == ratio(Decimal("0.020946"), Decimal("200.521307"))


async def test_a_buy_takes_exactly_the_amount_at_the_quoted_price(world: World) -> None:
    dex = await adapter(world)
    before = await dex.balance()
    quote = await dex.quote(Side.BUY, Decimal("1"))
    result = await dex.trade(Side.BUY, Decimal("1"), limit_price=quote.worst_price,
                             client_order_id="arb-1")
    after = await dex.balance()
    assert (result.filled, result.average_price) == (Decimal("1"), quote.price)
    assert after.base_free == before.base_free + 1
    assert after.quote_free == before.quote_free - multiply(quote.price, Decimal("1"))
    assert (result.fee, result.fee_currency) == (Decimal("0.00011"), "SOL")
    found = await dex.find_trade(Side.BUY, Decimal("1"), client_order_id="arb-1")
    assert found is not None
    assert found.order_id == result.order_id


async def test_a_sell_receives_at_least_the_limit(world: World) -> None:
    dex = await adapter(world)
    quote = await dex.quote(Side.SELL, Decimal("2"))
    result = await dex.trade(Side.SELL, Decimal("2"), limit_price=quote.worst_price)
    assert result.average_price == quote.price
