"""``arbitrage.adapters.cex`` over a book venue: quotes from depth, protected IOC trades."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fortuna import Context
from plugins.arbitrage.adapters.cex import CexAdapter, CexAdapterArgs, average_price
from schemas import (
    BadSymbol,
    ExchangeError,
    NetworkError,
    OrderRejected,
    OrderStatus,
    OrderType,
    RequestTimeout,
    Side,
    TimeInForce,
)
from schemas.arbitrage import InsufficientDepth, TradeOutcomeUnknown
from tests.arbitrage.parts import World, world
from tests.arbitrage.venue import BookVenue, market

D = Decimal


async def test_buy_quote_is_the_average_over_the_asks_it_reaches() -> None:
    w = await world()
    q = await w.a.quote(Side.BUY, D("0.05"))
    assert q.price == D("100004")  # 0.03 at 100000 + 0.02 at 100010
    assert q.worst_price == D("100010")
    assert (q.venue, q.symbol, q.fee_rate) == ("alpha", "BTC/USDT", D("0.001"))


async def test_sell_quote_walks_the_bids() -> None:
    w = await world()
    w.beta.set_book("BTC/USDC", bids=[("100500", "0.01"), ("100400", "1")], asks=[("100600", "1")])
    q = await w.b.quote(Side.SELL, D("0.05"))
    assert q.price == D("100420")  # (1005 + 4016) / 0.05
    assert q.worst_price == D("100400")


async def test_quote_net_cost_includes_the_taker_fee() -> None:
    w = await world()
    q = await w.a.quote(Side.BUY, D("0.05"))
    assert q.cost == D("5000.20")
    assert q.net_cost == D("5000.20") * D("1.001")


async def test_quote_beyond_the_books_depth_says_not_enough_depth() -> None:
    w = await world()
    with pytest.raises(InsufficientDepth) as caught:
        await w.a.quote(Side.SELL, D("2"))
    assert caught.value.available == D("1")
    assert "not enough depth to sell 2" in str(caught.value)


async def test_concurrent_quotes_share_one_book_fetch() -> None:
    w = await world()
    await asyncio.gather(w.a.quote(Side.BUY, D("0.05")), w.a.quote(Side.SELL, D("0.05")))
    assert w.alpha.book_fetches == 1


async def test_quotes_after_a_fetch_returned_fetch_again() -> None:
    w = await world()
    await w.a.quote(Side.BUY, D("0.05"))
    await w.a.quote(Side.BUY, D("0.05"))
    assert w.alpha.book_fetches == 2


async def test_load_refuses_a_symbol_the_venue_does_not_list() -> None:
    venue = BookVenue("alpha", [market("BTC/USDT")])
    adapter = CexAdapter(CexAdapterArgs(exchange=venue, symbol="ETH/USDT"), Context(name="a"))
    with pytest.raises(BadSymbol):
        await adapter.load()


async def test_trade_sends_an_ioc_limit_at_the_given_limit() -> None:
    w = await world()
    result = await w.a.trade(Side.BUY, D("0.05"), limit_price=D("100010"), client_order_id="x1")
    (request,) = w.alpha.requests
    assert (request.type, request.time_in_force, request.price) == (
        OrderType.LIMIT, TimeInForce.IOC, D("100010"))
    assert request.client_order_id == "x1"
    assert result.complete
    assert result.average_price == D("100004")


async def test_trade_without_a_limit_is_limited_at_the_quoted_worst_price() -> None:
    w = await world()
    await w.a.trade(Side.BUY, D("0.05"))
    assert w.alpha.requests[0].price == D("100010")


async def test_trade_reports_the_fee_in_quote_currency() -> None:
    w = await world()
    result = await w.a.trade(Side.BUY, D("0.05"), limit_price=D("100010"))
    assert result.fee == D("5.00020")
    assert result.fee_currency == "USDT"
    assert result.fee_in_quote == result.fee
    assert result.net_cost == D("5000.20") + D("5.00020")
    assert not result.fee_estimated


async def test_trade_never_fills_past_its_limit() -> None:
    w = await world()
    result = await w.a.trade(Side.BUY, D("0.05"), limit_price=D("100000"))
    assert result.filled == D("0.03")
    assert result.status is OrderStatus.CANCELED
    assert result.remaining == D("0.02")


async def test_trade_that_fills_nothing_reports_zero_and_no_price() -> None:
    w = await world()
    result = await w.a.trade(Side.BUY, D("0.05"), limit_price=D("99000"))
    assert result.filled == 0
    assert result.average_price is None
    assert result.cost == 0


async def market_adapter(w: World) -> CexAdapter:
    """An adapter of alpha's BTC/USDT that sends market orders, loaded."""
    adapter = CexAdapter(
        CexAdapterArgs(exchange=w.alpha, symbol="BTC/USDT", order_type="market"),
        Context(name="m", clock=w.clock),
    )
    await adapter.load()
    return adapter


async def test_market_order_type_sends_a_market_order() -> None:
    w = await world()
    adapter = await market_adapter(w)
    result = await adapter.trade(Side.SELL, D("0.05"))
    assert w.alpha.requests[0].type is OrderType.MARKET
    assert result.filled == D("0.05")
    assert result.average_price == D("99990")


async def test_market_order_carries_the_quoted_average_as_its_reference_price() -> None:
    w = await world()
    adapter = await market_adapter(w)
    await adapter.trade(Side.BUY, D("0.05"))
    request = w.alpha.requests[0]
    assert request.price == D("100004")  # the average, not the worst level (100010)
    assert request.time_in_force is TimeInForce.GTC  # never the IOC of a limit order


async def test_trade_fee_the_venue_does_not_report_is_read_from_the_fills() -> None:
    w = await world(report_fees=False)
    result = await w.a.trade(Side.BUY, D("0.05"), limit_price=D("100010"))
    assert result.fee == D("5.00020")
    assert result.fee_currency == "USDT"
    assert not result.fee_estimated


async def test_trade_fee_nobody_reports_is_estimated_at_the_taker_rate() -> None:
    w = await world()
    w.alpha.report_fees = False
    w.alpha.fills_report_fees = False
    result = await w.a.trade(Side.BUY, D("0.05"), limit_price=D("100010"))
    assert result.fee == D("5000.20") * D("0.001")
    assert result.fee_estimated


@settings(max_examples=50, deadline=None)
@given(amount=st.decimals(min_value=D("0.0001"), max_value=D("1"), places=4),
       side=st.sampled_from([Side.BUY, Side.SELL]))
async def test_quote_price_is_the_books_cost_over_the_amount_rounded_against_the_taker(
    amount: Decimal, side: Side
) -> None:
    w = await world()
    quote = await w.a.quote(side, amount)
    book = w.alpha.books["BTC/USDT"]
    levels = book.asks if side is Side.BUY else book.bids
    left, cost = Fraction(amount), Fraction(0)
    for level in levels:  # the exact cost, in rationals
        take = min(left, Fraction(level.amount))
        cost += take * Fraction(level.price)
        left -= take
    exact = cost / Fraction(amount)
    one_digit = Fraction(D(1).scaleb(quote.price.adjusted() - 33))  # the 34th digit
    if side is Side.BUY:
        assert exact <= Fraction(quote.price) < exact + one_digit
    else:
        assert exact - one_digit < Fraction(quote.price) <= exact


async def test_trade_amount_is_quantized_down_to_the_step_before_sending() -> None:
    w = await world()
    result = await w.a.trade(Side.BUY, D("0.050009"), limit_price=D("100010"))
    assert w.alpha.requests[0].amount == D("0.0500")
    assert result.amount == D("0.0500")


async def test_check_trade_refuses_an_amount_under_the_minimum_without_sending() -> None:
    w = await world()
    with pytest.raises(OrderRejected) as caught:
        await w.a.check_trade(Side.BUY, D("0.00001"), D("100000"))
    assert caught.value.code == "amount_zero"
    assert w.alpha.requests == []


async def test_trade_refused_by_the_venue_raises_its_error() -> None:
    w = await world()
    w.alpha.fail_next = NetworkError("connection reset", venue="alpha")
    with pytest.raises(NetworkError):
        await w.a.trade(Side.BUY, D("0.05"), limit_price=D("100010"))


async def test_balance_reads_the_markets_two_currencies() -> None:
    w = await world()
    balance = await w.b.balance()
    assert (balance.base, balance.quote) == ("BTC", "USDC")
    assert (balance.base_free, balance.quote_free) == (D(1), D(10000))


async def test_find_trade_reads_back_an_order_placed_despite_a_timeout() -> None:
    w = await world()
    w.beta.fail_after_next = RequestTimeout("no answer in time", venue="beta")
    with pytest.raises(RequestTimeout):
        await w.b.trade(Side.SELL, D("0.05"), limit_price=D("99980"), client_order_id="arb1s")
    found = await w.b.find_trade(
        Side.SELL, D("0.05"), limit_price=D("99980"), client_order_id="arb1s"
    )
    assert found is not None
    assert (found.filled, found.average_price, found.client_order_id) == (
        D("0.05"), D("99980"), "arb1s")


async def test_find_trade_says_none_for_an_order_never_placed() -> None:
    w = await world()
    w.beta.fail_next = NetworkError("connection reset", venue="beta")
    with pytest.raises(NetworkError):
        await w.b.trade(Side.SELL, D("0.05"), limit_price=D("99980"), client_order_id="arb1s")
    assert await w.b.find_trade(
        Side.SELL, D("0.05"), limit_price=D("99980"), client_order_id="arb1s"
    ) is None


async def test_a_permanent_error_reading_a_placed_order_back_leaves_its_outcome_unknown() -> None:
    w = await world(report_fees=False)  # the adapter reads the fills to learn the fee
    w.beta.lookup_error = ExchangeError("garbled answer", venue="beta")
    with pytest.raises(TradeOutcomeUnknown) as caught:
        await w.b.trade(Side.SELL, D("0.05"), limit_price=D("99980"), client_order_id="arb1s")
    assert caught.value.retryable
    assert "arb1s" in str(caught.value)


@pytest.mark.parametrize("side", [Side.BUY, Side.SELL])
def test_an_average_that_is_exact_but_longer_than_34_digits_rounds_against_the_trader(
    side: Side,
) -> None:
    cost, amount = D("12345678901234567890123456789.123"), D("0.0064")
    exact = Fraction(cost) / Fraction(amount)  # a finite decimal of 36 digits
    average = average_price(side, cost, amount)
    assert len(average.as_tuple().digits) <= 34
    assert (Fraction(average) > exact) if side is Side.BUY else (Fraction(average) < exact)


def test_an_average_that_fits_is_exact() -> None:
    assert average_price(Side.BUY, D("5000.20"), D("0.05")) == D("100004")
