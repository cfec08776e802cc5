"""The tick's fast paths give exactly what the plain computations give."""

from __future__ import annotations

import asyncio
import decimal
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from plugins.market_making._concurrency import gather
from plugins.market_making._quoting import ladder_shape, priced_ladder, quantize_quotes
from plugins.market_making._reconcile import reconcile
from plugins.market_making.executors._requests import limit_request
from plugins.market_making.strategies.ladder import LadderArgs, LadderStrategy
from schemas import Market, Order, OrderRequest, OrderType, Side, Symbol, TimeInForce
from schemas.market_making import DesiredQuote, QuoteContext

D = Decimal
BUY, SELL = Side.BUY, Side.SELL
ZERO, ONE = D(0), D(1)
MARKET = Market(symbol="BTC/USDT", price_increment=D("0.01"), amount_increment=D("0.001"),
                min_amount=D("0.01"))
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def ladder(reference: Decimal, *, levels: int, spread: Decimal, step: Decimal,
           amount: Decimal, amount_step: Decimal = ZERO, amount_factor: Decimal = ONE,
           tag: str) -> list[DesiredQuote]:
    """The ladder computed plainly: its shape, then priced at ``reference``."""
    return priced_ladder(ladder_shape(levels=levels, spread=spread, step=step, amount=amount,
                                      amount_step=amount_step, amount_factor=amount_factor,
                                      tag=tag), reference)


def exactly(quotes: list[DesiredQuote]) -> list[tuple[object, ...]]:
    """Each quote with the text of its numbers: equal and written the same."""
    return [(*quote, str(quote.price), str(quote.amount)) for quote in quotes]


def test_a_limit_request_built_without_validation_is_the_validated_request() -> None:
    # Pins what the executor relies on from pydantic's public model_construct, whatever
    # the installed pydantic: every field given, the instance is the validated one.
    fields = {
        "symbol": Symbol("BTC/USDT"), "side": BUY, "type": OrderType.LIMIT,
        "amount": D("0.010"), "price": D("65000.10"), "time_in_force": TimeInForce.PO,
        "client_order_id": "mm-abc-1", "post_only": True,
    }
    fast = limit_request(Symbol("BTC/USDT"), BUY, D("0.010"), D("65000.10"),
                          TimeInForce.PO, "mm-abc-1", True)
    validated = OrderRequest(**fields)
    assert fast == validated
    assert hash(fast) == hash(validated)
    assert fast.model_fields_set == validated.model_fields_set == set(fields)
    assert fast.model_dump() == validated.model_dump()
    assert repr(fast) == repr(validated)
    assert fast.__pydantic_extra__ is None
    assert fast.__pydantic_private__ is None
    assert fast.model_copy(update={"amount": D("0.02")}) == validated.model_copy(
        update={"amount": D("0.02")}
    )


def test_a_limit_request_built_without_validation_is_still_frozen() -> None:
    fast = limit_request(Symbol("BTC/USDT"), BUY, D("1"), D("100"), TimeInForce.GTC,
                          "mm-abc-2", False)
    with pytest.raises(ValidationError, match="frozen"):
        fast.amount = D("2")


@settings(max_examples=100, deadline=None)
@given(reference=st.decimals(min_value=D("0.001"), max_value=D("100000"), places=6),
       levels=st.integers(1, 6), spread=st.sampled_from(["0.0005", "0.00050", "0.01"]))
def test_the_ladder_strategy_quotes_what_ladder_computes(
    reference: D, levels: int, spread: str
) -> None:
    strategy = LadderStrategy(LadderArgs(
        levels=levels, spread=D(spread), step=D("0.0005"), amount=D("0.01"),
        amount_step=D("0.005"), amount_factor=D("1.5"),
    ))
    context = QuoteContext(reference=reference, market=MARKET, now=NOW)
    expected = ladder(reference, levels=levels, spread=D(spread), step=D("0.0005"),
                      amount=D("0.01"), amount_step=D("0.005"), amount_factor=D("1.5"),
                      tag="ladder:")
    assert exactly(strategy.quotes(context)) == exactly(expected)
    assert exactly(strategy.quotes(context)) == exactly(expected)  # from the kept quotes
    written_longer = reference.quantize(D("1E-8"))  # the same number, more digits
    assert exactly(strategy.quotes(QuoteContext(reference=written_longer, market=MARKET,
                                                now=NOW))) == exactly(
        ladder(written_longer, levels=levels, spread=D(spread), step=D("0.0005"),
               amount=D("0.01"), amount_step=D("0.005"), amount_factor=D("1.5"),
               tag="ladder:"))


def test_ladder_quotes_do_not_depend_on_the_threads_decimal_context() -> None:
    strategy = LadderStrategy(LadderArgs(levels=2, spread=D("0.1234567"),
                                                  amount=D("1")))
    reference = D("123456789.123456789012345678")
    context = QuoteContext(reference=reference, market=MARKET, now=NOW)
    outside = exactly(strategy.quotes(context))
    with decimal.localcontext(prec=4, rounding=decimal.ROUND_UP):
        assert exactly(strategy.quotes(context)) == outside
        assert exactly(ladder(reference, levels=2, spread=D("0.1234567"), step=D(0),
                              amount=D("1"), tag="ladder:")) == outside
    assert outside[0][1] == D("108215221.3456789212482852213348574")  # every digit


def test_quotes_out_of_ladder_order_still_merge_on_the_same_tick() -> None:
    quotes, dropped = quantize_quotes(
        [DesiredQuote(BUY, D("99.50"), D("1"), "a"), DesiredQuote(BUY, D("98"), D("1"), "b"),
         DesiredQuote(BUY, D("99.501"), D("2"), "c"), DesiredQuote(SELL, D("101"), D("1"))],
        MARKET,
    )
    assert [(x.price, x.amount, x.tag) for x in quotes] == [
        (D("99.50"), D("3"), "a"), (D("98.00"), D("1"), "b"), (D("101.00"), D("1"), "")]
    assert dropped == []


def test_reconciling_matches_equal_numbers_written_differently() -> None:
    order = Order(id="1", client_order_id="mm-x-1", symbol="BTC/USDT", side="buy",
                  price=D("99.5"), amount=D("1.0"), timestamp=NOW)
    plan = reconcile([DesiredQuote(BUY, D("99.50"), D("1.000"))], [order])
    assert (plan.keep, plan.cancel, plan.place) == ([order], [], [])


async def test_gather_starts_in_order_and_returns_results_in_order() -> None:
    started: list[int] = []

    async def job(number: int, pause: float) -> int:
        started.append(number)
        await asyncio.sleep(pause)
        return number

    assert await gather(job(1, 0.02), job(2, 0), job(3, 0.01)) == [1, 2, 3]
    assert started == [1, 2, 3]


async def test_cancelling_a_gather_cancels_every_awaitable() -> None:
    cancelled: list[int] = []

    async def job(number: int) -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(number)
            raise

    waiting = asyncio.ensure_future(gather(job(1), job(2), job(3)))
    await asyncio.sleep(0.01)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert sorted(cancelled) == [1, 2, 3]
