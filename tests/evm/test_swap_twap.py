"""``execution.swap_twap`` on a real Uniswap v2 pair (and a v3 pool) on anvil: the
schedule, exact totals, gas counted against the parent, the slippage budget."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from plugins.exchanges.evm._logs import V2_SWAP_EVENT, V3_SWAP_EVENT
from plugins.kill_switches.manual_halt import ManualHaltSwitch
from schemas.money import Rounding, multiply, round_to
from tests.evm.conftest import World
from tests.evm.execution import ETH_PRICE, balance, session, swap_gas, swap_mandate

D = Decimal


@pytest.mark.parametrize("kind", ["uniswap_v2", "uniswap_v3"])
async def test_fills_stay_within_one_slice_of_the_schedule_and_end_exact(
    kind: str, world: World
) -> None:
    spec = swap_mandate(world, "swap_twap", kind=kind, amount="6", window="10m", slices=12,
                        interval="5s")
    weth_before, usdc_before = balance(world, world.weth), balance(world, world.usdc)
    async with session(spec) as s:
        service = s.service
        while await s.step():
            elapsed = (s.graph.clock.now() - service.progress.started).total_seconds()
            straight = D(6) * D(str(elapsed)) / D(600)
            assert abs(service.progress.filled - straight) <= D("0.5")
        await service.on_stop()
        assert s.failures == []
        report = service.report
        assert report is not None
        assert (report.state, report.filled, report.sent) == ("done", D(6), 12)
        assert balance(world, world.weth) - weth_before == D(6)
        assert usdc_before - balance(world, world.usdc) == service.progress.cost


async def test_gas_of_every_swap_is_counted_in_quote_against_the_parent(world: World) -> None:
    spec = swap_mandate(world, "swap_twap", amount="3", window="3m", slices=3, interval="10s")
    async with session(spec) as s:
        await s.run_out()
        report = s.service.report
    assert report is not None
    costs = swap_gas(world, world.v2_pair, V2_SWAP_EVENT)
    assert len(costs) == 3
    native = [D(cost).scaleb(-18) for cost in costs]
    assert report.gas == sum(native)
    assert report.fees == sum(round_to(multiply(gas, ETH_PRICE), D("0.000001"), Rounding.UP)
                              for gas in native)
    assert report.fee_currency == "USDC"


async def test_a_swap_over_the_slippage_budget_is_shrunk_into_it(world: World) -> None:
    # 10 WETH from a 1,000 WETH pair would cost ~1.3 % over the mid; the budget is 0.6 %
    spec = swap_mandate(world, "swap_twap", amount="20", window="2m", slices=2,
                        interval="10s", max_slippage="0.006")
    async with session(spec) as s:
        await s.step()
        progress = s.service.progress
        assert D(0) < progress.filled < D(10)
        assert progress.cost / progress.filled <= D(2000) * D("1.006")
        assert progress.sent == 1


async def test_the_slice_shrunk_by_the_budget_is_finished_by_later_ticks(world: World) -> None:
    spec = swap_mandate(world, "swap_twap", amount="20", window="2m", slices=2,
                        interval="10s", max_slippage="0.006")
    async with session(spec) as s:
        for _ in range(3):
            await s.step()
        assert s.service.progress.sent > 1


async def test_a_pool_priced_past_the_budget_from_the_reference_sends_nothing(
    world: World
) -> None:
    # the pool is at 2,000; from a reference of 1,985 even the smallest swap costs 1 %
    spec = swap_mandate(world, "swap_twap", amount="2", window="1m", slices=2,
                        interval="10s", max_slippage="0.006", reference="@reference",
                        extra={"reference": {"id": "prices.fixed", "args": {"price": "1985"}}})
    weth_before = balance(world, world.weth)
    async with session(spec) as s:
        await s.run_out()
        report = s.service.report
    assert report is not None
    assert (report.state, report.filled, report.sent, report.refused) == ("expired", D(0), 0, 2)
    assert balance(world, world.weth) == weth_before


async def test_a_swap_too_small_for_its_gas_is_not_sent(world: World) -> None:
    spec = swap_mandate(world, "swap_twap", amount="0.001", window="1m", slices=1,
                        interval="10s", max_gas_share="0.0001")
    async with session(spec) as s:
        await s.run_out()
        report = s.service.report
    assert report is not None
    assert (report.filled, report.sent, report.refused) == (D(0), 0, 1)


async def test_a_limit_price_bounds_the_swaps_average_price(world: World) -> None:
    spec = swap_mandate(world, "swap_twap", amount="10", window="1m", slices=1,
                        interval="10s", limit_price="2010")
    async with session(spec) as s:
        await s.step()
        progress = s.service.progress
    assert D(0) < progress.filled < D(10)
    assert progress.cost / progress.filled <= D(2010)


async def test_a_v3_pools_swaps_are_counted_for_the_interval_vwap(world: World) -> None:
    spec = swap_mandate(world, "swap_twap", kind="uniswap_v3", amount="2", window="1m",
                        slices=2, interval="10s")
    async with session(spec) as s:
        await s.run_out()
        report = s.service.report
    assert report is not None
    assert len(swap_gas(world, world.v3_pool, V3_SWAP_EVENT)) == 2
    assert report.vwap == report.average  # the pool traded only with us


async def test_pre_trade_limits_refuse_a_swap_over_the_size_cap(world: World) -> None:
    spec = swap_mandate(world, "swap_twap", amount="2", window="1m", slices=1, interval="10s",
                        risk="@risk", extra={"risk": {"id": "market_making.risk",
                                                      "args": {"max_amount": "1"}}})
    weth_before = balance(world, world.weth)
    async with session(spec) as s:
        await s.run_out()
        report = s.service.report
    assert report is not None
    assert (report.filled, report.sent, report.refused) == (D(0), 0, 1)
    assert balance(world, world.weth) == weth_before


async def test_a_tripped_kill_switch_sends_no_swap_until_it_is_reset(
    world: World, tmp_path: Path
) -> None:
    halt = tmp_path / "HALT"
    spec = swap_mandate(world, "swap_twap", amount="3", window="3m", slices=3, interval="10s",
                        kill_switches=["@halt"],
                        extra={"halt": {"id": "kill_switches.manual_halt",
                                        "args": {"path": str(halt)}}})
    async with session(spec) as s:
        halt.touch()
        for _ in range(7):  # the first slice passes by, halted
            await s.step()
        assert s.service.halted
        assert s.service.progress.sent == 0
        halt.unlink()
        switch = s.graph["halt"]
        assert isinstance(switch, ManualHaltSwitch)
        switch.reset()
        await s.step()
        assert s.service.progress.filled == D(2)  # the second slice, catching up the first
        await s.service.on_stop()
