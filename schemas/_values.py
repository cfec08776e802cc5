"""Exact value types: prices, amounts, fee rates, timestamps, symbols and the trading enums.

Every money type is a ``Decimal`` built on :data:`fortuna.ExactDecimal`, so a Python float
is refused at the first parse. Timestamps are timezone-aware UTC datetimes everywhere.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from fortuna import DECIMAL_PATTERN, ExactDecimal

__all__ = [
    "Amount",
    "Fee",
    "Liquidity",
    "MandateName",
    "NonNegativeAmount",
    "OrderType",
    "Price",
    "Rate",
    "Side",
    "Symbol",
    "TimeInForce",
    "Timestamp",
    "from_milliseconds",
    "to_milliseconds",
]

_NUMBER_TEXT = DECIMAL_PATTERN


def _decimal_json(description: str, **bounds: int) -> dict[str, Any]:
    return {
        "anyOf": [{"type": "number", **bounds}, {"type": "string", "pattern": _NUMBER_TEXT}],
        "description": description,
    }


Price = Annotated[
    ExactDecimal,
    Field(gt=0),
    WithJsonSchema(_decimal_json("a price (> 0), exact decimal", exclusiveMinimum=0)),
]
"""A price in quote currency per unit of base: an exact ``Decimal`` strictly above zero."""

Amount = Annotated[
    ExactDecimal,
    Field(gt=0),
    WithJsonSchema(_decimal_json("an amount (> 0), exact decimal", exclusiveMinimum=0)),
]
"""An amount of a currency strictly above zero (an order size, a level's size)."""

NonNegativeAmount = Annotated[
    ExactDecimal,
    Field(ge=0),
    WithJsonSchema(_decimal_json("an amount (>= 0), exact decimal", minimum=0)),
]
"""An amount that may be zero (a balance, a filled quantity, a minimum)."""

Rate = Annotated[
    ExactDecimal,
    Field(ge=-1, le=1),
    WithJsonSchema(
        _decimal_json("a decimal fraction between -1 and 1 (0.001 is 0.1%)", minimum=-1, maximum=1)
    ),
]
"""A decimal fraction in [-1, 1]: ``Decimal("0.001")`` is 0.1 %. Negative is a rebate."""

Fee = Rate
"""A fee rate as a decimal fraction; negative for a maker rebate."""

MandateName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.]{1,32}$")]
"""A mandate's name as a trading service takes it: the prefix of every client order id it
sends (and the key of what it journals): letters, digits, '_' and '.', at most 32."""


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise PydanticCustomError(
            "timestamp_naive",
            "a timestamp must be timezone-aware (got {value}); use datetime.now(UTC) or the "
            "component's clock",
            {"value": value.isoformat()},
        )
    return value.astimezone(UTC)


Timestamp = Annotated[datetime, AfterValidator(_utc)]
"""A timezone-aware datetime, converted to UTC. Naive datetimes are refused."""


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_milliseconds(ms: int) -> datetime:
    """The UTC datetime of a Unix timestamp in milliseconds (ccxt's representation)."""
    return _EPOCH + timedelta(milliseconds=int(ms))


def to_milliseconds(value: datetime) -> int:
    """Unix milliseconds of an aware datetime (ccxt's ``since``), sub-millisecond truncated."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"a timestamp must be timezone-aware, got {value.isoformat()}")
    return (value - _EPOCH) // timedelta(milliseconds=1)


class Side(StrEnum):
    """The side of an order or trade, from its owner's (or the taker's) point of view."""

    BUY = "buy"
    SELL = "sell"

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY

    @property
    def sign(self) -> int:
        """+1 for a buy (base goes up), -1 for a sell."""
        return 1 if self is Side.BUY else -1


class OrderType(StrEnum):
    LIMIT = "limit"
    MARKET = "market"


class TimeInForce(StrEnum):
    """How long an order may rest: good till cancelled, immediate or cancel, fill or kill,
    post only (rests as maker or is refused, never takes)."""

    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"
    PO = "PO"


class Liquidity(StrEnum):
    """Whether a fill added liquidity (maker) or took it (taker)."""

    MAKER = "maker"
    TAKER = "taker"


_CODE = r"[A-Za-z0-9][A-Za-z0-9._\-]*"
SYMBOL_PATTERN = rf"^{_CODE}/{_CODE}(:{_CODE})?$"
_SYMBOL = re.compile(SYMBOL_PATTERN)


class Symbol(str):
    """A market symbol, ``"BASE/QUOTE"`` or ccxt's ``"BASE/QUOTE:SETTLE"`` for derivatives.

    A ``str`` subclass: it compares and hashes equal to its text, so it keys plain
    ``Mapping[str, ...]`` and passes straight to ccxt. ``str(symbol)`` round-trips.
    Currency codes keep the case the venue uses. A settle part may carry a ccxt expiry
    suffix (``"BTC/USD:BTC-240329"``); :attr:`settle` is the currency before the ``-``.
    """

    __slots__ = ("base", "quote", "settle")
    base: str
    quote: str
    settle: str | None

    def __new__(cls, text: str) -> Symbol:
        if isinstance(text, Symbol) and type(text) is cls:
            return text
        if not isinstance(text, str):
            raise TypeError(f"a symbol is a string like 'BTC/USDT', got {type(text).__name__}")
        if not _SYMBOL.fullmatch(text):  # not match: "$" would let a trailing newline in
            raise ValueError(_symbol_problem(text))
        self = super().__new__(cls, text)
        pair, _, settle = text.partition(":")
        base, _, quote = pair.partition("/")
        object.__setattr__(self, "base", base)
        object.__setattr__(self, "quote", quote)
        object.__setattr__(self, "settle", settle.split("-", 1)[0] if settle else None)
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Symbol is immutable; cannot set {name}")

    @classmethod
    def of(cls, base: str, quote: str, settle: str | None = None) -> Symbol:
        return cls(f"{base}/{quote}" + (f":{settle}" if settle else ""))

    def __repr__(self) -> str:
        return f"Symbol({str(self)!r})"

    def __reduce__(self) -> tuple[type[Symbol], tuple[str]]:
        return (Symbol, (str(self),))

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def parse(value: str) -> Symbol:
            try:
                return cls(value)
            except ValueError as error:
                raise PydanticCustomError("symbol", "{problem}", {"problem": str(error)}) from None

        # what the catalog index validates instead (fortuna._internal.catalog_index): the
        # pattern accepts exactly the texts ``parse`` accepts, so no closure is needed there
        accepts = {"type": "str", "strict": True, "pattern": SYMBOL_PATTERN}
        return core_schema.no_info_after_validator_function(
            parse,
            core_schema.str_schema(strict=True),
            serialization=core_schema.plain_serializer_function_ser_schema(str),
            metadata={"fortuna_accepts": accepts},
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "pattern": SYMBOL_PATTERN,
            "description": 'a market symbol: "BASE/QUOTE", or "BASE/QUOTE:SETTLE" for derivatives',
            "examples": ["BTC/USDT", "ETH/USDT:USDT"],
        }


def _symbol_problem(text: str) -> str:
    shown = repr(text)
    if not text:
        return "a symbol cannot be empty; write it as 'BASE/QUOTE', like 'BTC/USDT'"
    if text != text.strip() or " " in text:
        return f"symbol {shown} contains whitespace; write it as 'BASE/QUOTE', like 'BTC/USDT'"
    if "/" not in text:
        return f"symbol {shown} has no '/'; write it as 'BASE/QUOTE', like 'BTC/USDT'"
    if text.count("/") > 1:
        return f"symbol {shown} has more than one '/'; write it as 'BASE/QUOTE'"
    pair = text.partition(":")[0]
    base, _, quote = pair.partition("/")
    if not base:
        return f"symbol {shown} has no base currency before '/'"
    if not quote:
        return f"symbol {shown} has no quote currency after '/'"
    if text.endswith(":"):
        return f"symbol {shown} has an empty settle currency after ':'"
    return (
        f"symbol {shown} is not 'BASE/QUOTE' or 'BASE/QUOTE:SETTLE' "
        "(currency codes are letters, digits, '.', '_' and '-')"
    )
