"""On-chain parent orders survive a restart: the journal (real SQLite) holds their
progress, and a swap whose outcome was unknown is resolved by its transaction hash, never
sent again. Anvil's automatic mining is turned off to leave a swap in flight."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from fortuna import VirtualClock
from plugins.exchanges.evm._logs import V2_SWAP_EVENT
from plugins.execution._swap_parent import SwapExecutionService
from schemas.money import Rounding, multiply, round_to
from tests.evm.chain import KEYS
from tests.evm.conftest import World
from tests.evm.execution import (
    ETH_PRICE,
    Trader,
    balance,
    session,
    swap_gas,
    swap_mandate,
    wallet_address,
)

D = Decimal
IN_FLIGHT = {"confirm_timeout": "2s", "poll_interval": "500ms"}


@pytest.fixture
def manual_mining(world: World) -> Iterator[Any]:
    """Anvil mining only when told (``evm_mine``); the router may spend the wallet's USDC."""
    world.deployer.call(world.usdc.functions.approve(world.v2_router.address, 2**256 - 1),
                        KEYS[1])
    world.anvil.rpc("evm_setAutomine", False)
    try:
        yield world.anvil
    finally:
        world.anvil.rpc("evm_setAutomine", True)


def sent_transactions(world: World) -> int:
    return int(world.anvil.web3.eth.get_transaction_count(wallet_address(world), "pending"))  # type: ignore[arg-type]


async def test_a_restarted_parent_order_resumes_the_remaining_amount(
    world: World, tmp_path: Path
) -> None:
    spec = swap_mandate(world, "swap_twap", journal=tmp_path / "journal.db", amount="4",
                        window="4m", slices=4, interval="10s", services=("first", "second"))
    weth_before = balance(world, world.weth)
    async with session(spec, name="first") as s:
        for _ in range(8):  # two slices, then the run "crashes" (never stopped)
            await s.step()
        first = s.service
        assert first.progress.filled == D(2)
        second = s.graph["second"]
        assert isinstance(second, SwapExecutionService)
        await second.on_start()
        assert second.progress.filled == D(2)
        assert second.progress.started == first.progress.started  # the same schedule
        await s.run_out(second)
        report = second.report
    assert report is not None
    assert (report.state, report.filled, report.sent) == ("done", D(4), 4)
    assert balance(world, world.weth) - weth_before == D(4)


async def test_a_swap_left_in_flight_is_found_by_its_hash_after_a_restart(
    world: World, tmp_path: Path, manual_mining: Any
) -> None:
    spec = swap_mandate(world, "swap_twap", journal=tmp_path / "journal.db", amount="2",
                        window="2m", slices=2, interval="10s", chain=IN_FLIGHT)
    weth_before = balance(world, world.weth)
    async with session(spec) as s:
        await s.step()  # sent; not mined within the confirm timeout: outcome unknown
        pending = s.service.progress.pending
        assert pending is not None
        assert s.service.progress.filled == 0
    # the process is gone; the swap is mined meanwhile
    manual_mining.rpc("evm_mine")
    manual_mining.rpc("evm_setAutomine", True)
    sent = sent_transactions(world)
    async with session(spec) as restarted:  # a new venue, which never saw the swap
        progress = restarted.service.progress
        assert (progress.pending, progress.filled, progress.sent) == (None, D(1), 1)
        assert sent_transactions(world) == sent  # looked up, not sent again
        await restarted.run_out()
        report = restarted.service.report
    assert report is not None
    assert (report.filled, report.sent) == (D(2), 2)
    assert balance(world, world.weth) - weth_before == D(2)


async def test_a_dropped_swap_is_refused_only_once_the_chain_is_past_its_deadline(
    world: World, tmp_path: Path, manual_mining: Any
) -> None:
    spec = swap_mandate(world, "swap_twap", journal=tmp_path / "journal.db", amount="3",
                        window="30m", slices=3, interval="10s", chain=IN_FLIGHT)
    weth_before = balance(world, world.weth)
    async with session(spec) as s:
        await s.step()
        pending = s.service.progress.pending
        assert pending is not None
        manual_mining.rpc("anvil_dropTransaction", pending)
        sent = sent_transactions(world)
        for _ in range(3):  # unknown, and the chain could still mine it: wait, send nothing
            await s.step()
            assert s.service.progress.pending == pending
        assert sent_transactions(world) == sent
        manual_mining.rpc("evm_increaseTime", 120)  # past the deadline (60 s)
        manual_mining.rpc("evm_mine")
        manual_mining.rpc("evm_setAutomine", True)
        clock = s.graph.clock
        assert isinstance(clock, VirtualClock)
        await clock.advance(300)  # our clock stays ahead of the chain's
        await s.step()
        progress = s.service.progress
        assert progress.refused == 1
        assert (progress.pending, progress.filled) == (None, D(1))  # the slice, sent anew
        await s.service.on_stop()
    assert balance(world, world.weth) - weth_before == progress.filled
    with pytest.raises(Exception, match="not found"):
        world.anvil.web3.eth.get_transaction_receipt(pending)  # type: ignore[arg-type]


async def test_stopping_with_a_swap_in_flight_journals_its_hash(
    world: World, tmp_path: Path, manual_mining: Any
) -> None:
    spec = swap_mandate(world, "swap_twap", journal=tmp_path / "journal.db", amount="2",
                        window="2m", slices=2, interval="10s", chain=IN_FLIGHT)
    async with session(spec) as s:
        await s.step()
        pending = s.service.progress.pending
        await s.service.on_stop()
        journal: Any = s.graph["journal"]
        record = await journal.read_progress("swap_test", "pool", "WETH/USDC")
    assert pending is not None
    assert (record.state, record.pending) == ("stopped", pending)
    assert record.pending_until is not None


@pytest.fixture
def trader(world: World) -> Trader:
    return Trader(world)


async def test_a_swap_front_run_into_a_revert_is_refused_and_its_gas_counted(
    world: World, tmp_path: Path, trader: Trader, manual_mining: Any
) -> None:
    spec = swap_mandate(world, "swap_twap", journal=tmp_path / "journal.db", amount="1",
                        window="1m", slices=1, interval="10s", max_slippage="0.005",
                        chain=IN_FLIGHT)
    async with session(spec) as s:
        await s.step()  # sent, waiting in the node's pool
        pending = s.service.progress.pending
        assert pending is not None
        trader.send_buy_weth(D(200_000), tip_gwei=50)  # ahead of it in the block
        manual_mining.rpc("evm_mine")
        manual_mining.rpc("evm_setAutomine", True)
        await s.step()
        progress = s.service.progress
        receipt = world.anvil.web3.eth.get_transaction_receipt(pending)  # type: ignore[arg-type]
        assert receipt["status"] == 0
        burnt = D(int(receipt["gasUsed"]) * int(receipt["effectiveGasPrice"])).scaleb(-18)
        assert (progress.refused, progress.sent, progress.filled) == (1, 1, D(1))  # sent anew
    mined = [D(cost).scaleb(-18) for cost in swap_gas(world, world.v2_pair, V2_SWAP_EVENT)]
    assert progress.gas == burnt + sum(mined)
    assert progress.fees == sum(round_to(multiply(gas, ETH_PRICE), D("0.000001"), Rounding.UP)
                                for gas in [burnt, *mined])
