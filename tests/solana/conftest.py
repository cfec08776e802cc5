"""The Solana world: LiteSVM behind the JSON-RPC stand-in, Jupiter's stand-in, the clients."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from pydantic import SecretStr
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from fortuna import Context, NoArgs
from fortuna._internal.clock import WallClock
from plugins.exchanges.solana.jupiter import Jupiter, JupiterArgs
from plugins.exchanges.solana.rpc import SolanaRpc, SolanaRpcArgs
from plugins.exchanges.solana.wallet import SolanaWallet, SolanaWalletArgs
from plugins.http.session import HttpSessionArgs, HttpSessionComponent
from tests.solana.chain import LocalChain, rpc_app
from tests.solana.jupiter_standin import JupiterStandIn

USDC_DECIMALS, SOL_DECIMALS = 6, 9
RESERVE_USDC, RESERVE_WSOL = 2_000_000 * 10**6, 10_000 * 10**9  # 200 USDC per SOL
WALLET_USDC, WALLET_WSOL = 5_000 * 10**6, 20 * 10**9


def context(name: str) -> Context:
    return Context(name=name, clock=WallClock(NoArgs(), Context(name="clock")))


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


@dataclass
class World:
    chain: LocalChain
    jupiter: JupiterStandIn
    usdc: Pubkey
    wsol: Pubkey
    owner: Keypair
    rpc_url: str
    jupiter_url: str
    rpc: SolanaRpc
    http: HttpSessionComponent
    wallet: SolanaWallet

    async def venue(self, *, wallet: bool = True, **extra: Any) -> Jupiter:
        args: dict[str, Any] = {
            "rpc": self.rpc, "http": self.http, "base_url": self.jupiter_url,
            "min_interval": 0, "symbols": {str(self.usdc): "USDC", str(self.wsol): "SOL"}}
        if wallet:
            args["wallet"] = self.wallet
        args.update(extra)
        venue = Jupiter(JupiterArgs(**args), context("jupiter"))
        await venue.load()
        return venue


async def rpc_component(url: str, **extra: Any) -> SolanaRpc:
    rpc = SolanaRpc(SolanaRpcArgs(url=url, **{"poll_interval": 0.01, **extra}), context("rpc"))
    await rpc.load()
    return rpc


@pytest.fixture
async def world() -> AsyncIterator[World]:
    chain = LocalChain()
    usdc, wsol = chain.mint(USDC_DECIMALS), chain.mint(SOL_DECIMALS)
    jupiter = JupiterStandIn(chain, usdc, wsol)
    jupiter.seed(RESERVE_USDC, RESERVE_WSOL)
    owner = Keypair()
    chain.svm.airdrop(owner.pubkey(), 2 * 10**9)
    chain.fund(owner.pubkey(), usdc, WALLET_USDC)
    chain.fund(owner.pubkey(), wsol, WALLET_WSOL)
    rpc_runner, rpc_url = await serve(rpc_app(chain))
    jupiter_runner, jupiter_url = await serve(jupiter.app())
    rpc = await rpc_component(rpc_url, confirm_timeout=2.0)
    http = HttpSessionComponent(HttpSessionArgs(), context("http"))
    await http.load()
    wallet = SolanaWallet(SolanaWalletArgs(rpc=rpc, private_key=SecretStr(str(owner))),
                          context("wallet"))
    await wallet.load()
    yield World(chain, jupiter, usdc, wsol, owner, rpc_url, jupiter_url, rpc, http, wallet)
    await wallet.unload()
    await http.unload()
    await rpc.unload()
    await jupiter_runner.cleanup()
    await rpc_runner.cleanup()
