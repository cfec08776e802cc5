"""The contracts' money figures at their extremes, checked against exact rational arithmetic.

18-decimal token amounts, prices down to 1e-12, notionals beyond 1e12: a cost, a notional
check, a mid and a budget are exact (or rounded once, in their stated direction), never
rounded to a decimal context's precision on the way, whatever the thread's context.
"""

from __future__ import annotations

import decimal
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.market_making._funding import fit_to_balances
from schemas import (
    Balance,
    Balances,
    Fill,
    Market,
    Order,
    OrderBook,
    OrderRejected,
    OrderRequest,
    Side,
    money,
)
from schemas.arbitrage import Quote
from schemas.market_making import DesiredQuote
from schemas.money import Rounding
from tests.schemas.reference import rounded

D = Decimal
NOW = datetime(2026, 1, 1, tzinfo=UTC)
AMOUNT_STEP = D("1E-18")
TICK = D("1E-20")


def _scaled(low: int, high: int, exponent: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda units: D(units).scaleb(exponent))


token_amounts = _scaled(1, 10**27 - 1, -18)  # 18-decimal tokens, up to a billion tokens
tiny_prices = _scaled(1, 10**8, -20)  # on a 1e-20 tick, 1e-20 .. 1e-12
prices = st.one_of(tiny_prices, _scaled(1, 10**20, -8))  # and up to 1e12 at 8 decimals
fee_rates = _scaled(0, 10**6, -8)  # 0 .. 1 %, to the 1e-8
roundings = st.sampled_from(list(Rounding))
quanta = st.sampled_from([D("1E-18"), D("0.01"), D("1"), D("0.5"), D("5"), D("0.025")])
a_small_context = decimal.Context(prec=6, rounding=decimal.ROUND_UP)

PROPERTY = settings(max_examples=150, deadline=None)


def _market(**limits: Decimal) -> Market:
    return Market(symbol="TKN/ETH", price_increment=TICK, amount_increment=AMOUNT_STEP,
                  **limits)


def _order(amount: Decimal, price: Decimal, filled: Decimal) -> Order:
    return Order(id="1", symbol="TKN/ETH", side=Side.BUY, price=price, amount=amount,
                 filled=filled, average=price, timestamp=NOW)


@PROPERTY
@given(st.one_of(token_amounts, prices, token_amounts.map(lambda v: -v)), quanta, roundings)
def test_round_to_rounds_in_the_stated_direction_for_every_quantum(
    value: Decimal, quantum: Decimal, rounding: Rounding
) -> None:
    expected = rounded(Fraction(value) / Fraction(quantum), rounding) * Fraction(quantum)
    with decimal.localcontext(a_small_context):
        assert Fraction(money.round_to(value, quantum, rounding)) == expected


@PROPERTY
@given(token_amounts, prices, fee_rates)
def test_a_quotes_cost_fee_and_net_cost_are_exact(
    amount: Decimal, price: Decimal, fee_rate: Decimal
) -> None:
    quote = Quote(venue="v", symbol="TKN/ETH", side=Side.BUY, amount=amount, price=price,
                  worst_price=price, fee_rate=fee_rate, timestamp=NOW)
    with decimal.localcontext(a_small_context):
        cost, fee, net = quote.cost, quote.fee, quote.net_cost
    exact = Fraction(amount) * Fraction(price)
    assert Fraction(cost) == exact
    assert Fraction(fee) == exact * Fraction(fee_rate)
    assert Fraction(net) == exact * (1 + Fraction(fee_rate))


@PROPERTY
@given(token_amounts, prices, st.integers(0, 100))
def test_an_orders_cost_and_remaining_are_exact(
    amount: Decimal, price: Decimal, percent_filled: int
) -> None:
    filled = money.round_to(money.multiply(amount, D(percent_filled) / 100), AMOUNT_STEP,
                            Rounding.DOWN)
    order = _order(amount, price, filled)
    fill = Fill(id="f", order_id="1", symbol="TKN/ETH", side=Side.BUY, price=price,
                amount=amount, timestamp=NOW)
    request = OrderRequest(symbol="TKN/ETH", side=Side.BUY, amount=amount, price=price)
    with decimal.localcontext(a_small_context):
        assert Fraction(order.cost) == Fraction(filled) * Fraction(price)
        assert Fraction(order.remaining) == Fraction(amount) - Fraction(filled)
        assert Fraction(fill.cost) == Fraction(amount) * Fraction(price)
        assert request.notional is not None
        assert Fraction(request.notional) == Fraction(amount) * Fraction(price)


@PROPERTY
@given(token_amounts, tiny_prices, st.sampled_from([-1, 0, 1]))
def test_the_minimum_notional_is_checked_on_the_exact_notional(
    amount: Decimal, price: Decimal, nudge: int
) -> None:
    # a minimum one unit of its last digit above, at, or below the exact notional
    exact = money.multiply(amount, price)
    exponent = exact.as_tuple().exponent
    assert isinstance(exponent, int)
    minimum = money.add(exact, D(nudge).scaleb(exponent))
    market = _market(min_notional=minimum)
    request = OrderRequest(symbol="TKN/ETH", side=Side.BUY, amount=amount, price=price)
    with decimal.localcontext(a_small_context):
        if nudge > 0:
            with pytest.raises(OrderRejected) as refused:
                market.check_order(request)
            assert refused.value.code == "min_notional"
        else:
            assert market.check_order(request) is request
        assert Fraction(market.notional(amount, price)) == Fraction(amount) * Fraction(price)


@PROPERTY
@given(prices, prices)
def test_a_books_mid_and_spread_are_exact(bid: Decimal, ask: Decimal) -> None:
    bid, ask = min(bid, ask), max(bid, ask)
    if bid == ask:
        return
    book = OrderBook(symbol="TKN/ETH", bids=[(bid, D(1))], asks=[(ask, D(1))], timestamp=NOW)
    with decimal.localcontext(a_small_context):
        mid, spread = book.mid, book.spread
    assert mid is not None
    assert spread is not None
    assert Fraction(mid) == (Fraction(bid) + Fraction(ask)) / 2
    assert Fraction(spread) == Fraction(ask) - Fraction(bid)


@PROPERTY
@given(
    cash=_scaled(1, 10**18, -6),  # up to 1e12 of quote, to the micro unit
    price=prices,
    amount=token_amounts,
    fee=fee_rates,
)
def test_a_buy_budget_rounds_against_the_spender(
    cash: Decimal, price: Decimal, amount: Decimal, fee: Decimal
) -> None:
    market = _market(maker_fee=fee, taker_fee=fee)
    balances = Balances.of([Balance(currency="ETH", free=cash)])
    with decimal.localcontext(a_small_context):
        kept, dropped = fit_to_balances([DesiredQuote(Side.BUY, price, amount)], balances,
                                        market)
    unit = Fraction(price) * (1 + Fraction(fee))
    if dropped:
        assert Fraction(AMOUNT_STEP) * unit > Fraction(cash)  # not one step affordable
        return
    (quote,) = kept
    assert Fraction(quote.amount) * unit <= Fraction(cash)  # never more than the balance
    if quote.amount < amount:  # cut down: one step more would be too much
        assert (Fraction(quote.amount) + Fraction(AMOUNT_STEP)) * unit > Fraction(cash)
        assert (Fraction(quote.amount) / Fraction(AMOUNT_STEP)).denominator == 1


@PROPERTY
@given(base=token_amounts, amount=token_amounts, price=prices)
def test_a_sell_budget_never_sells_more_than_is_held(
    base: Decimal, amount: Decimal, price: Decimal
) -> None:
    balances = Balances.of([Balance(currency="TKN", free=base)])
    with decimal.localcontext(a_small_context):
        kept, _ = fit_to_balances([DesiredQuote(Side.SELL, price, amount)], balances,
                                  _market())
    (quote,) = kept
    assert quote.amount == min(amount, base)
