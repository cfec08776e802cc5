"""Retries of reads, never of order creation; finding out whether an order went through."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from fortuna import Clock, Context
from schemas import (
    AuthenticationError,
    ExchangeError,
    NetworkError,
    OrderRequest,
    RateLimited,
)
from tests.ccxt.conftest import ALL_VENUES, VenueFactory

D = Decimal
FAST = {"rate_limit": 0.001}


class RecordingClock(Clock):
    """Sleeps nothing; remembers how long it was asked to sleep."""

    def __init__(self) -> None:
        self.slept: list[float] = []

    def time(self) -> float:
        return 1_700_000_000.0

    def now(self) -> datetime:
        return datetime(2026, 1, 1, tzinfo=UTC)

    def monotonic(self) -> float:
        return 0.0

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    async def sleep_until(self, deadline: float) -> None:
        return None


async def make(venue_factory: VenueFactory, venue: str = "binance", **args: object):  # type: ignore[no-untyped-def]
    exchange, standin = await venue_factory(venue, **FAST, **args)
    clock = RecordingClock()
    exchange.context = Context(name="ex", clock=clock)
    return exchange, standin, clock


def buy() -> OrderRequest:
    return OrderRequest(symbol="BTC/USDT", side="buy", amount=D("0.01"), price=D("30000"))


async def test_rate_limited_read_is_retried_with_backoff_on_the_graph_clock(
    venue_factory: VenueFactory,
) -> None:
    exchange, standin, clock = await make(venue_factory, retries=3, retry_backoff=0.25)
    for _ in range(2):
        standin.fail(*standin.BOOK, *standin.RATE_LIMITED)
    book = await exchange.fetch_order_book("BTC/USDT")
    assert book.bids
    assert clock.slept == [0.25, 0.5]
    assert len(standin.requests(*standin.BOOK)) == 3


async def test_retries_are_bounded(venue_factory: VenueFactory) -> None:
    exchange, standin, clock = await make(venue_factory, retries=2)
    for _ in range(5):
        standin.fail(*standin.BOOK, *standin.RATE_LIMITED)
    with pytest.raises(RateLimited) as error:
        await exchange.fetch_order_book("BTC/USDT")
    assert error.value.retryable
    assert len(standin.requests(*standin.BOOK)) == 3
    assert len(clock.slept) == 2


async def test_permanent_error_is_not_retried(venue_factory: VenueFactory) -> None:
    exchange, standin, clock = await make(venue_factory, secret="wrong")
    with pytest.raises(AuthenticationError) as error:
        await exchange.fetch_balances()
    assert not error.value.retryable
    assert "retrying will not help" in str(error.value)
    assert clock.slept == []
    assert len(standin.requests(*standin.BALANCE)) == 1


async def test_order_creation_is_never_retried(venue_factory: VenueFactory) -> None:
    exchange, standin, _ = await make(venue_factory, retries=3)
    standin.fail(*standin.CREATE, *standin.RATE_LIMITED)
    with pytest.raises(RateLimited) as error:
        await exchange.create_order(buy())
    assert "was not placed" in str(error.value)
    assert len(standin.creates()) == 1
    assert standin.ledger.orders == {}


async def test_an_order_creation_is_timed_like_every_other_call_to_the_venue(
    venue_factory: VenueFactory,
) -> None:
    exchange, standin, _ = await make(venue_factory)
    before = exchange.transport.latency.count
    await exchange.create_order(buy())
    assert exchange.transport.latency.count == before + 1
    assert len(standin.creates()) == 1


@pytest.mark.parametrize("venue", ALL_VENUES)
async def test_order_accepted_before_the_connection_dropped_is_found_by_client_id(
    venue: str, venue_factory: VenueFactory
) -> None:
    exchange, standin, _ = await make(venue_factory, venue)
    standin.drop_after(*standin.CREATE)
    order = await exchange.create_order(buy())
    (stored,) = standin.ledger.orders.values()
    assert standin.ledger_id(order.id) == stored.id
    assert order.client_order_id == stored.client_id
    assert len(standin.creates()) == 1


async def test_order_refused_with_a_retryable_error_is_reported_not_placed(
    venue_factory: VenueFactory,
) -> None:
    exchange, standin, _ = await make(venue_factory)
    standin.fail(*standin.CREATE, 503, {"code": -1001, "msg": "Internal error; unable to "
                                        "process your request. Please try again."})
    with pytest.raises(NetworkError) as error:
        await exchange.create_order(buy())
    assert "was not placed" in str(error.value)
    assert error.value.retryable


async def test_order_whose_lookup_fails_is_reported_unknown(venue_factory: VenueFactory) -> None:
    exchange, standin, _ = await make(venue_factory, retries=0)
    standin.drop_after(*standin.CREATE)
    standin.fail("GET", "/api/v3/order", *standin.RATE_LIMITED)
    with pytest.raises(ExchangeError) as error:
        await exchange.create_order(buy())
    assert "is unknown" in str(error.value)
    assert error.value.retryable
    assert len(standin.ledger.orders) == 1
