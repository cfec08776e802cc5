"""End to end: ``configs/multiversx/cex_xexchange.yaml`` run through the real container
against the proxy stand-in, with mainnet's chain id, identifiers and pair address (as a
local copy of mainnet would answer)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from multiversx_sdk import UserSecretKey

from fortuna import start
from tests.arbitrage.running import first_legs, until_executed
from tests.conftest import REPO
from tests.multiversx.conftest import RESERVE_USDC, RESERVE_WEGLD, USDC, WEGLD
from tests.multiversx.standin import ProxyStandIn
from tests.solana.conftest import serve

CONFIG = REPO / "configs" / "multiversx" / "cex_xexchange.yaml"
PAIR = "erd1qqqqqqqqqqqqqpgqeel2kumf0r8ffyhth7pqdujjat9nx0862jpsg2pqaq"


@pytest.fixture
async def chain(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[ProxyStandIn, str]]:
    chain = ProxyStandIn("1")
    chain.issue(WEGLD, 18)
    chain.issue(USDC, 6)
    chain.add_pair(PAIR, WEGLD, USDC, RESERVE_WEGLD, RESERVE_USDC)  # 37.0019 USDC per WEGLD
    key = UserSecretKey.generate()
    owner = key.generate_public_key().to_address("erd").to_bech32()
    account = chain.account(owner)
    account.egld = 10**18
    account.esdt[USDC] = 500 * 10**6
    runner, url = await serve(chain.app())
    monkeypatch.setenv("FORTUNA_MULTIVERSX_PROXY", url)
    monkeypatch.setenv("FORTUNA_MULTIVERSX_KEY", key.hex())
    yield chain, owner
    await runner.cleanup()


async def test_the_cex_xexchange_mandate_buys_in_the_pair_and_sells_on_the_venue(
        chain: tuple[ProxyStandIn, str]) -> None:
    local, owner = chain
    async with start(CONFIG) as graph:
        service, executions = await until_executed(graph)
    assert first_legs(executions) == ("xexchange", "cex")
    assert service.realised_profit > 0
    bought = Decimal(local.account(owner).esdt[WEGLD]) / 10**18
    assert bought == len(executions) * Decimal(1)
