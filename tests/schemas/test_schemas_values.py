"""Exact value types, timestamps, symbols and the trading enums."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

from fortuna import DECIMAL_MAX_DIGITS
from schemas import (
    Amount,
    Fee,
    MandateName,
    NonNegativeAmount,
    Price,
    Side,
    Symbol,
    TimeInForce,
    Timestamp,
    from_milliseconds,
    to_milliseconds,
)


class Holder(BaseModel):
    symbol: Symbol


def test_price_refuses_a_float() -> None:
    with pytest.raises(ValidationError, match="float"):
        TypeAdapter(Price).validate_python(1.5)


def test_price_parses_a_string_exactly() -> None:
    assert TypeAdapter(Price).validate_python("0.1") == Decimal("0.1")


@pytest.mark.parametrize("value", ["0", "-1"])
def test_price_must_be_positive(value: str) -> None:
    with pytest.raises(ValidationError, match="greater than 0"):
        TypeAdapter(Price).validate_python(value)


def test_amount_must_be_positive() -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Amount).validate_python("0")


def test_non_negative_amount_accepts_zero() -> None:
    assert TypeAdapter(NonNegativeAmount).validate_python(0) == 0


def test_fee_may_be_a_negative_rebate() -> None:
    assert TypeAdapter(Fee).validate_python("-0.0001") == Decimal("-0.0001")


def test_fee_is_bounded_to_a_fraction() -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Fee).validate_python("1.5")


def test_price_serialises_as_a_string() -> None:
    assert TypeAdapter(Price).dump_json(Decimal("1.50")) == b'"1.50"'


def test_price_json_schema_states_the_bound() -> None:
    schema = TypeAdapter(Price).json_schema()
    assert {"type": "number", "exclusiveMinimum": 0} in schema["anyOf"]


@pytest.mark.parametrize("name", ["mm1", "btc_usdt.grid", "A" * 32])
def test_a_mandate_name_takes_letters_digits_underscore_and_dot(name: str) -> None:
    assert TypeAdapter(MandateName).validate_python(name) == name


@pytest.mark.parametrize("name", ["", "A" * 33, "mm-1", "mm 1", "mm/1"])
def test_a_mandate_name_refuses_other_characters_empty_or_over_32(name: str) -> None:
    with pytest.raises(ValidationError, match="should match pattern"):
        TypeAdapter(MandateName).validate_python(name)


def test_timestamp_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        TypeAdapter(Timestamp).validate_python(datetime(2026, 1, 1))


def test_timestamp_is_converted_to_utc() -> None:
    plus_two = datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    parsed = TypeAdapter(Timestamp).validate_python(plus_two)
    assert parsed.tzinfo is UTC
    assert parsed.hour == 10


def test_milliseconds_round_trip() -> None:
    assert to_milliseconds(from_milliseconds(1_700_000_000_123)) == 1_700_000_000_123


def test_from_milliseconds_is_utc() -> None:
    assert from_milliseconds(0) == datetime(1970, 1, 1, tzinfo=UTC)


def test_side_opposite() -> None:
    assert Side.BUY.opposite is Side.SELL
    assert Side.SELL.opposite is Side.BUY


def test_side_parses_from_its_value() -> None:
    assert Side("buy") is Side.BUY


def test_post_only_time_in_force_is_po() -> None:
    assert TimeInForce("PO") is TimeInForce.PO


# -- Symbol -------------------------------------------------------------------------------


def test_symbol_parses_base_and_quote() -> None:
    symbol = Symbol("BTC/USDT")
    assert (symbol.base, symbol.quote, symbol.settle) == ("BTC", "USDT", None)


def test_symbol_parses_ccxt_settle_form() -> None:
    symbol = Symbol("BTC/USDT:USDT")
    assert (symbol.base, symbol.quote, symbol.settle) == ("BTC", "USDT", "USDT")


def test_symbol_settle_ignores_expiry_suffix() -> None:
    assert Symbol("BTC/USD:BTC-240329").settle == "BTC"


def test_symbol_equals_and_hashes_as_its_text() -> None:
    assert Symbol("ETH/BTC") == "ETH/BTC"
    assert {"ETH/BTC": 1}[Symbol("ETH/BTC")] == 1


def test_symbol_of_builds_from_parts() -> None:
    assert Symbol.of("ETH", "USDT", "USDT") == "ETH/USDT:USDT"


def test_symbol_is_immutable() -> None:
    with pytest.raises(AttributeError, match="immutable"):
        Symbol("A/B").base = "C"


def test_symbol_survives_pickle() -> None:
    restored = pickle.loads(pickle.dumps(Symbol("A/B:C")))
    assert isinstance(restored, Symbol)
    assert restored.settle == "C"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "cannot be empty"),
        ("BTCUSDT", "has no '/'"),
        ("BTC/", "no quote currency"),
        ("/USDT", "no base currency"),
        ("BTC/USDT:", "empty settle"),
        ("BTC /USDT", "whitespace"),
        ("A/B/C", "more than one '/'"),
        ("BTC/US$", "currency codes are"),
    ],
)
def test_symbol_refuses_malformed_text_with_a_reason(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        Symbol(text)


def test_symbol_field_parses_a_plain_string() -> None:
    holder = Holder(symbol="SOL/USDC")
    assert isinstance(holder.symbol, Symbol)
    assert holder.symbol.base == "SOL"


def test_symbol_field_reports_the_problem() -> None:
    with pytest.raises(ValidationError, match="has no '/'"):
        Holder(symbol="SOLUSDC")


def test_symbol_field_refuses_braces_without_crashing() -> None:
    with pytest.raises(ValidationError, match="symbol"):
        Holder(symbol="{x}/Y")


def test_symbol_field_serialises_as_plain_text() -> None:
    assert Holder(symbol=Symbol("A/B")).model_dump_json() == '{"symbol":"A/B"}'


def test_symbol_json_schema_is_a_string_with_a_pattern() -> None:
    schema = Holder.model_json_schema()["properties"]["symbol"]
    assert schema["type"] == "string"
    assert "pattern" in schema


_code = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._]{0,9}\Z")


@given(base=_code, quote=_code, settle=st.none() | _code)
def test_symbol_text_round_trips(base: str, quote: str, settle: str | None) -> None:
    symbol = Symbol.of(base, quote, settle)
    again = Symbol(str(symbol))
    assert (again.base, again.quote, again.settle) == (base, quote, settle)
    assert str(again) == str(symbol)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e999999", "out of range"),
        ("1e-999999", "out of range"),
        ("1" + "0" * 400, "out of range"),
        ("1." + "1" * DECIMAL_MAX_DIGITS, "significant digits"),
    ],
)
def test_an_exact_decimal_beyond_the_money_bounds_is_refused_at_parse(
    text: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        TypeAdapter(Price).validate_python(text)


def test_an_exact_decimal_at_the_money_bounds_is_accepted() -> None:
    widest = "0." + "9" * DECIMAL_MAX_DIGITS
    assert TypeAdapter(Price).validate_python(widest) == Decimal(widest)
    assert TypeAdapter(Price).validate_python("1E-100") == Decimal("1E-100")
    assert TypeAdapter(NonNegativeAmount).validate_python("0E-99") == 0


def test_trailing_zeros_do_not_count_as_significant_digits() -> None:
    text = "1." + "0" * (DECIMAL_MAX_DIGITS + 20)
    assert TypeAdapter(Price).validate_python(text) == 1
