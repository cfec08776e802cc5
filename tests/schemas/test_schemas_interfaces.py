"""Errors, the Exchange and PriceProvider interfaces, price quotes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from fortuna import Component, ComponentArgs, Context, Interface
from schemas import (
    AuthenticationError,
    BadSymbol,
    Exchange,
    ExchangeError,
    ExchangeUnavailable,
    InsufficientFunds,
    InvalidOrder,
    Market,
    NetworkError,
    NotSupported,
    OrderNotFound,
    OrderRejected,
    OrderRequest,
    PriceProvider,
    PriceQuote,
    RateLimited,
    RequestTimeout,
)

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize("error", [NetworkError, RequestTimeout, RateLimited, ExchangeUnavailable])
def test_transient_errors_are_retryable(error: type[ExchangeError]) -> None:
    assert error.retryable
    assert "retrying may succeed" in str(error())


@pytest.mark.parametrize(
    "error",
    [AuthenticationError, InsufficientFunds, InvalidOrder, OrderNotFound, BadSymbol, NotSupported],
)
def test_permanent_errors_are_not_retryable(error: type[ExchangeError]) -> None:
    assert not error.retryable
    assert "retrying will not help" in str(error())


def test_error_message_names_the_venue() -> None:
    assert str(InsufficientFunds("need 5 USDT", venue="sim")).startswith("sim: need 5 USDT")


def test_rate_limited_carries_retry_after() -> None:
    assert RateLimited(retry_after=1.5).retry_after == 1.5


def test_order_rejected_is_an_invalid_order_with_a_reason() -> None:
    error = OrderRejected("amount rounds to zero", code="amount_zero")
    assert isinstance(error, InvalidOrder)
    assert error.reason == "amount rounds to zero"
    assert "refused before sending" in str(error)


def test_exchange_is_an_interface() -> None:
    assert issubclass(Exchange, Interface)


def test_exchange_cannot_be_instantiated_without_its_methods() -> None:
    class Partial(Exchange):
        @property
        def venue(self) -> str:
            return "partial"

    with pytest.raises(TypeError, match="abstract"):
        Partial()  # type: ignore[abstract]


class _Markets:
    """What Exchange's concrete helpers rely on: venue and markets."""

    venue = "stub"

    async def market(self, symbol: str) -> Market:
        return await Exchange.market(self, symbol)  # type: ignore[arg-type]

    async def markets(self) -> Mapping[str, Market]:
        market = Market.model_validate(
            {"symbol": "A/B", "price_increment": "1", "amount_increment": "1"}
        )
        return {"A/B": market}


async def test_default_market_lookup_raises_bad_symbol() -> None:
    with pytest.raises(BadSymbol, match="no market X/Y"):
        await Exchange.market(_Markets(), "X/Y")  # type: ignore[arg-type]


async def test_default_market_lookup_finds_the_market() -> None:
    market = await Exchange.market(_Markets(), "A/B")  # type: ignore[arg-type]
    assert market.symbol == "A/B"


async def test_exchange_check_order_uses_the_market() -> None:
    request = OrderRequest.model_validate(
        {"symbol": "A/B", "side": "sell", "amount": "1.7", "price": "2.2"}
    )
    checked = await Exchange.check_order(_Markets(), request)  # type: ignore[arg-type]
    assert (checked.amount, checked.price) == (Decimal(1), Decimal(3))


class FixedArgs(ComponentArgs):
    price: Decimal


class Fixed(Component[FixedArgs], PriceProvider):
    async def price(self) -> Decimal:
        return self.args.price


class StaticClock:
    """Only what PriceProvider.quote reads of a clock."""

    def now(self) -> datetime:
        return NOW


async def test_default_quote_stamps_the_components_clock_and_name() -> None:
    context = Context(name="ref", clock=StaticClock())  # type: ignore[arg-type]
    provider = Fixed(FixedArgs(price=Decimal(7)), context)
    quote = await provider.quote()
    assert (quote.price, quote.timestamp, quote.source) == (Decimal(7), NOW, "ref")


def test_quote_age_in_seconds() -> None:
    quote = PriceQuote(price=Decimal(1), timestamp=NOW, source="x")
    assert quote.age(NOW + timedelta(seconds=3)) == 3.0


def test_price_provider_arg_refuses_a_plain_value() -> None:
    class Args(ComponentArgs):
        reference: PriceProvider

    with pytest.raises(ValidationError, match="providing PriceProvider"):
        Args(reference="100")


def test_price_provider_arg_accepts_a_provider() -> None:
    class Args(ComponentArgs):
        reference: PriceProvider

    provider = Fixed(FixedArgs(price=Decimal(1)))
    assert Args(reference=provider).reference is provider
