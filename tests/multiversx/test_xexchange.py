"""``exchanges.multiversx.xexchange`` against the proxy stand-in: multiversx-sdk, unpatched.

The pair holds 1234.5 WEGLD (18 decimals) and 45678.9 USDC (6 decimals) with xExchange's
default 0.3% fee; the expected amounts below are worked out by hand from the pair's
formula (amount_in x 99,700 x reserve_out / (reserve_in x 100,000 + amount_in x 99,700),
floored; the exact-output one floored plus one unit).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from fortuna import validate
from plugins.exchanges.multiversx.proxy import ChainMismatch
from schemas import BadSymbol, InvalidOrder, NotSupported
from schemas.swap import (
    DeadlineExpired,
    SlippageExceeded,
    SwapInsufficientFunds,
    SwapKind,
    SwapOutcomeUnknown,
    SwapRequest,
)
from tests.multiversx.conftest import (
    USDC,
    WALLET_USDC,
    WALLET_WEGLD,
    WEGLD,
    World,
    proxy_component,
    wallet_component,
)

ONE_WEGLD_OUT = Decimal("36.861168")  # USDC for exactly 1 WEGLD
HUNDRED_USDC_IN = Decimal("2.716640032848084062")  # WEGLD for exactly 100 USDC
MID = Decimal("37.00194410692588092345078979343864")  # 45678.9 / 1234.5, 34 digits


async def test_a_proxy_serving_another_chain_is_refused_at_load(world: World) -> None:
    with pytest.raises(ChainMismatch, match="serves chain 'local', the mandate names '1'"):
        await proxy_component(world.url, chain_id="1")


async def test_an_address_that_is_not_a_pair_is_refused_at_load(world: World) -> None:
    with pytest.raises(BadSymbol, match=r"is not an xExchange pair: .*invalid contract code"):
        await world.venue(pair=world.owner)


def test_a_mandate_with_a_malformed_pair_address_gets_a_located_finding() -> None:
    report = validate({"service": "@venue", "components": {
        "proxy": {"id": "exchanges.multiversx.proxy",
                  "args": {"url": "https://gateway.multiversx.com", "chain_id": "1"}},
        "venue": {"id": "exchanges.multiversx.xexchange",
                  "args": {"proxy": "@proxy", "pair": "0x1234"}}}})
    found = [str(finding) for finding in report.findings]
    assert any(line.startswith("<python>: components.venue.args.pair: is not in the form")
               for line in found), found


async def test_decimals_are_read_from_each_tokens_properties(world: World) -> None:
    venue = await world.venue(wallet=False)
    assert (await venue.token(WEGLD)).decimals == 18
    usdc = await venue.token(USDC)
    assert (usdc.decimals, usdc.symbol) == (6, "USDC")


async def test_a_token_the_network_does_not_know_is_a_bad_symbol(world: World) -> None:
    venue = await world.venue(wallet=False)
    with pytest.raises(BadSymbol, match="no ticker with given name"):
        await venue.token("NOPE-123456")


async def test_the_mid_price_is_the_reserves_ratio_at_the_shards_block(world: World) -> None:
    venue = await world.venue(wallet=False)
    price = await venue.mid_price(await venue.token(WEGLD), await venue.token(USDC))
    assert price.price == MID
    assert price.block == world.chain.block
    assert price.pool == world.pair


async def test_an_exact_input_quote_is_the_pairs_get_amount_out(world: World) -> None:
    venue = await world.venue(wallet=False)
    wegld, usdc = await venue.token(WEGLD), await venue.token(USDC)
    quote = await venue.quote(SwapKind.EXACT_IN, wegld, usdc, Decimal(1))
    assert (quote.amount_in, quote.amount_out) == (Decimal(1), ONE_WEGLD_OUT)
    assert quote.fee_rate == Decimal("0.003")
    assert quote.gas_cost == Decimal("0.03")  # 30,000,000 gas at 10^9 per unit, 18 decimals


async def test_an_exact_output_quote_is_the_pairs_get_amount_in(world: World) -> None:
    venue = await world.venue(wallet=False)
    wegld, usdc = await venue.token(WEGLD), await venue.token(USDC)
    quote = await venue.quote(SwapKind.EXACT_OUT, wegld, usdc, Decimal(100))
    assert (quote.amount_in, quote.amount_out) == (HUNDRED_USDC_IN, Decimal(100))


async def test_a_quote_beyond_the_reserve_is_refused_with_the_pairs_words(world: World) -> None:
    venue = await world.venue(wallet=False)
    wegld, usdc = await venue.token(WEGLD), await venue.token(USDC)
    with pytest.raises(InvalidOrder, match="Not enough reserve"):
        await venue.quote(SwapKind.EXACT_OUT, wegld, usdc, Decimal(50_000))


async def test_a_token_outside_the_pair_is_a_bad_symbol(world: World) -> None:
    world.chain.issue("MEX-455c57", 18)
    venue = await world.venue(wallet=False)
    mex, usdc = await venue.token("MEX-455c57"), await venue.token(USDC)
    with pytest.raises(BadSymbol, match="swaps WEGLD-bd4d79 and USDC-c76f1f"):
        await venue.quote(SwapKind.EXACT_IN, mex, usdc, Decimal(1))


async def test_an_exact_input_swap_moves_balances_by_the_quoted_amounts(world: World) -> None:
    venue = await world.venue()
    wegld, usdc = await venue.token(WEGLD), await venue.token(USDC)
    quote = await venue.quote(SwapKind.EXACT_IN, wegld, usdc, Decimal(1))
    egld_before = await venue.native_balance()
    receipt = await venue.swap(quote.request(Decimal("0.01"), venue.clock.now()
                                             + timedelta(minutes=1)))
    assert (receipt.amount_in, receipt.amount_out) == (Decimal(1), ONE_WEGLD_OUT)
    assert await venue.balance(wegld) == Decimal(WALLET_WEGLD) / 10**18 - 1
    assert await venue.balance(usdc) == Decimal(WALLET_USDC) / 10**6 + ONE_WEGLD_OUT
    assert await venue.native_balance() == egld_before - receipt.gas_cost
    assert receipt.native_currency == "EGLD"
    assert receipt.block == world.chain.block


async def test_an_exact_output_swap_takes_the_quoted_input_and_refunds_the_rest(
        world: World) -> None:
    venue = await world.venue()
    wegld, usdc = await venue.token(WEGLD), await venue.token(USDC)
    quote = await venue.quote(SwapKind.EXACT_OUT, wegld, usdc, Decimal(100))
    receipt = await venue.swap(quote.request(Decimal("0.05"), venue.clock.now()
                                             + timedelta(minutes=1)))
    assert (receipt.amount_in, receipt.amount_out) == (HUNDRED_USDC_IN, Decimal(100))
    assert await venue.balance(wegld) == Decimal(WALLET_WEGLD) / 10**18 - HUNDRED_USDC_IN
    assert await venue.balance(usdc) == Decimal(WALLET_USDC) / 10**6 + 100


async def test_a_request_the_pool_can_no_longer_meet_is_refused_before_sending(
        world: World) -> None:
    venue = await world.venue()
    wegld, usdc = await venue.token(WEGLD), await venue.token(USDC)
    request = SwapRequest(kind=SwapKind.EXACT_IN, token_in=wegld, token_out=usdc,
                          amount=Decimal(1), limit=ONE_WEGLD_OUT + Decimal("0.000001"),
                          deadline=venue.clock.now() + timedelta(minutes=1))
    with pytest.raises(SlippageExceeded, match="gives out 36861168 units, the request's bound "
                                               "is 36861169"):
        await venue.swap(request)
    assert world.chain.transactions == {}


async def test_a_request_past_its_deadline_is_not_sent(world: World) -> None:
    venue = await world.venue()
    wegld, usdc = await venue.token(WEGLD), await venue.token(USDC)
    quote = await venue.quote(SwapKind.EXACT_IN, wegld, usdc, Decimal(1))
    with pytest.raises(DeadlineExpired):
        await venue.swap(quote.request(Decimal("0.01"), venue.clock.now()
                                       - timedelta(seconds=1)))
    assert world.chain.transactions == {}


async def test_a_swap_failing_on_chain_reports_the_contracts_reason_and_hash(
        world: World) -> None:
    venue = await world.venue()
    wegld, usdc = await venue.token(WEGLD), await venue.token(USDC)
    world.chain.account(world.owner).esdt[WEGLD] = 10**17  # 0.1 WEGLD: less than the swap
    quote = await venue.quote(SwapKind.EXACT_IN, wegld, usdc, Decimal(1))
    with pytest.raises(SwapInsufficientFunds, match="insufficient funds") as failed:
        await venue.swap(quote.request(Decimal("0.01"), venue.clock.now()
                                       + timedelta(minutes=1)))
    assert failed.value.tx_hash in world.chain.transactions
    assert failed.value.block == world.chain.block
    assert await venue.balance(usdc) == Decimal(WALLET_USDC) / 10**6


async def test_a_swap_not_completed_in_time_is_unknown_and_found_later(world: World) -> None:
    world.chain.hold = True
    proxy = await proxy_component(world.url, confirm_timeout=0.2)
    venue = await world.venue(proxy=proxy, wallet=await wallet_component(proxy, world.key.hex()))
    wegld, usdc = await venue.token(WEGLD), await venue.token(USDC)
    quote = await venue.quote(SwapKind.EXACT_IN, wegld, usdc, Decimal(1))
    not_in_time = r"sent but not confirmed within 0\.2 s"
    with pytest.raises(SwapOutcomeUnknown, match=not_in_time) as unknown:
        await venue.swap(quote.request(Decimal("0.01"), venue.clock.now()
                                       + timedelta(minutes=1)))
    assert unknown.value.retryable
    tx_hash = unknown.value.tx_hash
    assert await venue.receipt(tx_hash) is None
    world.chain.execute(tx_hash)
    receipt = await venue.receipt(tx_hash)
    assert receipt is not None
    assert receipt.amount_out == ONE_WEGLD_OUT


async def test_a_lost_answer_to_the_send_is_not_a_failure_the_swap_is_found_by_hash(
        world: World) -> None:
    world.chain.lose_answers = True
    venue = await world.venue()
    wegld, usdc = await venue.token(WEGLD), await venue.token(USDC)
    quote = await venue.quote(SwapKind.EXACT_IN, wegld, usdc, Decimal(1))
    receipt = await venue.swap(quote.request(Decimal("0.01"), venue.clock.now()
                                             + timedelta(minutes=1)))
    assert receipt.amount_out == ONE_WEGLD_OUT
    assert receipt.tx_hash in world.chain.transactions


async def test_the_receipt_of_a_hash_the_network_never_saw_is_none(world: World) -> None:
    venue = await world.venue()
    assert await venue.receipt("ab" * 32) is None


async def test_a_venue_without_a_wallet_quotes_but_does_not_swap(world: World) -> None:
    venue = await world.venue(wallet=False)
    wegld, usdc = await venue.token(WEGLD), await venue.token(USDC)
    quote = await venue.quote(SwapKind.EXACT_IN, wegld, usdc, Decimal(1))
    with pytest.raises(NotSupported, match="quotes only"):
        await venue.swap(quote.request(Decimal("0.01"), venue.clock.now()
                                       + timedelta(minutes=1)))
