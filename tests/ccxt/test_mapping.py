"""Units of the layer: error mapping, precision modes, derived profiles."""

from __future__ import annotations

from decimal import Decimal

import ccxt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from plugins.exchanges.ccxt import convert, markets
from plugins.exchanges.ccxt.capabilities import (
    CancelAll,
    ClosedOrders,
    OpenOrders,
    derive_profile,
)
from plugins.exchanges.ccxt.errors import translate
from plugins.exchanges.ccxt.wire import plain
from schemas import (
    AuthenticationError,
    BadSymbol,
    ExchangeError,
    ExchangeUnavailable,
    InsufficientFunds,
    InvalidOrder,
    NetworkError,
    NotSupported,
    OrderNotFound,
    RateLimited,
    RequestTimeout,
)

D = Decimal


@pytest.mark.parametrize(("raised", "expected", "retryable"), [
    (ccxt.InsufficientFunds, InsufficientFunds, False),
    (ccxt.OrderNotFound, OrderNotFound, False),
    (ccxt.InvalidOrder, InvalidOrder, False),
    (ccxt.OrderImmediatelyFillable, InvalidOrder, False),
    (ccxt.BadSymbol, BadSymbol, False),
    (ccxt.AuthenticationError, AuthenticationError, False),
    (ccxt.PermissionDenied, AuthenticationError, False),
    (ccxt.NotSupported, NotSupported, False),
    (ccxt.BadRequest, ExchangeError, False),
    (ccxt.ExchangeError, ExchangeError, False),
    (ccxt.RateLimitExceeded, RateLimited, True),
    (ccxt.DDoSProtection, RateLimited, True),
    (ccxt.RequestTimeout, RequestTimeout, True),
    (ccxt.OnMaintenance, ExchangeUnavailable, True),
    (ccxt.ExchangeNotAvailable, ExchangeUnavailable, True),
    (ccxt.InvalidNonce, NetworkError, True),
    (ccxt.NetworkError, NetworkError, True),
])
def test_ccxt_error_maps_to_the_project_error(
    raised: type[Exception], expected: type[ExchangeError], retryable: bool
) -> None:
    error = translate(raised("venue said no"), "binance")
    assert type(error) is expected
    assert error.retryable is retryable
    assert "venue said no" in str(error)
    assert error.venue == "binance"


def test_rate_limit_keeps_the_wait_the_venue_asked_for() -> None:
    error = translate(ccxt.RateLimitExceeded('429 {"retry-after": 7}'), "okx")
    assert isinstance(error, RateLimited)
    assert error.retry_after == 7.0


@pytest.mark.parametrize(("precision", "mode", "magnitude", "expected"), [
    ("0.01000000", markets.TICK_SIZE, None, D("0.01")),
    ("5", markets.TICK_SIZE, None, D("5")),
    ("1e-8", markets.TICK_SIZE, None, D("1E-8")),
    ("2", markets.DECIMAL_PLACES, None, D("0.01")),
    ("0", markets.DECIMAL_PLACES, None, D("1")),
    ("5", markets.SIGNIFICANT_DIGITS, D("30123.4"), D("1")),
    ("5", markets.SIGNIFICANT_DIGITS, D("0.0123456"), D("0.000001")),
    ("5", markets.SIGNIFICANT_DIGITS, None, D("0.0001")),
])
def test_precision_becomes_an_increment_in_every_ccxt_mode(
    precision: str, mode: int, magnitude: Decimal | None, expected: Decimal
) -> None:
    assert markets.increment(precision, mode, magnitude) == expected


@given(st.decimals(min_value=D("0.00000001"), max_value=D("1e12"), places=8,
                   allow_nan=False, allow_infinity=False))
def test_wire_text_parses_back_to_the_same_decimal(value: Decimal) -> None:
    text = plain(value)
    assert "E" not in text
    assert "e" not in text
    assert D(text) == value


def test_float_from_a_ccxt_code_path_converts_through_its_text() -> None:
    assert convert.dec(0.1) == D("0.1")
    assert convert.dec("0.10000000") == D("0.10000000")
    assert convert.dec(None) is None
    assert convert.dec("") is None
    assert convert.dec(True) is None


def test_generic_venue_profile_comes_from_ccxt_metadata() -> None:
    has = {"fetchClosedOrders": False, "fetchOrders": False, "fetchMyTrades": True,
           "fetchOpenOrders": True, "cancelOrder": True, "cancelAllOrders": False}
    features = {"spot": {"fetchOpenOrders": {"symbolRequired": True}}}
    profile = derive_profile(has, features)
    assert profile.closed_orders is ClosedOrders.FROM_MY_TRADES
    assert profile.open_orders is OpenOrders.PER_SYMBOL
    assert profile.cancel_all is CancelAll.ONE_BY_ONE
