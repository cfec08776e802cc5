"""End to end: ``configs/solana/cex_jupiter.yaml`` run through the real container against
LiteSVM and Jupiter's stand-in, the chain's mints at mainnet's addresses (the stand-in
answers with mainnet's genesis hash, as a local fork would)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from fortuna import start
from tests.arbitrage.running import first_legs, until_executed
from tests.conftest import REPO
from tests.solana.chain import LocalChain, rpc_app
from tests.solana.conftest import serve
from tests.solana.jupiter_standin import JupiterStandIn

CONFIG = REPO / "configs" / "solana" / "cex_jupiter.yaml"
MAINNET = "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d"
USDC = Pubkey.from_string("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v")
WSOL = Pubkey.from_string("So11111111111111111111111111111111111111112")


@pytest.fixture
async def chain(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[LocalChain, Keypair]]:
    chain = LocalChain(genesis_hash=MAINNET)
    chain.mint(6, USDC)
    chain.mint(9, WSOL)
    jupiter = JupiterStandIn(chain, USDC, WSOL)
    jupiter.seed(2_000_000 * 10**6, 10_000 * 10**9)  # 200 USDC per SOL
    owner = Keypair()
    chain.svm.airdrop(owner.pubkey(), 10**9)
    chain.fund(owner.pubkey(), USDC, 0)
    chain.fund(owner.pubkey(), WSOL, 5 * 10**9)
    rpc_runner, rpc_url = await serve(rpc_app(chain))
    jupiter_runner, jupiter_url = await serve(jupiter.app())
    monkeypatch.setenv("FORTUNA_SOLANA_RPC", rpc_url)
    monkeypatch.setenv("FORTUNA_SOLANA_KEY", str(owner))
    monkeypatch.setenv("FORTUNA_JUPITER_URL", jupiter_url)
    yield chain, owner
    await jupiter_runner.cleanup()
    await rpc_runner.cleanup()


async def test_the_cex_jupiter_mandate_buys_on_the_venue_and_sells_through_jupiter(
        chain: tuple[LocalChain, Keypair]) -> None:
    local, owner = chain
    async with start(CONFIG) as graph:
        service, executions = await until_executed(graph)
    assert first_legs(executions) == ("cex", "jupiter")
    assert service.realised_profit > 0
    sold = Decimal(5) - Decimal(local.token_amount(owner.pubkey(), WSOL)) / 10**9
    assert sold == len(executions) * Decimal(1)
    assert local.executed, "no swap reached the chain"
