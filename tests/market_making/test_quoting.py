"""Quantizing, merging and funding the quotes, and reconciling them with resting orders."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.market_making._funding import fit_to_balances
from plugins.market_making._quoting import on_grid, quantize_quotes
from plugins.market_making._reconcile import reconcile
from schemas import Balance, Balances, Market, Order, Side
from schemas.market_making import DesiredQuote

D = Decimal

MARKET = Market(symbol="BTC/USDT", price_increment=D("0.01"), amount_increment=D("0.001"),
                min_amount=D("0.01"), maker_fee=D("0.001"), taker_fee=D("0.002"))
NOW = datetime(2026, 1, 1, tzinfo=UTC)
BUY, SELL = Side.BUY, Side.SELL


def q(side: Side, price: str, amount: str) -> DesiredQuote:
    return DesiredQuote(side, D(price), D(amount))


def resting(side: str, price: str, amount: str, ident: str = "") -> Order:
    return Order(id=ident or f"{side}{price}", client_order_id=f"mm-x-{side}{price}",
                 symbol="BTC/USDT", side=side, price=D(price), amount=D(amount), timestamp=NOW)


def test_quantizing_never_makes_a_quote_more_aggressive() -> None:
    quotes, _ = quantize_quotes([q(BUY, "99.999", "1.0009"), q(SELL, "100.001", "1")], MARKET)
    assert [(x.side, x.price, x.amount) for x in quotes] == [
        (BUY, D("99.99"), D("1.000")), (SELL, D("100.01"), D("1"))]


def test_quantizing_drops_a_quote_under_the_minimum_with_the_reason() -> None:
    quotes, dropped = quantize_quotes([q(BUY, "99", "0.009")], MARKET)
    assert quotes == []
    assert "under the market minimum" in dropped[0][1]


def test_quantizing_merges_quotes_that_land_on_the_same_tick() -> None:
    quotes, _ = quantize_quotes([q(BUY, "99.001", "1"), q(BUY, "99.009", "2")], MARKET)
    assert [(x.price, x.amount) for x in quotes] == [(D("99.00"), D("3"))]


def balances(base: str, quote: str) -> Balances:
    return Balances.of([Balance(currency="BTC", free=D(base)),
                        Balance(currency="USDT", free=D(quote))])


def test_funding_cuts_the_sell_that_runs_out_of_base_and_drops_the_rest() -> None:
    quotes = [q(SELL, "101", "1"), q(SELL, "102", "1"), q(SELL, "103", "1")]
    kept, dropped = fit_to_balances(quotes, balances("1.5", "0"), MARKET)
    assert [(x.price, x.amount) for x in kept] == [(D("101"), D("1")), (D("102"), D("0.500"))]
    assert len(dropped) == 1


def test_funding_counts_what_resting_orders_already_lock() -> None:
    kept, _ = fit_to_balances([q(SELL, "101", "2")], balances("0", "0"), MARKET,
                              [resting("sell", "101", "2")])
    assert [(x.price, x.amount) for x in kept] == [(D("101"), D("2"))]


def test_funding_a_buy_includes_the_higher_fee() -> None:
    kept, _ = fit_to_balances([q(BUY, "100", "1")], balances("0", "100"), MARKET)
    assert kept[0].amount == D("0.998")  # 100 / (100 * 1.002), on the step


def test_reconciling_an_unchanged_book_does_nothing() -> None:
    plan = reconcile([q(BUY, "99", "1"), q(SELL, "101", "1")],
                     [resting("buy", "99", "1"), resting("sell", "101", "1")])
    assert (len(plan.keep), plan.cancel, plan.place) == (2, [], [])


def test_reconciling_replaces_an_order_beyond_the_tolerance() -> None:
    plan = reconcile([q(BUY, "99.5", "1")], [resting("buy", "99", "1")],
                     price_tolerance=D("0.001"))
    assert [o.price for o in plan.cancel] == [D("99")]
    assert [x.price for x in plan.place] == [D("99.5")]


def test_reconciling_keeps_an_order_within_the_tolerance() -> None:
    plan = reconcile([q(BUY, "99.05", "1")], [resting("buy", "99", "1")],
                     price_tolerance=D("0.001"))
    assert (len(plan.keep), plan.cancel, plan.place) == (1, [], [])


def test_reconciling_cancels_orders_nobody_wants() -> None:
    plan = reconcile([], [resting("buy", "99", "1"), resting("sell", "101", "1")])
    assert len(plan.cancel) == 2


def test_a_quantized_quote_is_on_the_grid_and_a_raw_one_is_not() -> None:
    quotes, _ = quantize_quotes([q(BUY, "99.999", "1.0009")], MARKET)
    assert on_grid(MARKET, quotes[0])
    assert not on_grid(MARKET, q(BUY, "99.999", "1"))
    assert not on_grid(MARKET, q(BUY, "99.99", "0.001"))  # under the minimum amount


@settings(max_examples=200, deadline=None)
@given(
    desired=st.lists(st.tuples(st.sampled_from([BUY, SELL]), st.integers(95, 105),
                               st.integers(1, 3)), max_size=8),
    resting_orders=st.lists(st.tuples(st.sampled_from(["buy", "sell"]), st.integers(95, 105),
                                      st.integers(1, 3)), max_size=8),
    tolerance=st.sampled_from([D(0), D("0.01"), D("0.03")]),
)
def test_reconciling_accounts_for_every_order_and_quote(
    desired: list[tuple[Side, int, int]],
    resting_orders: list[tuple[str, int, int]],
    tolerance: D,
) -> None:
    quotes = [DesiredQuote(side, D(price), D(amount)) for side, price, amount in desired]
    orders = [resting(side, str(price), str(amount), ident=str(i))
              for i, (side, price, amount) in enumerate(resting_orders)]
    plan = reconcile(quotes, orders, price_tolerance=tolerance)
    assert sorted(o.id for o in plan.keep + plan.cancel) == sorted(o.id for o in orders)
    assert len(plan.keep) + len(plan.place) == len(quotes)
