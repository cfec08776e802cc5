"""On-chain execution mandates over the anvil world: built by the real container from a
mandate, on a virtual clock started at the chain's time, ticked by hand; and another
trader's swaps to give the pool volume."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fortuna import Graph, start
from plugins.execution._swap_parent import SwapExecutionService
from tests.evm.chain import KEYS
from tests.evm.conftest import V3_FEE, World
from tests.execution.mandates import tick_once

SYMBOL = "WETH/USDC"
MANDATE = "swap_test"
ETH_PRICE = Decimal(2000)
D = Decimal


def chain_time(world: World) -> datetime:
    block = world.anvil.web3.eth.get_block("latest")
    return datetime.fromtimestamp(int(block["timestamp"]), UTC)


def venue_spec(world: World, kind: str) -> dict[str, Any]:
    common = {"chain": "@chain", "wallet": "@wallet", "gas": "@gas"}
    if kind == "uniswap_v3":
        return {"id": "exchanges.evm.uniswap_v3", "args": {
            **common, "factory": world.v3_factory.address, "router": world.v3_router.address,
            "fee_tier": V3_FEE}}
    return {"id": "exchanges.evm.uniswap_v2", "args": {
        **common, "factory": world.v2_factory.address, "router": world.v2_router.address}}


def swap_mandate(world: World, algorithm: str, *, kind: str = "uniswap_v2",
                 journal: Path | None = None, services: tuple[str, ...] = ("algo",),
                 chain: dict[str, Any] | None = None, gas: dict[str, Any] | None = None,
                 extra: dict[str, Any] | None = None, **args: Any) -> dict[str, Any]:
    """A mandate whose service ``algo`` is ``execution.<algorithm>`` over the pool of
    ``kind``, buying WETH with USDC as anvil's second account; ``services`` names more
    services of the same args (a second run of the mandate, in the same graph)."""
    components: dict[str, Any] = {
        "clock": {"id": "clock.virtual", "args": {"start": chain_time(world).isoformat()}},
        "chain": {"id": "exchanges.evm.chain", "args": {
            "url": world.url, "chain_id": 31337, **(chain or {})}},
        "wallet": {"id": "exchanges.evm.wallet", "args": {
            "chain": "@chain", "private_key": KEYS[1]}},
        "gas": {"id": "exchanges.evm.gas", "args": {
            "chain": "@chain", "max_fee_gwei": 100, **(gas or {})}},
        "pool": venue_spec(world, kind),
        "eth_price": {"id": "prices.fixed", "args": {"price": str(ETH_PRICE)}},
        **(extra or {}),
    }
    if journal is not None:
        components["journal"] = {"id": "sinks.sqlite",
                                 "args": {"path": str(journal), "flush_interval": "50ms"}}
        args = {"journal": "@journal", **args}
    service_args = {"venue": "@pool", "symbol": SYMBOL, "base": world.weth.address,
                    "quote": world.usdc.address, "native_price": "@eth_price", "side": "buy",
                    "amount": "10", "mandate": MANDATE, "interval": "1s",
                    "max_slippage": "0.01", **args}
    for name in services:
        components[name] = {"id": f"execution.{algorithm}", "args": dict(service_args)}
    return {"service": f"@{services[0]}", "components": components}


@dataclass
class Session:
    graph: Graph
    service: SwapExecutionService[Any]
    failures: list[BaseException] = field(default_factory=list)
    steps: int = 0

    async def step(self, service: SwapExecutionService[Any] | None = None) -> bool:
        """:func:`tests.execution.mandates.tick_once` for ``service`` (the session's by
        default)."""
        self.steps += 1
        return await tick_once(self.graph, service or self.service, first=self.steps == 1,
                               failures=self.failures)

    async def run_out(self, service: SwapExecutionService[Any] | None = None) -> None:
        """Tick until the service stops, then stop it as the runtime does."""
        service = service or self.service
        while await self.step(service):
            pass
        await service.on_stop()


@contextlib.asynccontextmanager
async def session(spec: dict[str, Any], *, name: str = "algo",
                  started: bool = True) -> AsyncIterator[Session]:
    async with start(spec) as graph:
        service = graph[name]
        assert isinstance(service, SwapExecutionService)
        if started:
            await service.on_start()
        yield Session(graph, service)


ROUTER_ABI: list[dict[str, Any]] = [{
    "type": "function", "name": "swapExactTokensForTokens", "stateMutability": "nonpayable",
    "inputs": [{"name": "amountIn", "type": "uint256"},
               {"name": "amountOutMin", "type": "uint256"},
               {"name": "path", "type": "address[]"}, {"name": "to", "type": "address"},
               {"name": "deadline", "type": "uint256"}],
    "outputs": [{"name": "amounts", "type": "uint256[]"}]}]


class Trader:
    """Another account (anvil's third) swapping in the Uniswap v2 pair: known volume."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.key = KEYS[2]
        self.address = world.anvil.web3.eth.account.from_key(self.key).address
        router = world.v2_router.address
        deployer = world.deployer
        for token in (world.usdc, world.weth):
            deployer.call(token.functions.approve(router, 2**256 - 1), self.key)
        self.router = world.anvil.web3.eth.contract(address=router, abi=ROUTER_ABI)
        self.bought = D(0)
        self.sold = D(0)

    def send_buy_weth(self, usdc: Decimal, tip_gwei: int) -> str:
        """Send (and not wait for) a swap of ``usdc`` USDC for WETH tipping ``tip_gwei``:
        ahead of cheaper transactions in the block anvil mines next."""
        world, web3 = self.world, self.world.anvil.web3
        transaction = self.router.functions.swapExactTokensForTokens(
            int(usdc * 10**6), 0, [world.usdc.address, world.weth.address], self.address,
            2**40).build_transaction({
                "from": self.address, "gas": 300_000, "chainId": 31337,
                "nonce": web3.eth.get_transaction_count(self.address, "pending"),
                "maxPriorityFeePerGas": tip_gwei * 10**9, "maxFeePerGas": 2 * tip_gwei * 10**9})
        signed = web3.eth.account.from_key(self.key).sign_transaction(transaction)
        return "0x" + bytes(web3.eth.send_raw_transaction(signed.raw_transaction)).hex()

    def sell_weth(self, amount: Decimal) -> None:
        """Sell ``amount`` WETH for USDC (base volume ``amount``)."""
        world = self.world
        units = int(amount * 10**18)
        self.world.deployer.call(self.router.functions.swapExactTokensForTokens(
            units, 0, [world.weth.address, world.usdc.address], self.address, 2**40), self.key)
        self.sold += amount


def wallet_address(world: World) -> str:
    return str(world.anvil.web3.eth.account.from_key(KEYS[1]).address)


def balance(world: World, token: Any) -> Decimal:
    """The test wallet's balance of ``token`` (USDC or WETH), exact."""
    units = int(token.functions.balanceOf(wallet_address(world)).call())
    decimals = int(token.functions.decimals().call())
    return Decimal(units).scaleb(-decimals)


def swap_gas(world: World, pool: str, topic: str) -> list[int]:
    """Gas cost (wei) of each swap the test wallet made in ``pool``, from the chain."""
    web3 = world.anvil.web3
    logs = web3.eth.get_logs({"address": pool, "fromBlock": 0, "toBlock": "latest",  # type: ignore[typeddict-item]
                              "topics": [web3.keccak(text=topic)]})
    wallet = wallet_address(world)
    costs = []
    for log in logs:
        receipt = web3.eth.get_transaction_receipt(log["transactionHash"])
        if receipt["from"] == wallet:
            costs.append(int(receipt["gasUsed"]) * int(receipt["effectiveGasPrice"]))
    return costs
