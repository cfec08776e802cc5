"""exchanges.solana.jupiter against LiteSVM and Jupiter's stand-in: quotes, swaps, refusals.

The stand-in's pool holds 2,000,000 USDC (6 decimals) and 10,000 SOL (9 decimals) and
charges 0.25 % of the input, rounded up; amounts are rounded against the trader.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from solders.keypair import Keypair

from plugins.exchanges.solana.jupiter import Jupiter
from schemas import ExchangeError, InvalidOrder, NotSupported, OrderNotFound, RateLimited
from schemas.swap import (
    DeadlineExpired,
    SlippageExceeded,
    SwapInsufficientFunds,
    SwapKind,
    SwapOutcomeUnknown,
    SwapRequest,
    Token,
)
from tests.solana.conftest import RESERVE_USDC, RESERVE_WSOL, World


async def tokens(venue: Jupiter, world: World) -> tuple[Token, Token]:
    return await venue.token(str(world.usdc)), await venue.token(str(world.wsol))


def soon(venue: Jupiter) -> object:
    return venue.clock.now() + timedelta(seconds=60)


async def buy_sol_request(venue: Jupiter, world: World, usdc: str = "100",
                          slippage: str = "0.01") -> SwapRequest:
    usdc_token, sol = await tokens(venue, world)
    quote = await venue.quote(SwapKind.EXACT_IN, usdc_token, sol, Decimal(usdc))
    return quote.request(Decimal(slippage), venue.clock.now() + timedelta(seconds=60))


async def test_tokens_read_their_decimals_from_the_mint(world: World) -> None:
    usdc, sol = await tokens(await world.venue(), world)
    assert (usdc.symbol, usdc.decimals, sol.symbol, sol.decimals) == ("USDC", 6, "SOL", 9)


async def test_an_address_that_is_no_mint_is_a_bad_symbol(world: World) -> None:
    venue = await world.venue()
    with pytest.raises(ExchangeError, match="not an SPL token mint"):
        await venue.token(str(Keypair().pubkey()))
    with pytest.raises(ExchangeError, match="not a base58 Solana address"):
        await venue.token("0xnot-solana")


async def test_exact_in_quote_equals_the_hand_computed_amount(world: World) -> None:
    venue = await world.venue()
    usdc, sol = await tokens(venue, world)
    quote = await venue.quote(SwapKind.EXACT_IN, usdc, sol, Decimal("100"))
    # fee 250000 units; 99750000 * 10^13 // (2 * 10^12 + 99750000) = 498725126
    assert quote.amount_in == Decimal("100")
    assert quote.amount_out == Decimal("0.498725126")
    assert quote.fee_rate == Decimal("0.0025")
    assert quote.gas_cost == Decimal("0.000105")  # 5000 base + 100000 priority cap, lamports


async def test_exact_out_quote_equals_the_hand_computed_amount(world: World) -> None:
    venue = await world.venue()
    usdc, sol = await tokens(venue, world)
    quote = await venue.quote(SwapKind.EXACT_OUT, usdc, sol, Decimal("1"))
    # net in ceil(10^9 * 2*10^12 / (10^13 - 10^9)) = 200020003; gross ceil(./0.9975)
    assert quote.amount_out == Decimal("1")
    assert quote.amount_in == Decimal("200.521307")


async def test_an_amount_finer_than_the_token_is_refused_before_asking(world: World) -> None:
    venue = await world.venue()
    usdc, sol = await tokens(venue, world)
    with pytest.raises(InvalidOrder, match="more than 6 decimals"):
        await venue.quote(SwapKind.EXACT_IN, usdc, sol, Decimal("0.0000001"))
    assert world.jupiter.requests == []


async def test_a_pair_without_route_is_an_invalid_order(world: World) -> None:
    venue = await world.venue()
    usdc, _ = await tokens(venue, world)
    other = await venue.token(str(world.chain.mint(6)))
    with pytest.raises(InvalidOrder, match="no route"):
        await venue.quote(SwapKind.EXACT_IN, usdc, other, Decimal("1"))


async def test_a_rate_limit_is_retryable_with_the_wait_jupiter_asks(world: World) -> None:
    venue = await world.venue()
    usdc, sol = await tokens(venue, world)
    world.jupiter.rate_limited = True
    with pytest.raises(RateLimited) as caught:
        await venue.quote(SwapKind.EXACT_IN, usdc, sol, Decimal("1"))
    assert caught.value.retryable
    assert caught.value.retry_after == 3.0


async def test_mid_price_is_the_quote_for_one_whole_base_token(world: World) -> None:
    venue = await world.venue(wallet=False)
    usdc, sol = await tokens(venue, world)
    price = await venue.mid_price(sol, usdc)
    # 1 SOL in: fee 2500000, 997500000 * 2*10^12 // (10^13 + 997500000) = 199480101
    assert price.price == Decimal("199.480101")
    assert price.block == world.chain.slot


async def test_exact_in_swap_moves_balances_by_the_quoted_amounts(world: World) -> None:
    venue = await world.venue()
    usdc, sol = await tokens(venue, world)
    quote = await venue.quote(SwapKind.EXACT_IN, usdc, sol, Decimal("100"))
    before_usdc, before_sol = await venue.balance(usdc), await venue.balance(sol)
    receipt = await venue.swap(quote.request(Decimal("0.01"), venue.clock.now()
                                             + timedelta(seconds=60)))
    assert (receipt.amount_in, receipt.amount_out) == (Decimal("100"), quote.amount_out)
    assert await venue.balance(usdc) == before_usdc - Decimal("100")
    assert await venue.balance(sol) == before_sol + quote.amount_out
    reserves = world.jupiter.reserves(str(world.usdc))
    assert reserves == (RESERVE_USDC + 100_000_000, RESERVE_WSOL - 498_725_126)


async def test_exact_out_swap_moves_balances_by_the_quoted_amounts(world: World) -> None:
    venue = await world.venue()
    usdc, sol = await tokens(venue, world)
    quote = await venue.quote(SwapKind.EXACT_OUT, usdc, sol, Decimal("1"))
    before_usdc, before_sol = await venue.balance(usdc), await venue.balance(sol)
    receipt = await venue.swap(quote.request(Decimal("0.01"), venue.clock.now()
                                             + timedelta(seconds=60)))
    assert (receipt.amount_in, receipt.amount_out) == (Decimal("200.521307"), Decimal("1"))
    assert await venue.balance(usdc) == before_usdc - Decimal("200.521307")
    assert await venue.balance(sol) == before_sol + Decimal("1")


async def test_the_receipt_costs_the_base_fees_and_the_capped_priority_fee(world: World) -> None:
    venue = await world.venue()
    sol_before = await venue.native_balance()
    receipt = await venue.swap(await buy_sol_request(venue, world))
    # two signatures x 5000 + ceil(150000 units x 666666 micro-lamports / 10^6) = 110000
    assert receipt.gas_cost == Decimal("0.00011")
    assert await venue.native_balance() == sol_before - Decimal("0.00011")
    assert receipt.native_currency == "SOL"
    assert receipt.gas_used > 0
    assert receipt.block == world.chain.slot


async def test_a_receipt_is_found_again_by_its_signature(world: World) -> None:
    venue = await world.venue()
    receipt = await venue.swap(await buy_sol_request(venue, world))
    assert await venue.receipt(receipt.tx_hash) == receipt
    fresh = await world.venue()  # a venue that did not send it reads it from the chain
    again = await fresh.receipt(receipt.tx_hash)
    assert again is not None
    assert again.amount_out == receipt.amount_out


async def test_a_pool_that_moved_past_the_bound_is_refused_before_sending(world: World) -> None:
    venue = await world.venue()
    request = await buy_sol_request(venue, world, slippage="0.001")
    world.chain.fund(world.jupiter.authority.pubkey(), world.wsol, RESERVE_WSOL * 99 // 100)
    usdc, sol = await tokens(venue, world)
    before = await venue.balance(usdc), await venue.balance(sol)
    with pytest.raises(SlippageExceeded, match="bound is"):
        await venue.swap(request)
    assert not any(r["path"] == "/swap" for r in world.jupiter.requests)
    assert (await venue.balance(usdc), await venue.balance(sol)) == before


async def test_a_bound_stricter_than_the_configured_slippage_is_sent_to_jupiter(
        world: World) -> None:
    venue = await world.venue(slippage_bps=500)
    request = await buy_sol_request(venue, world, slippage="0.0001")
    await venue.swap(request)
    quotes = [r for r in world.jupiter.requests if r["path"] == "/quote"]
    assert [q["slippageBps"] for q in quotes[-2:]] == ["500", "1"]
    sent = [r for r in world.jupiter.requests if r["path"] == "/swap"][-1]
    assert int(sent["quoteResponse"]["otherAmountThreshold"]) >= 498_675_253


async def test_a_passed_deadline_is_refused_before_sending(world: World) -> None:
    venue = await world.venue()
    request = (await buy_sol_request(venue, world)).model_copy(
        update={"deadline": venue.clock.now() - timedelta(seconds=1)})
    with pytest.raises(DeadlineExpired):
        await venue.swap(request)
    assert world.chain.executed == {}


async def test_an_unconfirmed_swap_is_reported_unknown_not_failed(world: World) -> None:
    venue = await world.venue()
    world.chain.hold = True
    with pytest.raises(SwapOutcomeUnknown) as caught:
        await venue.swap(await buy_sol_request(venue, world))
    assert caught.value.retryable
    assert caught.value.tx_hash == world.chain.held[0]
    assert await venue.receipt(caught.value.tx_hash) is None


async def test_a_transaction_with_an_expired_blockhash_is_refused_by_the_node(
        world: World) -> None:
    venue = await world.venue()
    world.jupiter.stale_blockhash = True
    with pytest.raises(ExchangeError, match="Blockhash not found") as caught:
        await venue.swap(await buy_sol_request(venue, world))
    assert "nothing sent" in str(caught.value)
    assert not caught.value.retryable
    assert world.chain.executed == {}


async def test_a_bad_signature_is_refused_by_the_node_and_said_so(world: World) -> None:
    venue = await world.venue()
    world.jupiter.bad_cosign = True
    with pytest.raises(ExchangeError, match="signature verification failure"):
        await venue.swap(await buy_sol_request(venue, world))
    assert world.chain.executed == {}


async def test_a_transaction_built_for_another_wallet_is_not_signed(world: World) -> None:
    venue = await world.venue()
    world.jupiter.other_user = Keypair().pubkey()
    with pytest.raises(ExchangeError, match="not among its signers"):
        await venue.swap(await buy_sol_request(venue, world))
    assert world.chain.executed == {}


async def test_more_compute_units_than_the_budget_are_not_sent(world: World) -> None:
    venue = await world.venue()
    world.jupiter.simulated_units = 400_001
    with pytest.raises(ExchangeError, match="400001 compute units, the budget is 400000"):
        await venue.swap(await buy_sol_request(venue, world))
    assert world.chain.executed == {}


async def test_a_priority_fee_above_the_cap_is_not_sent(world: World) -> None:
    venue = await world.venue()
    world.jupiter.extra_priority_price = 10
    # ceil(150000 x (666666 + 10) / 10^6) = ceil(100001.4)
    with pytest.raises(ExchangeError, match="priority fee of 100002 lamports, the cap is 100000"):
        await venue.swap(await buy_sol_request(venue, world))
    assert world.chain.executed == {}


async def test_a_venue_without_wallet_quotes_but_does_not_swap(world: World) -> None:
    venue = await world.venue(wallet=False)
    request = await buy_sol_request(venue, world)
    with pytest.raises(NotSupported, match="quotes only"):
        await venue.swap(request)


async def test_a_swap_whose_send_answer_was_lost_is_found_by_its_status(world: World) -> None:
    venue = await world.venue()
    world.chain.lose_send_answers = True
    receipt = await venue.swap(await buy_sol_request(venue, world))
    assert receipt.tx_hash in world.chain.executed
    assert receipt.amount_out == Decimal("0.498725126")


async def test_a_swap_beyond_the_wallet_balance_is_refused_by_simulation(world: World) -> None:
    venue = await world.venue()
    usdc, sol = await tokens(venue, world)
    quote = await venue.quote(SwapKind.EXACT_IN, usdc, sol, Decimal("6000"))
    with pytest.raises(SwapInsufficientFunds, match="insufficient funds"):
        await venue.swap(quote.request(Decimal("0.01"), venue.clock.now()
                                       + timedelta(seconds=60)))
    assert world.chain.executed == {}


async def test_a_malformed_transaction_id_is_not_found_clearly(world: World) -> None:
    venue = await world.venue()
    with pytest.raises(OrderNotFound, match="not a transaction signature"):
        await venue.receipt("0xdeadbeef")


@pytest.mark.parametrize("answer", [
    {"unexpected": True},
    {"inputMint": "x", "outputMint": "y", "inAmount": "1", "outAmount": "1",
     "otherAmountThreshold": "1"},
    {"inAmount": "not a number", "outAmount": "5", "otherAmountThreshold": "5"},
])
async def test_a_quote_answer_that_does_not_add_up_is_refused_clearly(
        world: World, answer: dict[str, object]) -> None:
    venue = await world.venue()
    usdc, sol = await tokens(venue, world)
    world.jupiter.tamper = answer
    with pytest.raises(ExchangeError, match="Jupiter's quote"):
        await venue.quote(SwapKind.EXACT_IN, usdc, sol, Decimal("1"))


async def test_a_route_whose_fees_exceed_its_input_is_refused_clearly(world: World) -> None:
    venue = await world.venue()
    usdc, sol = await tokens(venue, world)
    world.jupiter.tamper = {
        "inputMint": str(world.usdc), "outputMint": str(world.wsol), "inAmount": "1000000",
        "outAmount": "5", "otherAmountThreshold": "5", "contextSlot": 1,
        "routePlan": [{"swapInfo": {"ammKey": "a", "feeAmount": "2000000",
                                    "feeMint": str(world.usdc)}}, "junk"]}
    with pytest.raises(ExchangeError, match="does not add up"):
        await venue.quote(SwapKind.EXACT_IN, usdc, sol, Decimal("1"))


async def test_a_receipt_names_the_route_its_quote_went_through(world: World) -> None:
    venue = await world.venue()
    request = await buy_sol_request(venue, world)
    quote = await venue.quote(request.kind, request.token_in, request.token_out,
                              request.amount)
    receipt = await venue.swap(request)
    assert receipt.pool == quote.pool == str(world.jupiter.vault(world.usdc))


async def test_the_signed_hook_gets_the_signature_before_the_transaction_is_sent(
        world: World) -> None:
    venue = await world.venue()
    seen: list[tuple[str, bool]] = []

    async def signed(signature: str) -> None:
        seen.append((signature, bool(world.chain.executed)))

    receipt = await venue.swap(await buy_sol_request(venue, world), signed=signed)
    assert seen == [(receipt.tx_hash, False)]


async def test_a_failing_signed_hook_sends_nothing(world: World) -> None:
    venue = await world.venue()

    async def refuse(signature: str) -> None:
        raise OSError("the journal is unreachable")

    with pytest.raises(OSError, match="unreachable"):
        await venue.swap(await buy_sol_request(venue, world), signed=refuse)
    assert world.chain.executed == {}
