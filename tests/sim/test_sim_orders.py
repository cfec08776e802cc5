"""Placing and cancelling on the simulated venue: reservations, taker fills, fees, time in
force, rejections like a real venue's, client order ids, order queries."""

from __future__ import annotations

import pytest

from schemas import (
    InsufficientFunds,
    Liquidity,
    OrderNotFound,
    OrderRejected,
    OrderStatus,
    OrderType,
    TimeInForce,
)
from tests.sim.helpers import STATIC, SYMBOL, D, limit, market, market_order, new_clock, venue


async def test_a_resting_buy_reserves_its_value_plus_the_worst_fee() -> None:
    sim = await venue(**STATIC)
    order = await sim.create_order(limit("buy", "1", "100.00"))
    assert order.status is OrderStatus.OPEN
    assert order.filled == 0
    balances = await sim.fetch_balances()
    assert balances.used("USDT") == D("100.200")
    assert balances.free("USDT") == D("9899.800")
    assert balances.total("USDT") == D("10000")


async def test_a_resting_sell_reserves_its_base_amount() -> None:
    sim = await venue(**STATIC)
    await sim.create_order(limit("sell", "2.5", "100.05"))
    balances = await sim.fetch_balances()
    assert (balances.free("BTC"), balances.used("BTC")) == (D("7.5"), D("2.5"))


async def test_balances_read_before_and_after_each_move_show_each_move() -> None:
    # Unchanged balances are reused between reads: each move must still show at once.
    sim = await venue(**STATIC)
    before = await sim.fetch_balances()
    order = await sim.create_order(limit("buy", "1", "100.00"))
    reserved = await sim.fetch_balances()
    await sim.cancel_order(order.id, SYMBOL)
    released = await sim.fetch_balances()
    assert (before.free("USDT"), before.used("USDT")) == (D("10000"), D(0))
    assert (reserved.free("USDT"), reserved.used("USDT")) == (D("9899.800"), D("100.200"))
    assert (released.free("USDT"), released.used("USDT")) == (D("10000"), D(0))
    assert before.balances["BTC"] == released.balances["BTC"] == reserved.balances["BTC"]


async def test_cancelling_releases_the_reservation() -> None:
    sim = await venue(**STATIC)
    order = await sim.create_order(limit("buy", "1", "100.00"))
    cancelled = await sim.cancel_order(order.id, SYMBOL)
    assert cancelled is not None
    assert cancelled.status is OrderStatus.CANCELED
    balances = await sim.fetch_balances()
    assert (balances.free("USDT"), balances.used("USDT")) == (D("10000"), D(0))


async def test_an_order_beyond_the_free_balance_is_refused_with_insufficient_funds() -> None:
    sim = await venue(**STATIC)
    with pytest.raises(InsufficientFunds):
        await sim.create_order(limit("buy", "101", "99.00"))
    with pytest.raises(InsufficientFunds):
        await sim.create_order(limit("sell", "10.001", "101.00"))
    assert await sim.fetch_open_orders() == []


async def test_reservations_count_against_later_orders() -> None:
    sim = await venue(**STATIC)
    await sim.create_order(limit("sell", "6", "101.00"))
    with pytest.raises(InsufficientFunds):
        await sim.create_order(limit("sell", "5", "102.00"))


async def test_a_marketable_buy_takes_the_book_level_by_level_as_taker() -> None:
    sim = await venue(**STATIC)
    order = await sim.create_order(limit("buy", "2.5", "100.30"))
    assert order.status is OrderStatus.CLOSED
    assert order.filled == D("2.5")
    fills = await sim.fetch_my_trades(SYMBOL)
    assert [(f.price, f.amount) for f in fills] == [
        (D("100.10"), D("1")), (D("100.20"), D("1")), (D("100.30"), D("0.5"))]
    assert {f.liquidity for f in fills} == {Liquidity.TAKER}
    assert order.average == (D("100.10") + D("100.20") + D("50.15")) / D("2.5")


async def test_an_order_filled_at_one_price_reports_that_price_as_its_average() -> None:
    sim = await venue(**STATIC)
    first = await sim.create_order(limit("buy", "0.4", "100.10"))
    second = await sim.create_order(limit("buy", "0.6", "100.10"))
    # the average is a ratio: the fill price without its trailing zero, for any amount
    assert [str(o.average) for o in (first, second)] == ["100.1", "100.1"]


async def test_a_buy_never_fills_above_its_limit_and_rests_the_rest() -> None:
    sim = await venue(**STATIC)
    order = await sim.create_order(limit("buy", "3", "100.20"))
    assert order.status is OrderStatus.OPEN
    assert (order.filled, order.remaining) == (D("2"), D("1"))
    assert max(f.price for f in await sim.fetch_my_trades()) <= D("100.20")


async def test_taker_fills_pay_the_taker_fee_in_quote() -> None:
    sim = await venue(**STATIC)
    await sim.create_order(limit("buy", "1", "100.10"))
    (fill,) = await sim.fetch_my_trades()
    assert (fill.fee, fill.fee_currency) == (D("0.2002"), "USDT")
    balances = await sim.fetch_balances()
    assert balances.total("USDT") == D("10000") - D("100.10") - D("0.2002")
    assert balances.total("BTC") == D("11")


async def test_equal_fees_keep_the_digits_of_their_own_fill() -> None:
    sim = await venue(**STATIC)
    first = await sim.create_order(limit("buy", "0.5", "100.10"))
    second = await sim.create_order(limit("buy", "0.50", "100.10"))
    # 0.5 * 100.10 * 0.002 and 0.50 * 100.10 * 0.002: equal, written with other digits
    assert [str(o.fee) for o in (first, second)] == ["0.100100", "0.1001000"]
    assert [str(o.fees[0].cost) for o in (first, second)] == ["0.100100", "0.1001000"]
    fills = await sim.fetch_my_trades()
    assert [str(f.fees[0].cost) for f in fills] == ["0.100100", "0.1001000"]


async def test_a_market_sell_walks_the_bids() -> None:
    sim = await venue(**STATIC)
    order = await sim.create_order(market_order("sell", "1.5"))
    assert order.type is OrderType.MARKET
    assert order.status is OrderStatus.CLOSED
    assert [(f.price, f.amount) for f in await sim.fetch_my_trades()] == [
        (D("99.90"), D("1")), (D("99.80"), D("0.5"))]
    balances = await sim.fetch_balances()
    proceeds = D("99.90") + D("49.90")
    assert balances.total("USDT") == D("10000") + proceeds - proceeds * D("0.002")


async def test_a_market_order_larger_than_the_book_fills_what_is_there_and_expires() -> None:
    sim = await venue(**STATIC, depth=2)
    order = await sim.create_order(market_order("buy", "5"))
    assert order.status is OrderStatus.EXPIRED
    assert order.filled == D("2")


async def test_a_market_buy_the_quote_balance_cannot_pay_is_refused() -> None:
    sim = await venue(**STATIC, balances={"USDT": D("150")})
    with pytest.raises(InsufficientFunds):
        await sim.create_order(market_order("buy", "2"))


async def test_the_mandates_taking_consumes_the_book_until_the_price_moves() -> None:
    clock = new_clock()
    sim = await venue(clock, **STATIC)
    await sim.create_order(market_order("buy", "1"))
    await sim.create_order(market_order("buy", "1"))
    prices = [f.price for f in await sim.fetch_my_trades()]
    assert prices == [D("100.10"), D("100.20")]
    await clock.advance(1)
    await sim.create_order(market_order("buy", "1"))
    assert (await sim.fetch_my_trades())[-1].price == D("100.10")


async def test_an_ioc_order_expires_what_it_cannot_fill_at_once() -> None:
    sim = await venue(**STATIC)
    order = await sim.create_order(limit("buy", "1.5", "100.10", time_in_force="IOC"))
    assert (order.status, order.filled) == (OrderStatus.EXPIRED, D("1"))
    assert (await sim.fetch_balances()).used("USDT") == 0


async def test_a_fok_order_that_cannot_fill_entirely_expires_untouched() -> None:
    sim = await venue(**STATIC)
    order = await sim.create_order(limit("buy", "1.5", "100.10", time_in_force=TimeInForce.FOK))
    assert (order.status, order.filled) == (OrderStatus.EXPIRED, D(0))
    assert await sim.fetch_my_trades() == []
    filled = await sim.create_order(limit("buy", "1.5", "100.20", time_in_force="FOK"))
    assert (filled.status, filled.filled) == (OrderStatus.CLOSED, D("1.5"))


async def test_a_post_only_order_that_would_take_is_refused() -> None:
    sim = await venue(**STATIC)
    with pytest.raises(OrderRejected) as refused:
        await sim.create_order(limit("buy", "1", "100.10", post_only=True))
    assert refused.value.code == "post_only"
    resting = await sim.create_order(limit("buy", "1", "100.09", post_only=True))
    assert resting.status is OrderStatus.OPEN
    assert resting.post_only


async def test_an_order_crossing_the_mandates_own_resting_order_is_refused() -> None:
    sim = await venue(**STATIC)
    await sim.create_order(limit("sell", "1", "100.05"))
    with pytest.raises(OrderRejected) as refused:
        await sim.create_order(limit("buy", "1", "100.05"))
    assert refused.value.code == "self_trade"
    assert "100.05" in refused.value.reason
    with pytest.raises(OrderRejected):
        await sim.create_order(market_order("buy", "0.5"))
    assert len(await sim.fetch_open_orders()) == 1


async def test_a_price_off_the_tick_is_rejected_not_rounded() -> None:
    sim = await venue(**STATIC)
    with pytest.raises(OrderRejected) as refused:
        await sim.create_order(limit("buy", "1", "99.995"))
    assert refused.value.code == "precision"
    assert "tick 0.01" in refused.value.reason
    assert await sim.fetch_open_orders() == []


async def test_an_amount_off_the_step_is_rejected_not_rounded() -> None:
    sim = await venue(**STATIC)
    with pytest.raises(OrderRejected) as refused:
        await sim.create_order(limit("buy", "1.0005", "99.00"))
    assert refused.value.code == "precision"
    assert "step 0.001" in refused.value.reason


async def test_an_amount_under_the_minimum_is_rejected() -> None:
    sim = await venue(**STATIC)
    with pytest.raises(OrderRejected) as refused:
        await sim.create_order(limit("buy", "0.005", "99.00"))
    assert refused.value.code == "min_amount"


async def test_a_value_under_the_minimum_notional_is_rejected() -> None:
    sim = await venue(markets=[market(min_amount=D("0.001"), min_notional=D("5"))], **STATIC)
    with pytest.raises(OrderRejected) as refused:
        await sim.create_order(limit("buy", "0.04", "99.00"))
    assert refused.value.code == "min_notional"
    with pytest.raises(OrderRejected) as market_refused:
        await sim.create_order(market_order("buy", "0.04"))
    assert market_refused.value.code == "min_notional"


async def test_an_amount_over_the_maximum_is_rejected() -> None:
    sim = await venue(markets=[market(max_amount=D("5"))], **STATIC)
    with pytest.raises(OrderRejected) as refused:
        await sim.create_order(limit("sell", "6", "101.00"))
    assert refused.value.code == "max_amount"


async def test_check_order_gives_the_quantized_request_that_the_venue_accepts() -> None:
    sim = await venue(**STATIC)
    checked = await sim.check_order(limit("buy", "1.0005", "99.995"))
    assert (checked.price, checked.amount) == (D("99.99"), D("1.000"))
    order = await sim.create_order(checked)
    assert (order.price, order.amount) == (D("99.99"), D("1.000"))


async def test_the_client_order_id_is_echoed_back() -> None:
    sim = await venue(**STATIC)
    order = await sim.create_order(limit("buy", "1", "99.00", client_order_id="mm-1"))
    assert order.client_order_id == "mm-1"
    (listed,) = await sim.fetch_open_orders(SYMBOL)
    assert listed.client_order_id == "mm-1"


async def test_a_client_order_id_in_use_by_an_open_order_is_refused() -> None:
    sim = await venue(**STATIC)
    first = await sim.create_order(limit("buy", "1", "99.00", client_order_id="mm-1"))
    with pytest.raises(OrderRejected) as refused:
        await sim.create_order(limit("buy", "1", "98.00", client_order_id="mm-1"))
    assert refused.value.code == "duplicate_client_order_id"
    await sim.cancel_order(first.id, SYMBOL)
    again = await sim.create_order(limit("buy", "1", "98.00", client_order_id="mm-1"))
    assert again.status is OrderStatus.OPEN


async def test_open_orders_are_listed_oldest_first_and_by_symbol() -> None:
    sim = await venue(markets=[market(), market(symbol="ETH/USDT", price=D("50"))], **STATIC)
    a = await sim.create_order(limit("buy", "1", "99.00"))
    b = await sim.create_order(limit("buy", "1", "49.00", symbol="ETH/USDT"))
    c = await sim.create_order(limit("sell", "1", "101.00"))
    assert [o.id for o in await sim.fetch_open_orders()] == [a.id, b.id, c.id]
    assert [o.id for o in await sim.fetch_open_orders(SYMBOL)] == [a.id, c.id]


async def test_final_orders_are_listed_as_closed_orders() -> None:
    sim = await venue(**STATIC)
    taken = await sim.create_order(limit("buy", "0.5", "100.10"))
    resting = await sim.create_order(limit("buy", "1", "99.00"))
    await sim.cancel_order(resting.id, SYMBOL)
    closed = await sim.fetch_closed_orders(SYMBOL)
    assert [(o.id, o.status) for o in closed] == [
        (taken.id, OrderStatus.CLOSED), (resting.id, OrderStatus.CANCELED)]
    assert await sim.fetch_closed_orders(SYMBOL, limit=1) == closed[-1:]


async def test_fetch_order_finds_open_and_final_orders() -> None:
    sim = await venue(**STATIC)
    order = await sim.create_order(limit("buy", "1", "99.00"))
    assert (await sim.fetch_order(order.id, SYMBOL)).status is OrderStatus.OPEN
    await sim.cancel_order(order.id, SYMBOL)
    assert (await sim.fetch_order(order.id, SYMBOL)).status is OrderStatus.CANCELED


async def test_an_unknown_order_id_raises_order_not_found() -> None:
    sim = await venue(**STATIC)
    with pytest.raises(OrderNotFound):
        await sim.fetch_order("nope", SYMBOL)
    with pytest.raises(OrderNotFound):
        await sim.cancel_order("nope", SYMBOL)


async def test_cancelling_a_filled_order_returns_it_as_it_stands() -> None:
    sim = await venue(**STATIC)
    order = await sim.create_order(limit("buy", "0.5", "100.10"))
    again = await sim.cancel_order(order.id, SYMBOL)
    assert again is not None
    assert again.status is OrderStatus.CLOSED


async def test_cancel_all_orders_cancels_every_open_order_of_the_symbol() -> None:
    sim = await venue(markets=[market(), market(symbol="ETH/USDT", price=D("50"))], **STATIC)
    await sim.create_order(limit("buy", "1", "99.00"))
    await sim.create_order(limit("sell", "1", "101.00"))
    other = await sim.create_order(limit("buy", "1", "49.00", symbol="ETH/USDT"))
    cancelled = await sim.cancel_all_orders(SYMBOL)
    assert {o.status for o in cancelled} == {OrderStatus.CANCELED}
    assert len(cancelled) == 2
    assert [o.id for o in await sim.fetch_open_orders()] == [other.id]
    assert len(await sim.cancel_all_orders()) == 1
    balances = await sim.fetch_balances()
    assert (balances.used("USDT"), balances.used("BTC")) == (D(0), D(0))
