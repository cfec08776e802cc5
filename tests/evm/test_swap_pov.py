"""``execution.swap_pov`` on a real Uniswap v2 pair on anvil, another account trading known
volume in it: participation within the band, the pool's swaps read from its events."""

from __future__ import annotations

from decimal import Decimal

from plugins.exchanges.evm.uniswap_v2 import UniswapV2
from tests.evm.conftest import World
from tests.evm.execution import Trader, session, swap_mandate

D = Decimal


async def test_fills_stay_within_the_band_of_the_other_traders_volume(world: World) -> None:
    trader = Trader(world)
    spec = swap_mandate(world, "swap_pov", amount="5", rate="0.1", min_child="0.1",
                        max_child="1", interval="10s")
    async with session(spec) as s:
        service = s.service
        for _ in range(15):
            trader.sell_weth(D(2))
            await s.step()
            target = D("0.1") * trader.sold
            assert target - D("0.1") <= service.progress.filled <= target
        await service.on_stop()
        assert s.failures == []
        report = service.report
    assert report is not None
    assert report.filled == D(3)  # 10 % of 30 WETH sold by the other account
    assert report.vwap is not None


async def test_a_lag_under_the_minimum_swap_sends_nothing(world: World) -> None:
    trader = Trader(world)
    spec = swap_mandate(world, "swap_pov", amount="5", rate="0.1", min_child="0.5",
                        max_child="1", interval="10s")
    async with session(spec) as s:
        trader.sell_weth(D(4))  # target 0.4, under the minimum of 0.5
        await s.step()
        assert s.service.progress.sent == 0
        trader.sell_weth(D(1))  # target 0.5
        await s.step()
        assert s.service.progress.filled == D("0.5")


async def test_the_fills_never_pass_the_parent_amount(world: World) -> None:
    trader = Trader(world)
    spec = swap_mandate(world, "swap_pov", amount="0.75", rate="0.5", min_child="0.1",
                        max_child="1", interval="10s")
    async with session(spec) as s:
        trader.sell_weth(D(10))
        while await s.step():
            pass
        await s.service.on_stop()
        report = s.service.report
    assert report is not None
    assert (report.state, report.filled) == ("done", D("0.75"))


async def test_the_pools_swaps_are_read_from_its_events_exactly(world: World) -> None:
    trader = Trader(world)
    async with session(swap_mandate(world, "swap_pov", rate="0.1", min_child="0.1",
                                    max_child="1"), started=False) as s:
        venue = s.graph["pool"]
        assert isinstance(venue, UniswapV2)
        weth, usdc = await venue.token(world.weth.address), await venue.token(world.usdc.address)
        first = world.anvil.web3.eth.block_number + 1
        trader.sell_weth(D("1.5"))
        trader.sell_weth(D("0.25"))
        last = world.anvil.web3.eth.block_number
        trades = await venue.pool_trades(weth, usdc, first, last)
        reversed_pair = await venue.pool_trades(usdc, weth, first, last)
    assert [(t.base, t.base_in) for t in trades] == [(D("1.5"), True), (D("0.25"), True)]
    assert all(t.quote > 0 for t in trades)
    assert [(t.quote, t.base_in) for t in reversed_pair] == [(D("1.5"), False),
                                                              (D("0.25"), False)]
    assert await venue.pool_trades(weth, usdc, last + 1, last) == []
