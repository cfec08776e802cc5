"""Uniswap v2 (through the published Router02) and PancakeSwap (its published core, through
Fortuna's PairRouter) on a real anvil node: exact quotes, bounded swaps, refusals."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from fortuna import Context
from fortuna._internal.clock import VirtualClock, VirtualClockArgs
from schemas import BadSymbol, InvalidOrder, NotSupported
from schemas.swap import (
    DeadlineExpired,
    GasBudgetExceeded,
    SlippageExceeded,
    SwapInsufficientFunds,
    SwapKind,
)
from tests.evm.chain import KEYS
from tests.evm.conftest import POOL_USDC, POOL_WETH, Parts, World, build_parts
from tests.evm.venues import V2_KINDS, deadline, tokens, v2_venue, with_limit

pytestmark = pytest.mark.parametrize("kind", V2_KINDS)


async def test_a_pool_price_is_the_reserve_ratio_at_a_block(
    kind: str, world: World, parts: Parts
) -> None:
    venue = await v2_venue(kind, world, None, chain=parts.chain)
    usdc, weth = await tokens(venue, world)
    price = await venue.mid_price(weth, usdc)
    inverse = await venue.mid_price(usdc, weth)
    assert price.price == Decimal(2000)
    assert inverse.price == Decimal("0.0005")
    assert price.block == await parts.chain.web3.eth.block_number


async def test_exact_in_swaps_execute_exactly_the_quoted_amounts(
    kind: str, world: World, parts: Parts
) -> None:
    venue = await v2_venue(kind, world, parts)
    usdc, weth = await tokens(venue, world)
    usdc_before, weth_before = await venue.balance(usdc), await venue.balance(weth)
    quote = await venue.quote(SwapKind.EXACT_IN, usdc, weth, Decimal("1234.567891"))
    receipt = await venue.swap(quote.request(Decimal("0.005"), deadline(venue)))
    assert receipt.amount_in == quote.amount_in == Decimal("1234.567891")
    assert receipt.amount_out == quote.amount_out
    assert await venue.balance(usdc) == usdc_before - quote.amount_in
    assert await venue.balance(weth) == weth_before + quote.amount_out
    assert receipt.gas_used > 0
    assert receipt.gas_cost > 0
    assert receipt.native_currency == "ETH"


async def test_exact_out_swaps_execute_exactly_the_quoted_amounts(
    kind: str, world: World, parts: Parts
) -> None:
    venue = await v2_venue(kind, world, parts)
    usdc, weth = await tokens(venue, world)
    quote = await venue.quote(SwapKind.EXACT_OUT, weth, usdc, Decimal("777.000001"))
    weth_before = await venue.balance(weth)
    receipt = await venue.swap(quote.request(Decimal("0.005"), deadline(venue)))
    assert receipt.amount_out == Decimal("777.000001")
    assert receipt.amount_in == quote.amount_in
    assert await venue.balance(weth) == weth_before - quote.amount_in


async def test_quotes_equal_executed_amounts_over_many_sizes_and_directions(
    kind: str, world: World, parts: Parts
) -> None:
    """The property, on a seeded sample: both kinds, both directions, sizes over 6 to 8
    orders of magnitude, each quote read from the state the swap then meets."""
    venue = await v2_venue(kind, world, parts)
    usdc, weth = await tokens(venue, world)
    draw = random.Random(14)
    for _ in range(12):
        swap_kind = draw.choice([SwapKind.EXACT_IN, SwapKind.EXACT_OUT])
        token_in, token_out = draw.choice([(usdc, weth), (weth, usdc)])
        exact = token_in if swap_kind is SwapKind.EXACT_IN else token_out
        scale = Decimal(10) ** (draw.randint(-2, 4) if exact is usdc else draw.randint(-8, 0))
        amount = exact.from_units(exact.to_units(Decimal(draw.randint(1, 999)) * scale / 100))
        quote = await venue.quote(swap_kind, token_in, token_out, amount)
        receipt = await venue.swap(quote.request(Decimal(0), deadline(venue)))
        assert (receipt.amount_in, receipt.amount_out) == (quote.amount_in, quote.amount_out)


async def test_a_swap_below_its_minimum_out_is_refused_with_the_routers_reason(
    kind: str, world: World, parts: Parts
) -> None:
    venue = await v2_venue(kind, world, parts)
    usdc, weth = await tokens(venue, world)
    quote = await venue.quote(SwapKind.EXACT_IN, usdc, weth, Decimal(1000))
    request = with_limit(quote.request(Decimal(0), deadline(venue)),
                         quote.amount_out + Decimal("0.000000000000000001"))
    with pytest.raises(SlippageExceeded, match="INSUFFICIENT_OUTPUT_AMOUNT") as refused:
        await venue.swap(request)
    assert refused.value.tx_hash is None  # the simulation refused it: nothing was sent


async def test_a_swap_above_its_maximum_in_is_refused(
    kind: str, world: World, parts: Parts
) -> None:
    venue = await v2_venue(kind, world, parts)
    usdc, weth = await tokens(venue, world)
    quote = await venue.quote(SwapKind.EXACT_OUT, usdc, weth, Decimal(1))
    request = with_limit(quote.request(Decimal(0), deadline(venue)),
                         quote.amount_in - Decimal("0.000001"))
    with pytest.raises(SlippageExceeded, match="EXCESSIVE_INPUT_AMOUNT"):
        await venue.swap(request)


async def test_a_swap_past_its_deadline_is_not_sent(kind: str, world: World, parts: Parts) -> None:
    venue = await v2_venue(kind, world, parts)
    usdc, weth = await tokens(venue, world)
    quote = await venue.quote(SwapKind.EXACT_IN, usdc, weth, Decimal(10))
    nonce: Any = parts.chain.web3.eth
    sent_before = await nonce.get_transaction_count(parts.wallet.address)
    with pytest.raises(DeadlineExpired, match="has passed"):
        await venue.swap(quote.request(Decimal("0.01"), deadline(venue, minutes=-1)))
    assert await nonce.get_transaction_count(parts.wallet.address) == sent_before


async def test_the_chains_deadline_check_reports_the_contracts_reason(
    kind: str, world: World, parts: Parts
) -> None:
    venue = await v2_venue(kind, world, parts)
    # Our clock runs an hour behind the chain's: our deadline check passes, the router's fails.
    venue.context.clock = VirtualClock(
        VirtualClockArgs(start=datetime.now(UTC) - timedelta(hours=1)), Context(name="clock"))
    usdc, weth = await tokens(venue, world)
    quote = await venue.quote(SwapKind.EXACT_IN, usdc, weth, Decimal(10))
    with pytest.raises(DeadlineExpired, match="EXPIRED"):
        await venue.swap(quote.request(Decimal("0.01"), deadline(venue, minutes=5)))


async def test_a_wallet_without_the_input_is_refused_before_sending(
    kind: str, world: World
) -> None:
    key = "0x" + "42" * 32  # a fresh account: gas money, no USDC
    address = world.anvil.web3.eth.account.from_key(key).address
    world.anvil.rpc("anvil_setBalance", address, hex(10**18))
    poor = await build_parts(world, key)
    try:
        venue = await v2_venue(kind, world, poor)
        usdc, weth = await tokens(venue, world)
        quote = await venue.quote(SwapKind.EXACT_IN, usdc, weth, Decimal(10))
        with pytest.raises(SwapInsufficientFunds, match=r"holds 0\.000000 USDC"):
            await venue.swap(quote.request(Decimal("0.01"), deadline(venue)))
    finally:
        await poor.chain.unload()


async def test_nothing_is_sent_when_the_gas_budget_would_be_exceeded(
    kind: str, world: World
) -> None:
    thrifty = await build_parts(world, KEYS[2], budget=Decimal("0.0000001"))
    try:
        venue = await v2_venue(kind, world, thrifty)
        usdc, weth = await tokens(venue, world)
        quote = await venue.quote(SwapKind.EXACT_IN, usdc, weth, Decimal(10))
        web3: Any = thrifty.chain.web3
        sent_before = await web3.eth.get_transaction_count(thrifty.wallet.address)
        with pytest.raises(GasBudgetExceeded, match="nothing sent"):
            await venue.swap(quote.request(Decimal("0.01"), deadline(venue)))
        assert await web3.eth.get_transaction_count(thrifty.wallet.address) == sent_before
        assert thrifty.gas.spent == 0
    finally:
        await thrifty.chain.unload()


async def test_the_gas_budget_is_charged_the_real_cost_of_each_swap(
    kind: str, world: World
) -> None:
    budgeted = await build_parts(world, KEYS[2], budget=Decimal(1))
    try:
        venue = await v2_venue(kind, world, budgeted)
        usdc, weth = await tokens(venue, world)
        quote = await venue.quote(SwapKind.EXACT_IN, usdc, weth, Decimal(10))
        receipt = await venue.swap(quote.request(Decimal("0.01"), deadline(venue)))
        approval_and_swap = budgeted.gas.spent
        assert approval_and_swap > receipt.gas_cost
        assert budgeted.gas.remaining == Decimal(1) - approval_and_swap
    finally:
        await budgeted.chain.unload()


async def test_concurrent_swaps_from_one_wallet_get_distinct_nonces(
    kind: str, world: World, parts: Parts
) -> None:
    first = await v2_venue(kind, world, parts)
    second = await v2_venue(kind, world, parts)  # another venue, the same wallet
    usdc, weth = await tokens(first, world)
    await first.swap((await first.quote(SwapKind.EXACT_IN, usdc, weth, Decimal(1)))
                     .request(Decimal("0.01"), deadline(first)))  # approval out of the way
    requests = [
        (venue, (await venue.quote(SwapKind.EXACT_IN, weth, usdc, Decimal("0.01"))).request(
            Decimal("0.5"), deadline(venue)))
        for venue in (first, second, first, second, first, second)
    ]
    receipts = await asyncio.gather(*(venue.swap(request) for venue, request in requests))
    web3: Any = parts.chain.web3
    nonces = [(await web3.eth.get_transaction(r.tx_hash))["nonce"] for r in receipts]
    assert len(set(nonces)) == len(receipts)
    assert all(receipt.amount_in == Decimal("0.01") for receipt in receipts)


async def test_the_approval_is_exactly_the_swaps_input_by_default(
    kind: str, world: World, parts: Parts
) -> None:
    venue = await v2_venue(kind, world, parts)
    usdc, weth = await tokens(venue, world)
    quote = await venue.quote(SwapKind.EXACT_IN, usdc, weth, Decimal(50))
    await venue.swap(quote.request(Decimal("0.01"), deadline(venue)))
    spender = world.v2_router.address if kind == "uniswap_v2" else world.pair_router.address
    assert world.usdc.functions.allowance(parts.wallet.address, spender).call() == 0


async def test_an_allowance_cap_is_granted_once_and_drawn_down(
    kind: str, world: World, parts: Parts
) -> None:
    venue = await v2_venue(kind, world, parts,
                           allowance_caps={world.usdc.address: Decimal(500)})
    usdc, weth = await tokens(venue, world)
    quote = await venue.quote(SwapKind.EXACT_IN, usdc, weth, Decimal(50))
    await venue.swap(quote.request(Decimal("0.01"), deadline(venue)))
    spender = world.v2_router.address if kind == "uniswap_v2" else world.pair_router.address
    left = world.usdc.functions.allowance(parts.wallet.address, spender).call()
    assert left == 450 * 10**6


async def test_an_amount_beyond_the_pool_is_refused_clearly(
    kind: str, world: World, parts: Parts
) -> None:
    venue = await v2_venue(kind, world, parts)
    usdc, weth = await tokens(venue, world)
    with pytest.raises(InvalidOrder, match="cannot pay"):
        await venue.quote(SwapKind.EXACT_OUT, usdc, weth, usdc.from_units(POOL_WETH))
    with pytest.raises(InvalidOrder, match="more than 6 decimal places"):
        await venue.quote(SwapKind.EXACT_IN, usdc, weth, Decimal("0.0000001"))
    assert POOL_USDC > 0


async def test_a_pair_the_factory_never_deployed_is_a_bad_symbol(
    kind: str, world: World, parts: Parts
) -> None:
    venue = await v2_venue(kind, world, parts)
    usdc, _ = await tokens(venue, world)
    pair_token = await venue.token(world.v2_pair if kind == "uniswap_v2" else world.pancake_pair)
    with pytest.raises(BadSymbol, match=r"no USDC/.* pair at"):
        await venue.quote(SwapKind.EXACT_IN, usdc, pair_token, Decimal(1))


async def test_a_read_only_venue_quotes_but_refuses_to_swap(
    kind: str, world: World, parts: Parts
) -> None:
    venue = await v2_venue(kind, world, None, chain=parts.chain)
    usdc, weth = await tokens(venue, world)
    quote = await venue.quote(SwapKind.EXACT_IN, usdc, weth, Decimal(1))
    with pytest.raises(NotSupported, match="read-only"):
        await venue.swap(quote.request(Decimal("0.01"), deadline(venue)))
