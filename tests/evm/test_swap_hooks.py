"""What the on-chain execution services need from a swap venue, on the EVM venues against
anvil: the transaction's hash before it is broadcast (``signed``), the receipt of a swap
an earlier process sent, and the pool's swaps from its events."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from plugins.exchanges.evm.gas import GasPolicy, GasPolicyArgs
from schemas.swap import SwapKind, SwapVenue
from tests.evm.conftest import Parts, World, context
from tests.evm.venues import algebra_venue, deadline, tokens, v2_venue, v3_venue

D = Decimal


async def venue_of(kind: str, world: World, parts: Parts) -> SwapVenue:
    if kind == "quickswap_v3":
        return await algebra_venue(world, parts)
    return await (v3_venue(world, parts) if kind == "uniswap_v3"
                  else v2_venue("uniswap_v2", world, parts))


def sent_count(parts: Parts, world: World) -> int:
    return int(world.anvil.web3.eth.get_transaction_count(parts.wallet.address, "pending"))  # type: ignore[arg-type]


async def test_the_signed_hook_gets_the_hash_of_the_transaction_then_mined(
    world: World, parts: Parts
) -> None:
    venue = await v2_venue("uniswap_v2", world, parts)
    usdc, weth = await tokens(venue, world)
    seen: list[str] = []

    async def signed(tx_hash: str) -> None:
        seen.append(tx_hash)

    quote = await venue.quote(SwapKind.EXACT_IN, usdc, weth, D(100))
    receipt = await venue.swap(quote.request(D("0.01"), deadline(venue)), signed=signed)
    assert seen == [receipt.tx_hash]


async def test_a_failing_signed_hook_sends_nothing_and_releases_the_gas(
    world: World, parts: Parts
) -> None:
    gas = GasPolicy(GasPolicyArgs(chain=parts.chain, max_fee_gwei=100, budget=D(1)),
                    context("gas"))
    await gas.load()
    venue = await v2_venue("uniswap_v2", world, parts, gas=gas,
                           allowance_caps={world.usdc.address: D(10**6)})
    usdc, weth = await tokens(venue, world)
    await venue.swap((await venue.quote(SwapKind.EXACT_IN, usdc, weth, D(10))).request(
        D("0.01"), deadline(venue)))  # approves once, so the next swap sends one transaction
    before, budget = sent_count(parts, world), gas.remaining

    async def refuse(tx_hash: str) -> None:
        raise OSError("the journal is unreachable")

    quote = await venue.quote(SwapKind.EXACT_IN, usdc, weth, D(100))
    with pytest.raises(OSError, match="unreachable"):
        await venue.swap(quote.request(D("0.01"), deadline(venue)), signed=refuse)
    assert sent_count(parts, world) == before
    assert gas.remaining == budget
    receipt = await venue.swap(quote.request(D("0.01"), deadline(venue)))  # the nonce is free
    assert receipt.amount_in == D(100)


@pytest.mark.parametrize("kind", ["uniswap_v2", "uniswap_v3", "quickswap_v3"])
@pytest.mark.parametrize("swap_kind", [SwapKind.EXACT_IN, SwapKind.EXACT_OUT])
async def test_a_new_venue_reads_the_receipt_of_a_swap_an_earlier_one_sent(
    kind: str, swap_kind: SwapKind, world: World, parts: Parts
) -> None:
    venue = await venue_of(kind, world, parts)
    usdc, weth = await tokens(venue, world)
    quote = await venue.quote(swap_kind, usdc, weth, D("0.5"))
    receipt = await venue.swap(quote.request(D("0.01"), deadline(venue)))
    restarted = await venue_of(kind, world, parts)
    assert await restarted.receipt(receipt.tx_hash) == receipt


async def test_a_transaction_the_chain_does_not_know_has_no_receipt(
    world: World, parts: Parts
) -> None:
    venue = await v2_venue("uniswap_v2", world, parts)
    assert await venue.receipt("0x" + "ab" * 32) is None


@pytest.mark.parametrize("kind", ["uniswap_v3", "quickswap_v3"])
async def test_a_concentrated_pools_swaps_are_read_from_its_events(
    kind: str, world: World, parts: Parts
) -> None:
    venue = await venue_of(kind, world, parts)
    usdc, weth = await tokens(venue, world)
    first = world.anvil.web3.eth.block_number + 1
    bought: Any = await venue.swap((await venue.quote(SwapKind.EXACT_OUT, usdc, weth, D(2))
                                    ).request(D("0.01"), deadline(venue)))
    sold: Any = await venue.swap((await venue.quote(SwapKind.EXACT_IN, weth, usdc, D(1))
                                  ).request(D("0.01"), deadline(venue)))
    trades = await venue.pool_trades(weth, usdc, first, world.anvil.web3.eth.block_number)
    assert [(t.base, t.quote, t.base_in, t.tx_hash) for t in trades] == [
        (D(2), bought.amount_in, False, bought.tx_hash),
        (D(1), sold.amount_out, True, sold.tx_hash)]
