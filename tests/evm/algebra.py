"""Algebra's published contracts (``@cryptoalgebra/core`` 3.0.0 and ``/periphery`` 2.0.1,
one consistent build: the periphery's pool init-code hash is the core pool's) deployed on
the test anvil: a USDC/WETH pool with a wide and a narrow position, its SwapRouter and
Quoter."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import rlp  # type: ignore[import-untyped]
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from tests.evm.chain import MODULES, Anvil, Deployer

CORE = MODULES / "@cryptoalgebra" / "core" / "artifacts" / "contracts"
PERIPHERY = MODULES / "@cryptoalgebra" / "periphery" / "artifacts" / "contracts"
NPM_INIT_CODE_HASH = "0xa360004fb86ddf4cd7fe9aa67d0c6a7f7812d9069142659003dc503e1d7d241f"
"""The pool init-code hash of the npm build @cryptoalgebra/core 3.0.0 (and the constant
in @cryptoalgebra/periphery 2.0.1's PoolAddress)."""
SPACING = 60


@dataclass
class Algebra:
    factory: Any
    pool_deployer: Any
    router: Any
    quoter: Any
    pool: str


def created_address(sender: str, nonce: int) -> str:
    """The address a CREATE from ``sender`` at ``nonce`` gets."""
    return str(to_checksum_address(keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:]))


def algebra_world(anvil: Anvil, deployer: Deployer, weth9: str, usdc: Any,
                  weth: Any) -> Algebra:
    """A USDC/WETH Algebra pool at 2,000 USDC per WETH: one full-range position and one
    narrow one around the price, so swaps of a few hundred WETH cross initialized ticks."""
    nonce = anvil.web3.eth.get_transaction_count(deployer.address)  # type: ignore[arg-type]
    factory_address = created_address(deployer.address, nonce + 1)
    pool_deployer = deployer.deploy(
        CORE / "AlgebraPoolDeployer.sol" / "AlgebraPoolDeployer.json", factory_address,
        deployer.address)
    factory = deployer.deploy(CORE / "AlgebraFactory.sol" / "AlgebraFactory.json",
                              pool_deployer.address)
    assert factory.address == factory_address
    router = deployer.deploy(PERIPHERY / "SwapRouter.sol" / "SwapRouter.json",
                             factory.address, weth9, pool_deployer.address)
    quoter = deployer.deploy(PERIPHERY / "lens" / "Quoter.sol" / "Quoter.json",
                             factory.address, weth9, pool_deployer.address)
    manager = deployer.deploy(
        PERIPHERY / "NonfungiblePositionManager.sol" / "NonfungiblePositionManager.json",
        factory.address, weth9, deployer.address, pool_deployer.address)
    deployer.call(factory.functions.createPool(usdc.address, weth.address))
    pool = str(factory.functions.poolByPair(usdc.address, weth.address).call())
    usdc_first = usdc.address.lower() < weth.address.lower()
    # raw price = token1 units per token0 unit: 5e8 WETH wei per USDC unit (2,000 USDC/WETH)
    sqrt_price = (math.isqrt(5 * 10**8 * (1 << 192)) if usdc_first
                  else math.isqrt((1 << 192) // (5 * 10**8)))
    pool_contract = anvil.web3.eth.contract(address=pool, abi=[{  # type: ignore[call-overload]
        "type": "function", "name": "initialize", "stateMutability": "nonpayable",
        "inputs": [{"name": "initialPrice", "type": "uint160"}], "outputs": []}])
    deployer.call(pool_contract.functions.initialize(sqrt_price))
    deployer.call(usdc.functions.approve(manager.address, 2**256 - 1))
    deployer.call(weth.functions.approve(manager.address, 2**256 - 1))
    tick = round(math.log(sqrt_price**2 / (1 << 192), 1.0001)) // SPACING * SPACING
    tokens = (usdc, weth) if usdc_first else (weth, usdc)
    for lower, upper, usdc_amount, weth_amount in (
        (-887220, 887220, 1_000_000 * 10**6, 500 * 10**18),
        (tick - 120, tick + 120, 100_000 * 10**6, 50 * 10**18),
    ):
        amounts = (usdc_amount, weth_amount) if usdc_first else (weth_amount, usdc_amount)
        deployer.call(manager.functions.mint((
            tokens[0].address, tokens[1].address, lower, upper, *amounts, 0, 0,
            deployer.address, 2**40)))
    return Algebra(factory, pool_deployer, router, quoter, pool)
