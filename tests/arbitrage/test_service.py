"""The ``arbitrage`` service over two book venues: decisions, checks, legs and leg policies.

Alpha sells BTC at 100000 (0.03) then 100010; buying 0.05 there averages 100004 and costs
5000.20 + 0.1 % fee = 5005.2002 USDT. USDC converts at exactly 1 (alpha's USDC/USDT mid).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from fortuna import Context
from plugins.arbitrage.adapters.cex import CexAdapter, CexAdapterArgs
from plugins.arbitrage.service import Arbitrage, ArbitrageArgs
from plugins.kill_switches.any import AnyArgs, AnySwitch
from plugins.kill_switches.consecutive_errors import ConsecutiveErrorsArgs, ConsecutiveErrorsSwitch
from schemas import (
    ExchangeUnavailable,
    InsufficientFunds,
    NetworkError,
    RequestTimeout,
    Side,
)
from tests.arbitrage.parts import World, context, world
from tests.arbitrage.venue import BookVenue, market

D = Decimal
BUY_COST = D("5005.2002")  # 0.05 BTC on alpha: 5000.20 + 5.0002 fee


async def gapped(bid: str = "100500", latency: float = 0.0) -> World:
    """A world where beta bids above alpha's asks: buy on alpha, sell on beta."""
    w = await world(latency=latency)
    w.beta.set_book("BTC/USDC", bids=[(bid, "1")], asks=[("100600", "1")])
    return w


async def ticked(w: World, **args: Any) -> Arbitrage:
    """The service of ``w`` (its arguments overridden by ``args``) after its first tick."""
    service = await w.service(**args)
    await service.tick()
    return service


async def test_a_profitable_spread_buys_on_a_and_sells_on_b() -> None:
    w = await gapped()
    service = await ticked(w)
    (execution,) = service.executions
    assert execution.complete
    assert execution.opportunity.direction == "a_to_b"
    assert (execution.buy and execution.buy.venue, execution.sell and execution.sell.venue) == (
        "alpha", "beta")


async def test_realised_profit_and_fees_match_the_quotes() -> None:
    w = await gapped()
    service = await ticked(w)
    (execution,) = service.executions
    quoted = execution.opportunity
    assert quoted.cost == BUY_COST
    assert quoted.proceeds == D("5019.975")  # 5025 - 5.025
    assert execution.realised_cost == quoted.cost
    assert execution.realised_proceeds == quoted.proceeds
    assert execution.realised_fees == quoted.fees == D("10.0252")
    assert execution.realised_profit == quoted.profit == D("14.7748")


async def test_balances_move_by_the_realised_figures() -> None:
    w = await gapped()
    await ticked(w)
    assert w.alpha.free["USDT"] == D(10000) - BUY_COST
    assert w.alpha.free["BTC"] == D("1.05")
    assert w.beta.free["USDC"] == D(10000) + D("5019.975")
    assert w.beta.free["BTC"] == D("0.95")


async def test_a_profitable_spread_the_other_way_buys_on_b_and_sells_on_a() -> None:
    w = await world()
    w.beta.set_book("BTC/USDC", bids=[("99000", "1")], asks=[("99500", "1")])
    service = await ticked(w)
    (execution,) = service.executions
    assert execution.opportunity.direction == "b_to_a"
    assert execution.buy is not None
    assert execution.buy.venue == "beta"
    assert execution.realised_profit == execution.opportunity.profit > 0


async def test_a_spread_under_the_threshold_does_not_trade() -> None:
    w = await gapped(bid="100250")  # profit 2.2873 USDT, a ratio of 0.00046 < 0.0015
    service = await ticked(w)
    assert not service.executions
    assert w.alpha.requests == []
    assert w.beta.requests == []


async def test_a_gross_spread_the_fees_consume_does_not_trade() -> None:
    w = await gapped(bid="100100")  # above the 100004 average, below it once 0.2 % of fees are paid
    service = await ticked(w, threshold=D(0))
    assert not service.executions


async def test_the_conversion_rate_is_applied_before_deciding() -> None:
    w = await gapped()
    # USDC at 0.995 USDT: beta's 5019.975 USDC are worth 4994.87 USDT, less than the cost.
    w.alpha.set_book("USDC/USDT", bids=[("0.994", "100000")], asks=[("0.996", "100000")])
    service = await ticked(w)
    assert not service.executions


async def test_a_cheaper_quote_currency_can_turn_the_other_direction_profitable() -> None:
    w = await gapped()
    # USDC at 0.99 USDT: beta's 100600 USDC ask is 99594 USDT, under alpha's 99990 bid.
    w.alpha.set_book("USDC/USDT", bids=[("0.989", "100000")], asks=[("0.991", "100000")])
    service = await ticked(w)
    (execution,) = service.executions
    assert execution.opportunity.direction == "b_to_a"
    assert execution.opportunity.buy_rate.rate == D("0.990")
    assert execution.realised_profit == execution.opportunity.profit == D("9.8208")


async def test_not_enough_depth_on_one_venue_skips_that_direction() -> None:
    w = await world()
    w.beta.set_book("BTC/USDC", bids=[("100500", "0.01")], asks=[("100600", "1")])
    service = await ticked(w)
    assert not service.executions


async def test_a_buy_venue_short_of_quote_currency_skips_the_trade() -> None:
    w = await gapped()
    w.alpha.free["USDT"] = D("5005")  # needs 0.05 * 100010 * 1.001 = 5005.50045
    service = await ticked(w)
    assert not service.executions
    assert w.alpha.requests == []


async def test_a_sell_venue_short_of_base_currency_skips_the_trade() -> None:
    w = await gapped()
    w.beta.free["BTC"] = D("0.0499")
    service = await ticked(w)
    assert not service.executions
    assert w.beta.requests == []


async def test_a_trade_amount_off_the_markets_step_is_not_traded() -> None:
    w = await gapped()
    service = await ticked(w, trade_amount=D("0.05005"))  # the step is 0.0001
    assert not service.executions
    assert w.alpha.requests == []


async def test_a_tripped_kill_switch_stops_trading() -> None:
    w = await gapped()
    w.switch.trip()
    service = await ticked(w)
    assert not service.executions
    assert w.alpha.book_fetches == 0  # not even quoted


async def test_trading_resumes_once_the_kill_switch_is_reset() -> None:
    w = await gapped()
    w.switch.trip()
    service = await ticked(w)
    w.switch.reset()
    await service.tick()
    assert len(service.executions) == 1


async def test_legs_are_limited_at_the_quoted_worst_prices() -> None:
    w = await gapped()
    await ticked(w)
    assert w.alpha.requests[0].price == D("100010")
    assert w.beta.requests[0].price == D("100500")


async def test_max_slippage_widens_the_legs_limits() -> None:
    w = await gapped()
    await ticked(w, max_slippage=D("0.001"))
    assert w.alpha.requests[0].price == D("100110.01")  # 100010 * 1.001, rounded down
    assert w.beta.requests[0].price == D("100399.50")  # 100500 * 0.999


async def test_unwind_sells_back_what_the_buy_leg_bought_when_the_sell_leg_fails() -> None:
    w = await gapped()
    w.beta.fail_next = NetworkError("connection reset", venue="beta")
    service = await ticked(w, leg_failure_policy="unwind")
    (execution,) = service.executions
    assert execution.sell is None
    assert "connection reset" in (execution.sell_error or "")
    assert execution.imbalance == D("0.05")
    (correction,) = execution.corrections
    assert (correction.venue, correction.side, correction.filled) == ("alpha", Side.SELL, D("0.05"))
    assert execution.residual == 0
    assert w.alpha.free["BTC"] == D(1)


async def test_unwind_losses_are_reported_in_the_realised_profit() -> None:
    w = await gapped()
    w.beta.fail_next = NetworkError("connection reset", venue="beta")
    service = await ticked(w, leg_failure_policy="unwind")
    (execution,) = service.executions
    # bought 0.05 at 100004 (+fee), sold back 0.05 at 99990 (-fee)
    assert execution.realised_cost == BUY_COST
    assert execution.realised_proceeds == D("4999.5") - D("4.9995")
    assert execution.realised_profit == D("4994.5005") - BUY_COST


async def test_hedge_completes_the_missing_sell_on_the_other_venue() -> None:
    w = await gapped()
    w.beta.fail_next = NetworkError("connection reset", venue="beta")
    service = await ticked(w, leg_failure_policy="hedge")
    (execution,) = service.executions
    (correction,) = execution.corrections
    assert (correction.venue, correction.side, correction.filled) == ("beta", Side.SELL, D("0.05"))
    assert execution.residual == 0
    assert execution.realised_profit == execution.opportunity.profit


async def test_unwind_buys_back_on_the_sell_venue_when_the_buy_leg_fails() -> None:
    w = await gapped()
    w.alpha.fail_next = ExchangeUnavailable("maintenance", venue="alpha")
    service = await ticked(w, leg_failure_policy="unwind")
    (execution,) = service.executions
    assert execution.imbalance == D("-0.05")
    (correction,) = execution.corrections
    assert (correction.venue, correction.side) == ("beta", Side.BUY)
    assert w.beta.free["BTC"] == D(1)


async def test_hedge_completes_the_missing_buy_on_the_other_venue() -> None:
    w = await gapped()
    w.alpha.fail_next = ExchangeUnavailable("maintenance", venue="alpha")
    service = await ticked(w, leg_failure_policy="hedge")
    (execution,) = service.executions
    (correction,) = execution.corrections
    assert (correction.venue, correction.side) == ("alpha", Side.BUY)


@pytest.mark.parametrize("policy", ["unwind", "hedge"])
async def test_a_leg_that_timed_out_after_filling_counts_its_real_fill(policy: str) -> None:
    w = await gapped()
    w.beta.fail_after_next = RequestTimeout("no answer in time", venue="beta")  # sold anyway
    service = await ticked(w, leg_failure_policy=policy)
    (execution,) = service.executions
    assert execution.sell is not None
    assert execution.sell.filled == D("0.05")
    assert "RequestTimeout" in (execution.sell_error or "")
    assert execution.imbalance == 0
    assert execution.corrections == ()
    assert execution.realised_profit == execution.opportunity.profit
    assert w.alpha.free["BTC"] + w.beta.free["BTC"] == D(2)
    assert service.halted is None


async def test_a_leg_whose_outcome_cannot_be_found_out_halts_instead_of_rebalancing() -> None:
    w = await gapped()
    w.beta.fail_after_next = RequestTimeout("no answer in time", venue="beta")
    w.beta.lookup_error = NetworkError("connection reset", venue="beta")
    service = await ticked(w, leg_failure_policy="unwind")
    (execution,) = service.executions
    assert execution.corrections == ()
    assert execution.policy is None
    (sell_request,) = w.beta.requests
    client_order_id = sell_request.client_order_id
    assert client_order_id is not None
    (unknown,) = execution.unknown
    assert client_order_id in unknown
    assert "beta" in unknown
    assert service.halted is not None
    assert client_order_id in service.halted
    assert len(w.alpha.requests) == 1  # the buy leg only: nothing unwound on a guess
    w.beta.lookup_error = None
    await service.tick()
    assert len(service.executions) == 1  # halted until an operator restarts it


async def test_a_refused_leg_is_rebalanced_without_looking_it_up() -> None:
    w = await gapped()
    w.beta.fail_next = InsufficientFunds("BTC short", venue="beta")  # permanent: not placed
    w.beta.lookup_error = NetworkError("connection reset", venue="beta")
    service = await ticked(w, leg_failure_policy="unwind")
    (execution,) = service.executions
    (correction,) = execution.corrections
    assert (correction.venue, correction.side, correction.filled) == ("alpha", Side.SELL, D("0.05"))
    assert service.halted is None


async def test_a_rebalancing_order_that_timed_out_after_filling_is_not_sent_again() -> None:
    w = await gapped()
    w.beta.fail_next = NetworkError("connection reset", venue="beta")  # the sell leg: not placed
    w.beta.fail_after_next = RequestTimeout("no answer in time", venue="beta")  # the hedge: sold
    service = await ticked(w, leg_failure_policy="hedge")
    (execution,) = service.executions
    (correction,) = execution.corrections
    assert (correction.venue, correction.side, correction.filled) == ("beta", Side.SELL, D("0.05"))
    assert execution.residual == 0
    assert len(w.beta.requests) == 2  # the leg and one hedge, not a second hedge
    assert w.beta.free["BTC"] == D("0.95")
    assert service.halted is None


async def test_a_partial_sell_leg_is_unwound_by_the_difference() -> None:
    w = await gapped()
    w.beta.fill_cap = D("0.02")
    service = await ticked(w, leg_failure_policy="unwind")
    (execution,) = service.executions
    assert execution.sell is not None
    assert execution.sell.filled == D("0.02")
    assert execution.imbalance == D("0.03")
    (correction,) = execution.corrections
    assert (correction.venue, correction.filled) == ("alpha", D("0.03"))
    assert execution.residual == 0


async def test_hedge_retries_until_the_missing_quantity_is_done() -> None:
    w = await gapped()
    w.beta.fill_cap = D("0.02")
    service = await ticked(w, leg_failure_policy="hedge")
    (execution,) = service.executions
    assert [c.filled for c in execution.corrections] == [D("0.02"), D("0.01")]
    assert execution.residual == 0
    assert service.halted is None


async def test_an_imbalance_the_policy_cannot_resolve_halts_trading() -> None:
    w = await gapped()
    w.beta.fill_cap = D(0)  # beta fills nothing at all
    service = await ticked(w, leg_failure_policy="hedge", recovery_attempts=2)
    (execution,) = service.executions
    assert execution.residual == D("0.05")
    assert len(execution.corrections) == 2
    assert service.halted is not None
    assert "0.05 BTC" in service.halted
    w.beta.fill_cap = None
    await service.tick()
    assert len(service.executions) == 1  # halted: no new trade


async def test_an_imbalance_under_the_venues_minimum_is_kept_as_residual() -> None:
    w = await gapped()
    w.beta.fill_cap = D("0.04995")  # 0.00005 short: under the 0.0001 step
    service = await ticked(w, leg_failure_policy="unwind")
    (execution,) = service.executions
    assert execution.corrections == ()
    assert execution.residual == D("0.00005")
    assert service.residual == D("0.00005")
    assert service.halted is None


async def test_client_order_ids_carry_the_prefix() -> None:
    w = await gapped()
    await ticked(w, client_order_prefix="mandate7")
    ids = [r.client_order_id for r in (*w.alpha.requests, *w.beta.requests)]
    assert all(i is not None and i.startswith("mandate7") for i in ids)
    assert len(set(ids)) == 2


async def test_quotes_of_both_venues_run_concurrently() -> None:
    w = await world(latency=0.1)  # every venue call takes 100 ms of virtual time
    service = await w.service()
    start = w.clock.monotonic()
    await service.tick()  # no opportunity: quotes and the rate only
    assert w.clock.monotonic() - start == pytest.approx(0.1)


async def test_checks_and_legs_run_concurrently() -> None:
    w = await gapped(latency=0.1)
    service = await w.service()
    start = w.clock.monotonic()
    await service.tick()  # quotes, then balances, then both legs: three round trips
    assert len(service.executions) == 1
    assert w.clock.monotonic() - start == pytest.approx(0.3)


async def test_load_refuses_adapters_of_different_base_currencies() -> None:
    w = await world()
    eth_venue = BookVenue("gamma", [market("ETH/USDC")])
    eth = CexAdapter(CexAdapterArgs(exchange=eth_venue, symbol="ETH/USDC"), Context(name="eth"))
    with pytest.raises(ValueError, match="same base currency"):
        await w.service(exchange_b=eth)


async def test_load_retries_a_rate_the_venue_failed_to_give_for_a_moment() -> None:
    w = await world()
    w.alpha.ticker_faults = [NetworkError("reset", venue="alpha")]
    service = await w.service()  # loads
    assert service.halted is None
    assert w.alpha.ticker_faults == []


async def test_load_fails_when_the_rate_keeps_failing() -> None:
    w = await world()
    w.alpha.ticker_faults = [NetworkError("reset", venue="alpha")] * 2
    with pytest.raises(NetworkError):
        await w.service(recovery_attempts=2)


def test_args_default_everything_but_the_case_studys_five() -> None:
    fields = ArbitrageArgs.model_fields
    required = {name for name, field in fields.items() if field.is_required()}
    assert required == {"exchange_a", "exchange_b", "converter", "threshold", "trade_amount"}


async def test_a_leg_hitting_a_venue_error_counts_as_a_failed_tick_for_consecutive_errors(
) -> None:
    w = await gapped()
    errors = ConsecutiveErrorsSwitch(ConsecutiveErrorsArgs(max_errors=1), context("e", w.clock))
    w.beta.fail_next = NetworkError("connection reset", venue="beta")
    service = await w.service(kill_switches=[errors])
    await service.tick()  # the sell leg failed (and was unwound): the tick failed
    assert errors.errors == 1
    assert "connection reset" in (errors.last_error or "")
    await service.tick()
    assert errors.tripped
    assert len(service.executions) == 1


async def test_a_failing_tick_reaches_consecutive_errors_inside_kill_switches_any() -> None:
    w = await world()
    errors = ConsecutiveErrorsSwitch(ConsecutiveErrorsArgs(max_errors=2), context("e", w.clock))
    either = AnySwitch(AnyArgs(switches=[w.switch, errors]), context("any", w.clock))
    w.alpha.books.pop("BTC/USDT")  # quoting alpha fails: every tick raises
    service = await w.service(kill_switches=[either])
    for _ in range(2):
        with pytest.raises(KeyError):
            await service.tick()
    assert errors.errors == 2
    await service.tick()  # the switch trips at the check: the tick halts, it does not fail
    assert either.tripped
    assert errors.tripped


async def test_a_tick_that_succeeds_clears_the_consecutive_error_count() -> None:
    w = await world()
    errors = ConsecutiveErrorsSwitch(ConsecutiveErrorsArgs(max_errors=2), context("e", w.clock))
    service = await w.service(kill_switches=[errors])
    w.alpha.books.pop("BTC/USDT")
    with pytest.raises(KeyError):
        await service.tick()
    assert errors.errors == 1
    w.alpha.set_book("BTC/USDT", bids=[("99990", "1")], asks=[("100010", "1")])
    await service.tick()
    assert errors.errors == 0
