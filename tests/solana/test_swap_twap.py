"""``execution.swap_twap`` over Jupiter (the aggregator's stand-in on a LiteSVM chain): the
on-chain TWAP works with any swap venue, one that reports no pool swaps included."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from fortuna import Context, VirtualClock
from fortuna._internal.clock import VirtualClockArgs
from plugins.execution.swap_twap import SwapTwap, SwapTwapArgs
from plugins.prices.fixed import FixedPrice, FixedPriceArgs
from schemas import Side
from tests.solana.conftest import World, context

D = Decimal


async def test_a_twap_over_jupiter_buys_its_amount_exactly_and_counts_the_fees(
    world: World
) -> None:
    venue = await world.venue()
    sol_price = FixedPrice(FixedPriceArgs(price=D(200)), context("sol_price"))
    clock = VirtualClock(VirtualClockArgs(start=datetime.now(UTC)), Context(name="clock"))
    twap = SwapTwap(SwapTwapArgs(
        venue=venue, symbol="SOL/USDC", base=str(world.wsol), quote=str(world.usdc),
        native_price=sol_price, side=Side.BUY, amount=D(2), window=60.0, slices=2,
        interval=10.0, mandate="sol_twap", max_slippage=D("0.02")),
        Context(name="twap", clock=clock))
    await twap.load()
    usdc, sol = await venue.token(str(world.usdc)), await venue.token(str(world.wsol))
    sol_before, usdc_before = await venue.balance(sol), await venue.balance(usdc)
    await twap.on_start()
    while not twap.stop_requested:
        await twap.tick()
        await clock.advance(10.0)
    await twap.on_stop()
    report = twap.report
    assert report is not None
    assert (report.state, report.filled, report.sent) == ("done", D(2), 2)
    assert report.vwap is None  # an aggregator reports no pool swaps
    assert report.gas == D("0.00022")  # two swaps at 0.00011 SOL each
    assert report.fees == D("0.044")  # valued at 200 USDC per SOL
    assert report.fee_currency == "USDC"
    assert await venue.balance(sol) - sol_before == D(2)  # wrapped SOL, exactly
    assert usdc_before - await venue.balance(usdc) == twap.progress.cost
