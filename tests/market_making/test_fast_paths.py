"""The tick's fast paths give exactly what the plain computations give."""

from __future__ import annotations

import asyncio
import decimal
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.market_making._concurrency import gather
from plugins.market_making._quoting import ladder, quantize_quotes
from plugins.market_making._reconcile import reconcile
from plugins.market_making.executors._base import _limit_request
from plugins.market_making.strategies.ladder import LadderArgs, LadderStrategy
from schemas import Market, Order, OrderRequest, OrderType, Side, TimeInForce
from schemas.market_making import DesiredQuote, QuoteContext

D = Decimal
BUY, SELL = Side.BUY, Side.SELL
MARKET = Market(symbol="BTC/USDT", price_increment=D("0.01"), amount_increment=D("0.001"),
                min_amount=D("0.01"))
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def exactly(quotes: list[DesiredQuote]) -> list[tuple[object, ...]]:
    """Each quote with the text of its numbers: equal and written the same."""
    return [(*quote, str(quote.price), str(quote.amount)) for quote in quotes]


def test_a_limit_request_is_the_model_construct_of_its_fields() -> None:
    fields = {
        "symbol": "BTC/USDT", "side": BUY, "type": OrderType.LIMIT, "amount": D("0.010"),
        "price": D("65000.10"), "time_in_force": TimeInForce.PO,
        "client_order_id": "mm-abc-1", "post_only": True,
    }
    fast = _limit_request("BTC/USDT", BUY, D("0.010"), D("65000.10"), TimeInForce.PO,
                          "mm-abc-1", True)
    constructed = OrderRequest.model_construct(**fields)  # type: ignore[arg-type]
    assert fast.__dict__ == constructed.__dict__
    assert list(fast.__dict__) == list(constructed.__dict__)
    assert fast.model_fields_set == constructed.model_fields_set
    assert fast.__pydantic_extra__ is None
    assert fast.__pydantic_private__ is None
    assert fast == OrderRequest(**fields)
    assert repr(fast) == repr(constructed)
    assert fast.model_dump() == constructed.model_dump()


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
    assert exactly(strategy.quotes(context)) == exactly(expected)  # from the kept shape


def test_the_ladder_strategy_follows_a_change_of_decimal_precision() -> None:
    strategy = LadderStrategy(LadderArgs(levels=2, spread=D("0.1234567"),
                                                  amount=D("1")))
    context = QuoteContext(reference=D("3"), market=MARKET, now=NOW)
    strategy.quotes(context)
    with decimal.localcontext(prec=4):
        assert exactly(strategy.quotes(context)) == exactly(
            ladder(D("3"), levels=2, spread=D("0.1234567"), step=D(0), amount=D("1"),
                   tag="ladder:"))


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
