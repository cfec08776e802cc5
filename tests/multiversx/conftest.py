"""The MultiversX world: the proxy stand-in holding one xExchange pair, and the clients."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from multiversx_sdk import Address, AddressComputer, UserSecretKey
from pydantic import SecretStr

from plugins.exchanges.multiversx.proxy import MultiversXProxy, MultiversXProxyArgs
from plugins.exchanges.multiversx.wallet import MultiversXWallet, MultiversXWalletArgs
from plugins.exchanges.multiversx.xexchange import XExchange, XExchangeArgs
from tests.multiversx.standin import ProxyStandIn
from tests.solana.conftest import context, serve

WEGLD, USDC = "WEGLD-bd4d79", "USDC-c76f1f"
RESERVE_WEGLD, RESERVE_USDC = 12_345 * 10**17, 45_678_900_000  # 1234.5 WEGLD, 45678.9 USDC
WALLET_WEGLD, WALLET_USDC, WALLET_EGLD = 10 * 10**18, 1_000 * 10**6, 2 * 10**18
CHAIN = "local"


def pair_address(owner: Address) -> str:
    return AddressComputer().compute_contract_address(owner, 7).to_bech32()


@dataclass
class World:
    chain: ProxyStandIn
    url: str
    key: UserSecretKey
    owner: str
    pair: str
    proxy: MultiversXProxy
    wallet: MultiversXWallet

    async def venue(self, *, wallet: MultiversXWallet | bool = True,
                    **extra: Any) -> XExchange:
        """The venue over the pair: with the world's wallet, another one, or none."""
        args: dict[str, Any] = {"proxy": self.proxy, "pair": self.pair}
        if wallet is not False:
            args["wallet"] = self.wallet if wallet is True else wallet
        args.update(extra)
        venue = XExchange(XExchangeArgs(**args), context("xexchange"))
        await venue.load()
        return venue


async def proxy_component(url: str, **extra: Any) -> MultiversXProxy:
    args: dict[str, Any] = {"url": url, "chain_id": CHAIN, "poll_interval": 0.01, **extra}
    proxy = MultiversXProxy(MultiversXProxyArgs(**args), context("proxy"))
    await proxy.load()
    return proxy


async def wallet_component(proxy: MultiversXProxy, key: str) -> MultiversXWallet:
    wallet = MultiversXWallet(
        MultiversXWalletArgs(proxy=proxy, private_key=SecretStr(key)), context("wallet"))
    await wallet.load()
    return wallet


def fund(chain: ProxyStandIn, owner: str) -> None:
    account = chain.account(owner)
    account.egld = WALLET_EGLD
    account.esdt.update({WEGLD: WALLET_WEGLD, USDC: WALLET_USDC})


async def build_world(reserve_wegld: int = RESERVE_WEGLD, reserve_usdc: int = RESERVE_USDC,
                      **proxy_args: Any) -> tuple[World, web.AppRunner]:
    """The stand-in serving one WEGLD/USDC pair and a funded wallet, and the components
    over it; the runner to clean up once the components are unloaded."""
    chain = ProxyStandIn(CHAIN)
    chain.issue(WEGLD, 18)
    chain.issue(USDC, 6)
    key = UserSecretKey.generate()
    owner = key.generate_public_key().to_address("erd")
    pair = pair_address(owner)
    chain.add_pair(pair, WEGLD, USDC, reserve_wegld, reserve_usdc)
    fund(chain, owner.to_bech32())
    runner, url = await serve(chain.app())
    proxy = await proxy_component(url, **proxy_args)
    wallet = await wallet_component(proxy, key.hex())
    return World(chain, url, key, owner.to_bech32(), pair, proxy, wallet), runner


@pytest.fixture
async def world() -> AsyncIterator[World]:
    built, runner = await build_world(confirm_timeout=2.0)
    yield built
    await built.wallet.unload()
    await built.proxy.unload()
    await runner.cleanup()
