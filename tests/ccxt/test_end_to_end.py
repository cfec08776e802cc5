"""Every covered venue end to end: real async ccxt against the venue's stand-in."""

from __future__ import annotations

from decimal import Decimal

import pytest

from schemas import (
    InsufficientFunds,
    OrderNotFound,
    OrderRejected,
    OrderRequest,
    OrderStatus,
)
from tests.ccxt.conftest import ALL_VENUES, VenueFactory
from tests.ccxt.walk import assert_exact

D = Decimal
FAST = {"rate_limit": 0.001}

pytestmark = pytest.mark.parametrize("venue", ALL_VENUES)


def buy(amount: str, price: str, **extra: object) -> OrderRequest:
    return OrderRequest(symbol="BTC/USDT", side="buy", amount=D(amount), price=D(price),
                        **extra)


async def test_markets_carry_the_venue_increments_and_minimums(
    venue: str, venue_factory: VenueFactory
) -> None:
    exchange, standin = await venue_factory(venue, **FAST)
    market = (await exchange.markets())["BTC/USDT"]
    assert market.price_increment == D("0.01")
    assert market.amount_increment == D("0.00001")
    assert market.min_amount == D("0.00001")
    assert market.min_notional == (D("5") if standin.HAS_MIN_NOTIONAL else None)


async def test_every_returned_structure_is_exact_decimal(
    venue: str, venue_factory: VenueFactory
) -> None:
    exchange, standin = await venue_factory(venue, **FAST)
    placed = await exchange.create_order(buy("0.01", "30000.12"))
    standin.ledger.fill(standin.ledger_id(placed.id), D("0.004"))
    resting = await exchange.create_order(buy("0.02", "29000"))
    standin.ledger.fill(standin.ledger_id(resting.id))
    structures = [
        await exchange.markets(),
        await exchange.fetch_order_book("BTC/USDT"),
        await exchange.fetch_ticker("BTC/USDT"),
        await exchange.fetch_balances(),
        await exchange.fetch_trades("BTC/USDT"),
        await exchange.fetch_ohlcv("BTC/USDT"),
        placed,
        await exchange.fetch_order(placed.id, "BTC/USDT"),
        await exchange.fetch_open_orders("BTC/USDT"),
        await exchange.fetch_closed_orders("BTC/USDT"),
        await exchange.fetch_my_trades("BTC/USDT"),
        await exchange.cancel_order(placed.id, "BTC/USDT"),
    ]
    if structures[-1] is None:  # a cancel the venue acknowledges without describing
        structures.pop()
    for structure in structures:
        assert structure, f"empty structure: {structure!r}"
        assert assert_exact(structure) > 0


async def test_order_book_levels_keep_every_digit(venue: str, venue_factory: VenueFactory) -> None:
    exchange, standin = await venue_factory(venue, **FAST)
    standin.ledger.bids = [("30000.12345678", "0.00000001"), ("0.10000001", "123456789.12345678")]
    book = await exchange.fetch_order_book("BTC/USDT")
    assert [(level.price, level.amount) for level in book.bids] == [
        (D("30000.12345678"), D("0.00000001")), (D("0.10000001"), D("123456789.12345678"))]


async def test_order_book_sorts_prices_numerically(venue: str, venue_factory: VenueFactory) -> None:
    exchange, standin = await venue_factory(venue, **FAST)
    standin.ledger.asks = [("10.5", "1"), ("9.5", "1"), ("100", "1")]
    book = await exchange.fetch_order_book("BTC/USDT")
    assert [level.price for level in book.asks] == [D("9.5"), D("10.5"), D("100")]


async def test_order_book_read_again_reuses_its_unchanged_levels_only(
    venue: str, venue_factory: VenueFactory
) -> None:
    exchange, standin = await venue_factory(venue, **FAST)
    standin.ledger.asks = [("9.5", "1"), ("10.5", "1")]
    first = await exchange.fetch_order_book("BTC/USDT")
    standin.ledger.asks = [("9.5", "1"), ("10.5", "2")]
    again = await exchange.fetch_order_book("BTC/USDT")
    assert again.asks[0] is first.asks[0]
    assert (again.asks[1].price, again.asks[1].amount) == (D("10.5"), D("2"))


async def test_balances_are_exact(venue: str, venue_factory: VenueFactory) -> None:
    exchange, _ = await venue_factory(venue, **FAST)
    balances = await exchange.fetch_balances()
    assert balances.free("USDT") == D("100000.12345678")
    assert balances.total("BTC") == D("1.5")


async def test_order_goes_on_the_wire_quantized(venue: str, venue_factory: VenueFactory) -> None:
    exchange, standin = await venue_factory(venue, **FAST)
    order = await exchange.create_order(buy("0.123456789", "30000.129"))
    wire = standin.wire_order(standin.creates()[-1])
    assert wire == {"amount": "0.12345", "price": "30000.12"}
    assert (order.amount, order.price) == (D("0.12345"), D("30000.12"))


async def test_sell_price_rounds_up_on_the_wire(venue: str, venue_factory: VenueFactory) -> None:
    exchange, standin = await venue_factory(venue, **FAST)
    await exchange.create_order(OrderRequest(
        symbol="BTC/USDT", side="sell", amount=D("0.01"), price=D("30001.001")))
    wire = standin.wire_order(standin.creates()[-1])
    assert wire == {"amount": "0.01", "price": "30001.01"}


async def test_order_under_the_minimum_notional_never_reaches_the_wire(
    venue: str, venue_factory: VenueFactory
) -> None:
    exchange, standin = await venue_factory(venue, **FAST)
    if not standin.HAS_MIN_NOTIONAL:
        pytest.skip(f"{venue} has no minimum notional")
    with pytest.raises(OrderRejected) as refused:
        await exchange.create_order(buy("0.0001", "30000"))
    assert refused.value.code == "min_notional"
    assert "under the minimum 5" in refused.value.reason
    assert standin.creates() == []


async def test_order_under_the_minimum_amount_never_reaches_the_wire(
    venue: str, venue_factory: VenueFactory
) -> None:
    exchange, standin = await venue_factory(venue, **FAST)
    market = (await exchange.markets())["BTC/USDT"]
    smaller = market.model_copy(update={"min_amount": D("0.001")})
    exchange.session.markets["BTC/USDT"] = smaller
    with pytest.raises(OrderRejected) as refused:
        await exchange.create_order(buy("0.0009", "30000"))
    assert refused.value.code == "min_amount"
    assert standin.creates() == []


async def test_order_rounding_to_zero_never_reaches_the_wire(
    venue: str, venue_factory: VenueFactory
) -> None:
    exchange, standin = await venue_factory(venue, **FAST)
    with pytest.raises(OrderRejected) as refused:
        await exchange.create_order(buy("0.000009", "30000"))
    assert refused.value.code == "amount_zero"
    assert standin.creates() == []


async def test_generated_client_order_id_is_sent_and_returned(
    venue: str, venue_factory: VenueFactory
) -> None:
    exchange, standin = await venue_factory(venue, client_order_id_prefix="mm1", **FAST)
    order = await exchange.create_order(buy("0.01", "30000"))
    assert order.client_order_id is not None
    assert order.client_order_id.startswith("mm1")
    stored = standin.ledger.orders[standin.ledger_id(order.id)]
    assert stored.client_id == order.client_order_id


async def test_given_client_order_id_is_kept(venue: str, venue_factory: VenueFactory) -> None:
    exchange, standin = await venue_factory(venue, **FAST)
    order = await exchange.create_order(buy("0.01", "30000", client_order_id="mine42"))
    assert order.client_order_id == "mine42"
    assert standin.ledger.orders[standin.ledger_id(order.id)].client_id == "mine42"


async def test_cancel_returns_the_cancelled_order(venue: str, venue_factory: VenueFactory) -> None:
    exchange, standin = await venue_factory(venue, **FAST)
    order = await exchange.create_order(buy("0.01", "30000"))
    cancelled = await exchange.cancel_order(order.id, "BTC/USDT")
    assert standin.ledger.orders[standin.ledger_id(order.id)].status == "canceled"
    assert cancelled is None or cancelled.status is OrderStatus.CANCELED


async def test_open_orders_of_every_market(venue: str, venue_factory: VenueFactory) -> None:
    exchange, _ = await venue_factory(venue, **FAST)
    first = await exchange.create_order(buy("0.01", "30000"))
    second = await exchange.create_order(OrderRequest(
        symbol="ETH/USDT", side="buy", amount=D("0.1"), price=D("2000")))
    open_orders = await exchange.fetch_open_orders()
    assert {o.id for o in open_orders} == {first.id, second.id}


async def test_closed_orders_include_filled_ones(venue: str, venue_factory: VenueFactory) -> None:
    exchange, standin = await venue_factory(venue, **FAST)
    filled = await exchange.create_order(buy("0.01", "30000"))
    await exchange.create_order(buy("0.01", "29000"))
    standin.ledger.fill(standin.ledger_id(filled.id))
    closed = await exchange.fetch_closed_orders()
    assert [(o.id, o.status, o.filled) for o in closed] == [
        (filled.id, OrderStatus.CLOSED, D("0.01"))]


async def test_cancel_all_cancels_every_open_order(venue: str, venue_factory: VenueFactory) -> None:
    exchange, standin = await venue_factory(venue, **FAST)
    await exchange.create_order(buy("0.01", "30000"))
    await exchange.create_order(OrderRequest(
        symbol="ETH/USDT", side="buy", amount=D("0.1"), price=D("2000")))
    await exchange.cancel_all_orders()
    assert {o.status for o in standin.ledger.orders.values()} == {"canceled"}
    assert await exchange.fetch_open_orders() == []


async def test_insufficient_balance_maps_to_insufficient_funds(
    venue: str, venue_factory: VenueFactory
) -> None:
    exchange, _ = await venue_factory(venue, **FAST)
    with pytest.raises(InsufficientFunds) as error:
        await exchange.create_order(buy("100", "30000"))
    assert not error.value.retryable


async def test_unknown_order_maps_to_order_not_found(
    venue: str, venue_factory: VenueFactory
) -> None:
    exchange, _ = await venue_factory(venue, **FAST)
    with pytest.raises(OrderNotFound):
        await exchange.fetch_order(exchange_unknown_id(venue), "BTC/USDT")
    with pytest.raises(OrderNotFound):
        await exchange.cancel_order(exchange_unknown_id(venue), "BTC/USDT")


def exchange_unknown_id(venue: str) -> str:
    return "C02__999999" if venue == "mexc" else "999999"



async def test_post_only_order_reaches_the_venue_as_maker_only(
    venue: str, venue_factory: VenueFactory
) -> None:
    exchange, standin = await venue_factory(venue, **FAST)
    order = await exchange.create_order(buy("0.01", "30000", post_only=True))
    assert standin.ledger.orders[standin.ledger_id(order.id)].tif == "PO"
