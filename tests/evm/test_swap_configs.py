"""The shipped on-chain execution mandates against the anvil node: ``swap_twap.yaml`` as
the ``fortuna run`` command stopped by SIGTERM mid-run, ``swap_pov.yaml`` through the real
container with another account trading in the pool."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from fortuna import start
from plugins.execution._swap_parent import SwapExecutionService
from tests.conftest import REPO, copy_of_mandate
from tests.evm.chain import KEYS, sigterm_after
from tests.evm.conftest import World
from tests.evm.execution import Trader, balance

TWAP = REPO / "configs" / "execution" / "swap_twap.yaml"
POV = REPO / "configs" / "execution" / "swap_pov.yaml"
D = Decimal


@pytest.fixture
def environment(world: World, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {"FORTUNA_EVM_RPC": world.url, "FORTUNA_EVM_KEY": KEYS[1]}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.mark.parametrize("config", [TWAP, POV], ids=["swap_twap", "swap_pov"])
def test_the_configs_name_the_contracts_the_test_deployment_gives(
    config: Path, world: World
) -> None:
    text = config.read_text()
    for address in (world.usdc.address, world.weth.address, world.v2_factory.address,
                    world.v2_router.address):
        assert address in text


def test_sigterm_mid_run_leaves_nothing_in_flight_and_the_journal_stopped(
    environment: dict[str, str], world: World, tmp_path: Path
) -> None:
    weth_before = balance(world, world.weth)
    returncode, output = sigterm_after(
        [sys.executable, "-m", "fortuna", "run", str(copy_of_mandate(TWAP, tmp_path)),
         "--log-format", "json"],
        '"swap mined"', cwd=tmp_path,
        env={**os.environ, **environment, "PYTHONPATH": str(REPO)})
    assert returncode == 0, output
    reports = [json.loads(line) for line in output.splitlines()
               if line.startswith("{") and '"execution report"' in line]
    assert len(reports) == 1, output
    (report,) = reports
    assert (report["state"], report["in_flight"]) == ("stopped", None)
    assert D(report["filled"]) == balance(world, world.weth) - weth_before > 0
    assert KEYS[1][2:] not in output
    with sqlite3.connect(tmp_path / "fortuna-execution-swap-twap.sqlite") as db:
        state, pending, filled = db.execute(
            "SELECT state, pending, filled FROM fortuna_execution_progress "
            "ORDER BY sequence DESC LIMIT 1").fetchone()
    assert (state, pending, D(filled)) == ("stopped", None, D(report["filled"]))


async def test_the_pov_mandate_sells_its_share_of_the_pools_volume(
    environment: dict[str, str], world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trader = Trader(world)
    async with start(copy_of_mandate(POV, tmp_path)) as graph:  # the journal lands beside it
        service = graph.service
        assert isinstance(service, SwapExecutionService)
        await service.on_start()
        trader.sell_weth(D(4))
        await service.tick()
        await service.on_stop()
        report = service.report
    assert report is not None
    assert (report.side.value, report.filled, report.sent) == ("sell", D("0.4"), 1)
