"""The chain, the wallet, the nonce manager and the transaction lifecycle on anvil: chain id
check, unreachable node, secret key, replaced and mined-and-reverted transactions."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from pydantic import SecretStr

from fortuna import Context, VirtualClock
from fortuna._internal.clock import VirtualClockArgs
from plugins.exchanges._onchain.nonces import NonceManager
from plugins.exchanges.evm.chain import ChainMismatch, EvmChain, EvmChainArgs
from plugins.exchanges.evm.gas import GasPolicy, GasPolicyArgs
from plugins.exchanges.evm.uniswap_v2 import UniswapV2
from plugins.exchanges.evm.wallet import EvmWallet, EvmWalletArgs
from schemas import AuthenticationError, InvalidOrder, NetworkError
from schemas.swap import (
    GasBudgetExceeded,
    SlippageExceeded,
    SwapDropped,
    SwapKind,
    SwapRequest,
    SwapReverted,
    SwapVenue,
    Token,
)
from tests.evm.chain import KEYS, free_port
from tests.evm.conftest import Parts, World, build_parts, context
from tests.evm.execution import chain_time
from tests.evm.venues import deadline, tokens, v2_venue


async def test_a_node_serving_another_chain_is_refused_at_load(world: World) -> None:
    chain = EvmChain(EvmChainArgs(url=world.url, chain_id=1), context("chain"))
    with pytest.raises(ChainMismatch, match="serves chain 31337, the mandate names chain 1"):
        await chain.load()


async def test_an_unreachable_node_is_a_retryable_network_error() -> None:
    chain = EvmChain(EvmChainArgs(url=f"http://127.0.0.1:{free_port()}", chain_id=1, timeout=2),
                     context("chain"))
    with pytest.raises(NetworkError) as failed:
        await chain.load()
    assert failed.value.retryable


async def test_a_malformed_key_is_refused_without_showing_it(parts: Parts) -> None:
    secret = "0xnot-a-key-but-secret-text"
    wallet = EvmWallet(EvmWalletArgs(chain=parts.chain, private_key=SecretStr(secret)),
                       context("wallet"))
    with pytest.raises(AuthenticationError) as refused:
        await wallet.load()
    assert secret not in str(refused.value)
    assert refused.value.__cause__ is None
    assert secret not in repr(wallet.args)


async def test_the_wallet_signs_for_the_address_of_its_key(parts: Parts) -> None:
    assert parts.wallet.address == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    assert KEYS[1][2:] not in repr(parts.wallet)


async def test_concurrent_reservations_get_consecutive_nonces() -> None:
    manager = NonceManager(_counter(7))

    async def take() -> int:
        async with manager.reserve() as nonce:
            await asyncio.sleep(0)
            return nonce

    assert sorted(await asyncio.gather(*(take() for _ in range(5)))) == [7, 8, 9, 10, 11]


async def test_a_failed_send_rereads_the_nonce_from_the_node() -> None:
    reads: list[int] = []
    manager = NonceManager(_counter(3, reads))
    with pytest.raises(RuntimeError):
        async with manager.reserve():
            raise RuntimeError("the node refused the transaction")
    async with manager.reserve() as nonce:
        assert nonce == 3
    assert reads == [3, 3]


def _counter(start: int, reads: list[int] | None = None) -> Any:
    async def pending_count() -> int:
        if reads is not None:
            reads.append(start)
        return start

    return pending_count


async def selling(venue: SwapVenue, usdc: Token, weth: Token, amount: Decimal,
                  slippage: Decimal) -> SwapRequest:
    """A request to sell ``amount`` USDC for WETH at the venue's quote, within ``slippage``."""
    quote = await venue.quote(SwapKind.EXACT_IN, usdc, weth, amount)
    return quote.request(slippage, deadline(venue))


async def approved(world: World, parts: Parts,
                   **extra: Any) -> tuple[UniswapV2, Token, Token]:
    """A Uniswap v2 venue that has swapped once, its allowance out of the way (its next swap
    is one transaction), with the tokens (USDC, WETH)."""
    venue = await v2_venue("uniswap_v2", world, parts, **extra)
    usdc, weth = await tokens(venue, world)
    await venue.swap(await selling(venue, usdc, weth, Decimal(1), Decimal("0.01")))
    return venue, usdc, weth


async def test_gas_above_the_fee_cap_is_refused_before_sending(world: World) -> None:
    parts = await build_parts(world, KEYS[3])
    try:
        gas = GasPolicy(GasPolicyArgs(chain=parts.chain, max_fee_gwei=Decimal("0.000000001")),
                        context("gas"))
        await gas.load()
        with pytest.raises(InvalidOrder, match="above max_fee_gwei"):
            await gas.fees()
    finally:
        await parts.chain.unload()


async def test_a_transaction_replaced_by_another_on_its_nonce_is_reported_dropped(
    world: World, parts: Parts
) -> None:
    venue, usdc, weth = await approved(world, parts)
    request = await selling(venue, usdc, weth, Decimal(1), Decimal("0.01"))
    world.anvil.rpc("evm_setAutomine", False)
    try:
        swap = asyncio.ensure_future(venue.swap(request))
        nonce = await _pending_nonce(world, parts.wallet.address)
        _replace(world, KEYS[1], nonce)  # same nonce, higher fee: our swap is replaced
        world.anvil.rpc("evm_mine")
        with pytest.raises(SwapDropped, match="replaced"):
            await asyncio.wait_for(swap, 30)
    finally:
        world.anvil.rpc("evm_setAutomine", True)


async def test_a_transaction_the_node_forgets_is_reported_dropped_and_its_nonce_reused(
    world: World, parts: Parts
) -> None:
    venue, usdc, weth = await approved(
        world, parts, allowance_caps={world.usdc.address: Decimal(10_000)})
    request = await selling(venue, usdc, weth, Decimal(1), Decimal("0.01"))
    world.anvil.rpc("evm_setAutomine", False)
    try:
        swap = asyncio.ensure_future(venue.swap(request))
        nonce = await _pending_nonce(world, parts.wallet.address)
        pending = world.anvil.web3.eth.get_block("pending", full_transactions=True)
        (dropped,) = [t for t in pending["transactions"]
                      if not isinstance(t, bytes) and t["from"] == parts.wallet.address]
        world.anvil.rpc("anvil_dropTransaction", "0x" + bytes(dropped["hash"]).hex())
        with pytest.raises(SwapDropped, match="dropped"):
            await asyncio.wait_for(swap, 30)
    finally:
        world.anvil.rpc("evm_setAutomine", True)
    # The next transaction takes the forgotten nonce. What it does on chain is not this
    # test's subject: it was once seen to revert in CI with no recoverable reason, back when
    # a transaction an earlier test left in the node's pool could be mined into this test's
    # blocks (the world fixture empties the pool since), and not reproduced after; a
    # reverted transaction has used its nonce all the same.
    request = await selling(venue, usdc, weth, Decimal(1), Decimal("0.01"))
    sent: str | None
    try:
        sent = (await venue.swap(request)).tx_hash
    except SwapReverted as reverted:
        sent = reverted.tx_hash
    assert sent is not None
    assert (await parts.chain.web3.eth.get_transaction(sent))["nonce"] == nonce  # type: ignore[arg-type]


async def test_a_sent_swap_is_awaited_for_confirm_timeout_in_wall_time_on_a_virtual_clock(
    world: World, parts: Parts
) -> None:
    """The node mines in real time: the graph's virtual time running far past
    confirm_timeout while the swap waits in the pool does not make its outcome unknown."""
    clock = VirtualClock(VirtualClockArgs(start=chain_time(world)), Context(name="clock"))
    venue, usdc, weth = await approved(
        world, parts, clock=clock, allowance_caps={world.usdc.address: Decimal(10_000)})
    request = await selling(venue, usdc, weth, Decimal(1), Decimal("0.01"))
    world.anvil.rpc("evm_setAutomine", False)
    try:
        swap = asyncio.ensure_future(venue.swap(request))
        await _pending_nonce(world, parts.wallet.address)
        chain = parts.chain.args
        for _ in range(5):  # past confirm_timeout each time, between the swap's polls
            await clock.advance(chain.confirm_timeout)
            await asyncio.sleep(chain.poll_interval)
        world.anvil.rpc("evm_mine")
        receipt = await asyncio.wait_for(swap, 30)
    finally:
        world.anvil.rpc("evm_setAutomine", True)
        await clock.unload()
    assert receipt.block == world.anvil.web3.eth.block_number
    assert receipt.amount_in == 1


async def test_a_swap_reverted_in_its_block_reports_the_reason_and_transaction(
    world: World, parts: Parts
) -> None:
    """Simulated fine, then front-run in the same block: mined, reverted, reason recovered."""
    venue, usdc, weth = await approved(
        world, parts, allowance_caps={world.usdc.address: Decimal(10_000)})
    request = await selling(venue, usdc, weth, Decimal(1000), Decimal(0))
    world.anvil.rpc("evm_setAutomine", False)
    try:
        swap = asyncio.ensure_future(venue.swap(request))
        await _pending_nonce(world, parts.wallet.address)
        _front_run(world)
        world.anvil.rpc("evm_mine")
        with pytest.raises(SlippageExceeded, match="INSUFFICIENT_OUTPUT_AMOUNT") as reverted:
            await asyncio.wait_for(swap, 30)
    finally:
        world.anvil.rpc("evm_setAutomine", True)
    assert reverted.value.tx_hash is not None
    assert reverted.value.gas_used is not None
    receipt = world.anvil.web3.eth.get_transaction_receipt(reverted.value.tx_hash)  # type: ignore[arg-type]
    assert receipt["status"] == 0


async def _pending_nonce(world: World, address: str) -> int:
    """The nonce of ``address``'s transaction once it waits in the node's pool."""
    web3 = world.anvil.web3
    for _ in range(200):
        pending = web3.eth.get_block("pending", full_transactions=True)
        for transaction in pending["transactions"]:
            if not isinstance(transaction, bytes) and transaction["from"] == address:
                return int(transaction["nonce"])
        await asyncio.sleep(0.02)
    raise AssertionError("the swap never reached the node")


def _replace(world: World, key: str, nonce: int) -> None:
    web3 = world.anvil.web3
    account = web3.eth.account.from_key(key)
    signed = account.sign_transaction({
        "to": account.address, "value": 0, "gas": 21_000, "nonce": nonce, "chainId": 31337,
        "maxFeePerGas": 200 * 10**9, "maxPriorityFeePerGas": 50 * 10**9, "type": 2,
    })
    web3.eth.send_raw_transaction(signed.raw_transaction)


def _front_run(world: World) -> None:
    """Another account buys WETH with a high tip, so it is mined first in the block."""
    web3 = world.anvil.web3
    account = web3.eth.account.from_key(KEYS[2])
    router, usdc, weth = world.v2_router, world.usdc, world.weth
    nonce = web3.eth.get_transaction_count(account.address, "pending")
    fees = {"maxFeePerGas": 300 * 10**9, "maxPriorityFeePerGas": 100 * 10**9, "type": 2,
            "chainId": 31337, "gas": 300_000}
    approve = usdc.functions.approve(router.address, 10**12).build_transaction(
        {**fees, "from": account.address, "nonce": nonce})
    swap = router.functions.swapExactTokensForTokens(
        100_000 * 10**6, 0, [usdc.address, weth.address], account.address, 2**40,
    ).build_transaction({**fees, "from": account.address, "nonce": nonce + 1})
    for transaction in (approve, swap):
        web3.eth.send_raw_transaction(account.sign_transaction(transaction).raw_transaction)


async def test_fees_stay_under_their_caps(world: World) -> None:
    parts = await build_parts(world, KEYS[3])
    try:
        gas = GasPolicy(GasPolicyArgs(chain=parts.chain, max_fee_gwei=Decimal("1.5"),
                                      max_priority_fee_gwei=Decimal("0.1")), context("gas"))
        await gas.load()
        fees = await gas.fees()
        assert fees.max_fee_per_gas <= 1_500_000_000
        assert fees.max_priority_fee_per_gas <= 100_000_000
        base = world.anvil.web3.eth.get_block("latest")["baseFeePerGas"]
        assert fees.max_fee_per_gas >= base
    finally:
        await parts.chain.unload()


async def test_reservations_in_flight_count_against_the_budget(world: World) -> None:
    parts = await build_parts(world, KEYS[3], budget=Decimal("0.001"))
    try:
        gas = parts.gas
        fees = await gas.fees()
        limit = 600_000_000_000_000 // fees.max_fee_per_gas  # 0.0006 ETH at the fee cap
        first = await gas.reserve(limit, fees)
        with pytest.raises(GasBudgetExceeded, match="nothing sent"):
            await gas.reserve(limit, fees)  # 0.0012 ETH in flight would exceed 0.001
        gas.settle(first, 21_000 * fees.max_fee_per_gas)  # it cost far less than reserved
        await gas.reserve(limit, fees)
        assert gas.spent == Decimal(21_000 * fees.max_fee_per_gas).scaleb(-18)
    finally:
        await parts.chain.unload()


async def test_a_v2_swaps_gas_limit_adds_room_for_the_new_blocks_price_bookkeeping(
    world: World, parts: Parts
) -> None:
    venue = await v2_venue("uniswap_v2", world, parts, new_block_gas=400_000)
    usdc, weth = await tokens(venue, world)
    await venue.swap(await selling(venue, usdc, weth, Decimal(1), Decimal("0.01")))
    swapped = await venue.swap(await selling(venue, usdc, weth, Decimal(1), Decimal("0.01")))
    sent = await parts.chain.web3.eth.get_transaction(swapped.tx_hash)  # type: ignore[arg-type]
    # the policy's multiplier (1.2) times (the node's estimate + 400,000)
    assert sent["gas"] > 480_000
