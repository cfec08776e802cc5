"""End to end: ``configs/evm/cex_dex.yaml`` against the anvil node, in process through the
real container and as the ``fortuna run`` command stopped by SIGTERM."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from fortuna import start
from plugins.exchanges.evm.gas import GasPolicy
from tests.arbitrage.running import first_legs, until_executed
from tests.conftest import REPO
from tests.evm.chain import KEYS, sigterm_after
from tests.evm.conftest import World

CONFIG = REPO / "configs" / "evm" / "cex_dex.yaml"
CONFIG_V3 = REPO / "configs" / "evm" / "cex_dex_v3.yaml"
CONFIG_ALGEBRA = REPO / "configs" / "evm" / "cex_dex_quickswap_v3.yaml"


@pytest.fixture
def environment(world: World, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {"FORTUNA_EVM_RPC": world.url, "FORTUNA_EVM_KEY": KEYS[1]}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def test_the_configs_name_the_contracts_the_test_deployment_gives(world: World) -> None:
    text = CONFIG.read_text()
    for address in (world.usdc.address, world.weth.address, world.v2_factory.address,
                    world.v2_router.address):
        assert address in text
    text_v3 = CONFIG_V3.read_text()
    for address in (world.usdc.address, world.weth.address, world.v3_factory.address,
                    world.v3_router.address, world.v3_quoter.address):
        assert address in text_v3
    text_algebra = CONFIG_ALGEBRA.read_text()
    for address in (world.usdc.address, world.weth.address,
                    world.algebra.pool_deployer.address, world.algebra.router.address,
                    world.algebra.quoter.address):
        assert address in text_algebra


@pytest.mark.parametrize("config", [CONFIG, CONFIG_V3, CONFIG_ALGEBRA],
                         ids=["uniswap_v2", "uniswap_v3", "quickswap_v3"])
async def test_the_cex_dex_mandate_buys_in_the_pool_and_sells_on_the_venue(
    config: Path, environment: dict[str, str], world: World
) -> None:
    async with start(config) as graph:
        service, executions = await until_executed(graph)
        gas = graph["gas"]
        assert isinstance(gas, GasPolicy)
        buy, sell = first_legs(executions)
        assert buy in {"uniswap", "quickswap"}
        assert sell == "cex"
        assert gas.spent > 0
        assert service.realised_profit > 0


def test_fortuna_run_against_the_node_stops_cleanly_on_sigterm(
    environment: dict[str, str]
) -> None:
    """Run until the first arbitrage is executed, then SIGTERM: exit 0, a clean stop."""
    returncode, output = sigterm_after([sys.executable, "-m", "fortuna", "run", str(CONFIG)],
                                       "arbitrage executed", cwd=REPO,
                                       env={**os.environ, **environment})
    assert returncode == 0, output
    assert "arbitrage executed" in output
    assert '"event": "arbitrage stopped"' in output
    assert KEYS[1][2:] not in output
