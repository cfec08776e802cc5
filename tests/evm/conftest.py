"""The EVM test world: one anvil per session, the published contracts deployed once, and
the chain reverted to that state before every test (anvil snapshots)."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from fortuna import Clock, Context, NoArgs
from fortuna._internal.clock import WallClock
from plugins.exchanges.evm.chain import EvmChain, EvmChainArgs
from plugins.exchanges.evm.gas import GasPolicy, GasPolicyArgs
from plugins.exchanges.evm.wallet import EvmWallet, EvmWalletArgs
from tests.evm.algebra import Algebra, algebra_world
from tests.evm.chain import CONTRACTS, KEYS, MODULES, Anvil, Deployer

__all__ = ["KEYS", "Parts", "World", "build_parts", "context"]

V2_CORE = MODULES / "@uniswap" / "v2-core" / "build"
V2_PERIPHERY = MODULES / "@uniswap" / "v2-periphery" / "build"
V3_CORE = MODULES / "@uniswap" / "v3-core" / "artifacts" / "contracts"
V3_PERIPHERY = MODULES / "@uniswap" / "v3-periphery" / "artifacts" / "contracts"
PANCAKE = MODULES.parent / "vendor" / "pancake-swap-core" / "build"
PANCAKE_INIT_CODE_HASH = "0xc5950761a20eb44628c29e94156a05fa21ff1b0975c251e5cf19723e8bd17ca8"
"""The pair init-code hash of the npm build @pancakeswap-libs/pancake-swap-core 0.1.0."""

USDC_UNITS = 10**6
WETH_UNITS = 10**18
POOL_USDC = 2_000_000 * USDC_UNITS  # 2,000,000 USDC
POOL_WETH = 1_000 * WETH_UNITS  # 1,000 WETH: 2,000 USDC per WETH


@dataclass
class World:
    anvil: Anvil
    deployer: Deployer
    usdc: Any
    weth: Any
    v2_factory: Any
    v2_router: Any
    v2_pair: str
    pancake_factory: Any
    pancake_pair: str
    pair_router: Any
    v3_factory: Any
    v3_router: Any
    v3_quoter: Any
    v3_pool: str
    algebra: Algebra
    snapshot: str = ""

    @property
    def url(self) -> str:
        return self.anvil.url


def deploy(anvil: Anvil) -> World:
    deployer = Deployer(anvil.web3)
    usdc = deployer.deploy(CONTRACTS / "TestToken.json", "USD Coin", "USDC", 6)
    weth = deployer.deploy(CONTRACTS / "TestToken.json", "Wrapped Ether", "WETH", 18)
    weth9 = deployer.deploy(V2_PERIPHERY / "WETH9.json")
    factory = deployer.deploy(V2_CORE / "UniswapV2Factory.json", deployer.address)
    router = deployer.deploy(V2_PERIPHERY / "UniswapV2Router02.json", factory.address,
                             weth9.address)
    pair = v2_pool(anvil, deployer, factory, usdc, weth)
    pancake_factory = deployer.deploy(PANCAKE / "PancakeFactory.json", deployer.address)
    pancake_pair = v2_pool(anvil, deployer, pancake_factory, usdc, weth)
    pair_router = deployer.deploy(CONTRACTS / "PairRouter.json")
    v3 = v3_world(anvil, deployer, weth9.address, usdc, weth)
    algebra = algebra_world(anvil, deployer, weth9.address, usdc, weth)
    for key in KEYS[1:]:
        holder = anvil.web3.eth.account.from_key(key).address
        deployer.call(usdc.functions.mint(holder, 1_000_000 * USDC_UNITS))
        deployer.call(weth.functions.mint(holder, 1_000 * WETH_UNITS))
    return World(anvil, deployer, usdc, weth, factory, router, pair, pancake_factory,
                 pancake_pair, pair_router, *v3, algebra)


V3_FEE = 3000
V3_SPACING = 60


def v3_world(anvil: Anvil, deployer: Deployer, weth9: str, usdc: Any,
             weth: Any) -> tuple[Any, Any, Any, str]:
    """A USDC/WETH 0.3 % pool at 2,000 USDC per WETH with three positions (one wide, two
    narrow around the price), so swaps of a few hundred WETH cross initialized ticks."""
    factory = deployer.deploy(V3_CORE / "UniswapV3Factory.sol" / "UniswapV3Factory.json")
    router = deployer.deploy(V3_PERIPHERY / "SwapRouter.sol" / "SwapRouter.json",
                             factory.address, weth9)
    quoter = deployer.deploy(V3_PERIPHERY / "lens" / "QuoterV2.sol" / "QuoterV2.json",
                             factory.address, weth9)
    manager = deployer.deploy(
        V3_PERIPHERY / "NonfungiblePositionManager.sol" / "NonfungiblePositionManager.json",
        factory.address, weth9, deployer.address)
    deployer.call(factory.functions.createPool(usdc.address, weth.address, V3_FEE))
    pool = str(factory.functions.getPool(usdc.address, weth.address, V3_FEE).call())
    # token0 is USDC (the lower address): price in raw units = WETH wei per USDC unit
    sqrt_price = math.isqrt(5 * 10**8 * (1 << 192))
    pool_contract = anvil.web3.eth.contract(address=pool, abi=[{  # type: ignore[call-overload]
        "type": "function", "name": "initialize", "stateMutability": "nonpayable",
        "inputs": [{"name": "sqrtPriceX96", "type": "uint160"}], "outputs": []}])
    deployer.call(pool_contract.functions.initialize(sqrt_price))
    deployer.call(usdc.functions.mint(deployer.address, 10**9 * USDC_UNITS))
    deployer.call(weth.functions.mint(deployer.address, 10**6 * WETH_UNITS))
    deployer.call(usdc.functions.approve(manager.address, 2**256 - 1))
    deployer.call(weth.functions.approve(manager.address, 2**256 - 1))
    tick = 200311 // V3_SPACING * V3_SPACING  # ~ log_1.0001(5e8)
    for lower, upper, usdc_amount, weth_amount in (
        (-887220, 887220, 1_000_000, 500),
        (tick - 120, tick + 120, 100_000, 50),
        (tick + 120, tick + 600, 500_000, 0),  # above the price: token0 (USDC) only
    ):
        deployer.call(manager.functions.mint((
            usdc.address, weth.address, V3_FEE, lower, upper, usdc_amount * USDC_UNITS,
            weth_amount * WETH_UNITS, 0, 0, deployer.address, 2**40)))
    return factory, router, quoter, pool


def v2_pool(anvil: Anvil, deployer: Deployer, factory: Any, usdc: Any, weth: Any) -> str:
    """A USDC/WETH pair of ``factory`` holding POOL_USDC and POOL_WETH."""
    deployer.call(factory.functions.createPair(usdc.address, weth.address))
    pair = str(factory.functions.getPair(usdc.address, weth.address).call())
    deployer.call(usdc.functions.mint(pair, POOL_USDC))
    deployer.call(weth.functions.mint(pair, POOL_WETH))
    eth: Any = anvil.web3.eth
    pair_contract = eth.contract(
        address=pair, abi=[{"type": "function", "name": "mint", "stateMutability": "nonpayable",
                            "inputs": [{"name": "to", "type": "address"}],
                            "outputs": [{"name": "liquidity", "type": "uint256"}]}])
    deployer.call(pair_contract.functions.mint(deployer.address))
    return pair


@pytest.fixture(scope="session")
def session_world() -> Iterator[World]:
    anvil = Anvil()
    try:
        world = deploy(anvil)
        world.snapshot = anvil.rpc("evm_snapshot")
        yield world
    finally:
        anvil.stop()


@pytest.fixture
def world(session_world: World) -> Iterator[World]:
    """The deployed world, as it was after deployment (every test starts from it)."""
    yield session_world
    anvil = session_world.anvil
    # A revert restores the chain's state, not the node's pool or its mining mode: a
    # transaction a test left pending would be mined into the next test's first block.
    anvil.rpc("anvil_dropAllTransactions")
    anvil.rpc("evm_setAutomine", True)
    anvil.rpc("evm_revert", session_world.snapshot)
    session_world.snapshot = anvil.rpc("evm_snapshot")


def context(name: str, clock: Clock | None = None) -> Context:
    """A component's context on ``clock`` (a wall clock by default)."""
    return Context(name=name, clock=clock or WallClock(NoArgs(), Context(name="clock")))


@dataclass
class Parts:
    chain: EvmChain
    wallet: EvmWallet
    gas: GasPolicy


@pytest.fixture
async def parts(world: World) -> AsyncIterator[Parts]:
    """A loaded chain, a wallet on anvil's second account, a gas policy without budget."""
    built = await build_parts(world, KEYS[1])
    yield built
    await built.chain.unload()


async def build_parts(world: World, key: str, budget: Any = None) -> Parts:
    from pydantic import SecretStr

    chain = EvmChain(EvmChainArgs(url=world.url, chain_id=31337), context("chain"))
    await chain.load()
    wallet = EvmWallet(EvmWalletArgs(chain=chain, private_key=SecretStr(key)), context("wallet"))
    await wallet.load()
    gas = GasPolicy(GasPolicyArgs(chain=chain, max_fee_gwei=100, budget=budget), context("gas"))
    await gas.load()
    return Parts(chain, wallet, gas)
