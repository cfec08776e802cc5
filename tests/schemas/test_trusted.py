"""schemas.trusted: a model built from values known valid is the validated model.

Pins, for the installed pydantic and pydantic-core, everything the fast path relies on:
with every field given, the instance its builder (a public ``SchemaValidator`` whose
fields accept any value) makes cannot be told from the one validation builds (equality,
hash, fields set, dump, repr, copies, pickling) and stays frozen; and the contracts'
builders really skip validation, even once their classes have validated instances.
"""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError

from schemas import (
    Balance,
    Balances,
    Candle,
    FeeCharge,
    Fill,
    Liquidity,
    Order,
    OrderBook,
    OrderBookLevel,
    OrderRequest,
    OrderStatus,
    OrderType,
    PriceQuote,
    Side,
    Symbol,
    Ticker,
    TimeInForce,
    Trade,
    trusted,
    trusted_update,
)
from schemas._trusted import prepare

D = Decimal
NOW = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
LEVEL = {"price": D("65000.10"), "amount": D("0.250")}
FEE = {"currency": "USDT", "cost": D("0.0325")}

CASES: dict[type[BaseModel], dict[str, Any]] = {
    OrderBookLevel: LEVEL,
    OrderBook: {
        "symbol": Symbol("BTC/USDT"),
        "bids": (OrderBookLevel(**LEVEL),),
        "asks": (OrderBookLevel(price=D("65000.20"), amount=D("1")),),
        "timestamp": NOW,
    },
    Ticker: {
        "symbol": Symbol("BTC/USDT"), "bid": D("65000.10"), "ask": D("65000.20"),
        "last": D("65000.15"), "volume": D("12.5"), "quote_volume": D("812501.875"),
        "timestamp": NOW,
    },
    Trade: {
        "id": "t-1", "symbol": Symbol("BTC/USDT"), "side": Side.SELL,
        "price": D("65000.10"), "amount": D("0.5"), "timestamp": NOW,
    },
    Candle: {
        "timestamp": NOW, "open": D("1.5"), "high": D("2"), "low": D("1.25"),
        "close": D("1.75"), "volume": D("10"),
    },
    Balance: {"currency": "BTC", "free": D("1.5"), "used": D("0.25"), "total": D("1.75")},
    Balances: {
        "balances": {"BTC": Balance(currency="BTC", free=D("1.5"), used=D("0.25"))},
        "timestamp": NOW,
    },
    FeeCharge: FEE,
    Fill: {
        "id": "f-1", "order_id": "o-1", "client_order_id": "mm-1", "symbol": Symbol("BTC/USDT"),
        "side": Side.BUY, "price": D("65000.10"), "amount": D("0.0005"), "fee": D("0.0325"),
        "fee_currency": "USDT", "fees": (FeeCharge(**FEE),), "liquidity": Liquidity.MAKER,
        "timestamp": NOW,
    },
    Order: {
        "id": "o-1", "client_order_id": "mm-1", "symbol": Symbol("BTC/USDT"), "side": Side.BUY,
        "type": OrderType.LIMIT, "price": D("65000.10"), "amount": D("0.001"),
        "filled": D("0.0005"), "remaining": D("0.0005"), "average": D("65000.10"),
        "status": OrderStatus.OPEN, "time_in_force": TimeInForce.GTC, "post_only": False,
        "fee": D("0.0325"), "fee_currency": "USDT", "fees": (FeeCharge(**FEE),),
        "timestamp": NOW, "updated": NOW,
    },
    OrderRequest: {
        "symbol": Symbol("BTC/USDT"), "side": Side.SELL, "type": OrderType.LIMIT,
        "amount": D("0.010"), "price": D("65000.10"), "time_in_force": TimeInForce.PO,
        "client_order_id": "mm-abc-1", "post_only": True,
    },
    PriceQuote: {"price": D("65000.15"), "timestamp": NOW, "source": "price"},
}
MODELS = list(CASES)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_field_given_covers_the_model(model: type[BaseModel]) -> None:
    assert set(CASES[model]) == set(model.model_fields)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_a_trusted_model_is_the_validated_model(model: type[BaseModel]) -> None:
    fast, validated = trusted(model, **CASES[model]), model(**CASES[model])
    assert fast == validated
    assert fast.model_fields_set == validated.model_fields_set
    assert fast.model_dump() == validated.model_dump()
    assert fast.model_dump_json() == validated.model_dump_json()
    assert repr(fast) == repr(validated)
    assert fast.__pydantic_extra__ == validated.__pydantic_extra__
    assert fast.__pydantic_private__ == validated.__pydantic_private__
    assert fast.model_copy() == validated.model_copy()


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_a_trusted_model_hashes_as_the_validated_model(model: type[BaseModel]) -> None:
    fast, validated = trusted(model, **CASES[model]), model(**CASES[model])
    try:
        expected = hash(validated)
    except TypeError:
        with pytest.raises(TypeError):
            hash(fast)
        return
    assert hash(fast) == expected


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_a_trusted_model_is_as_frozen_as_the_validated_model(model: type[BaseModel]) -> None:
    name = next(iter(CASES[model]))
    fast, validated = trusted(model, **CASES[model]), model(**CASES[model])
    frozen = bool(model.model_config.get("frozen"))
    for instance in (fast, validated):
        if frozen:
            with pytest.raises(ValidationError, match="frozen"):
                setattr(instance, name, CASES[model][name])


def test_a_missing_field_is_refused() -> None:
    with pytest.raises(TypeError, match=r"missing \['amount'\]"):
        trusted(OrderBookLevel, price=D("1"))


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(TypeError, match=r"unknown \['size'\]"):
        trusted(OrderBookLevel, price=D("1"), size=D("1"))



@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_a_later_trusted_model_is_the_validated_model_and_shares_nothing_with_the_first(
    model: type[BaseModel],
) -> None:
    # Every instance after a class's first is a copy of that first one (the fast path).
    first, later = trusted(model, **CASES[model]), trusted(model, **CASES[model])
    validated = model(**CASES[model])
    assert later == validated
    assert later.model_dump_json() == validated.model_dump_json()
    assert later.model_fields_set == validated.model_fields_set
    assert later is not first
    assert later.__dict__ is not first.__dict__
    assert later.model_fields_set is not first.model_fields_set


def test_a_later_trusted_model_carries_only_its_own_values() -> None:
    first = trusted(Trade, **CASES[Trade])
    values = {**CASES[Trade], "id": "t-2", "side": Side.BUY, "price": D("1.5"),
              "amount": D("2"), "timestamp": datetime(2027, 1, 1, tzinfo=UTC)}
    later = trusted(Trade, **values)
    assert later == Trade(**values)
    assert first == Trade(**CASES[Trade])


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_a_trusted_model_pickles_and_copies_as_the_validated_model(
    model: type[BaseModel],
) -> None:
    fast, validated = trusted(model, **CASES[model]), model(**CASES[model])
    assert pickle.loads(pickle.dumps(fast)) == validated
    assert copy.deepcopy(fast) == validated
    assert copy.copy(fast) == validated


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_a_contract_is_built_without_validation_even_once_its_class_has_validated(
    model: type[BaseModel],
) -> None:
    model(**CASES[model])  # the class is complete: its own validator exists
    name = next(iter(CASES[model]))
    marker = object()  # a value no validation would let through
    fast = trusted(model, **{**CASES[model], name: marker})
    assert getattr(fast, name) is marker


class _Late(BaseModel):
    """A model whose builder is made only after its first validation."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    price: Decimal
    amount: Decimal


def test_a_builder_made_after_the_first_validation_still_builds_the_validated_model() -> None:
    validated = _Late(price=D("1.5"), amount=D("2"))
    prepare(_Late)
    fast = trusted(_Late, price=D("1.5"), amount=D("2"))
    assert fast == validated
    assert fast.model_fields_set == validated.model_fields_set


class _WithPrivateState(BaseModel):
    """A model with private attributes: built by model_construct, which sets them up."""

    price: Decimal
    _seen: int = PrivateAttr(default=3)


def test_a_model_with_private_attributes_gets_them_set_up() -> None:
    fast = trusted(_WithPrivateState, price=D("1"))
    assert fast == _WithPrivateState(price=D("1"))
    assert fast._seen == 3


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_a_trusted_update_is_the_validated_model_with_those_fields(
    model: type[BaseModel],
) -> None:
    values = CASES[model]
    name = next(iter(values))
    original = model(**values)
    updated = trusted_update(original, **{name: values[name]})
    assert updated == model(**values)
    assert updated.model_fields_set == original.model_fields_set
    assert updated.model_dump_json() == original.model_dump_json()
    assert updated is not original
    assert updated.__dict__ is not original.__dict__


def test_a_trusted_update_changes_only_the_fields_given() -> None:
    original = Order(**CASES[Order])
    later = datetime(2027, 1, 1, tzinfo=UTC)
    cancelled = trusted_update(original, status=OrderStatus.CANCELED, updated=later)
    assert cancelled == Order(**{**CASES[Order], "status": OrderStatus.CANCELED,
                                 "updated": later})
    assert original == Order(**CASES[Order])


def test_a_trusted_update_refuses_an_unknown_field() -> None:
    with pytest.raises(TypeError, match=r"unknown \['size'\]"):
        trusted_update(OrderBookLevel(**LEVEL), size=D("1"))
