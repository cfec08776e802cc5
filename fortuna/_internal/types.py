"""Value types the core understands: exact decimals and durations.

An exact decimal refuses a Python ``float``: a float has already lost the digits the
operator wrote, so accepting it would hide the loss. Strings and ints parse exactly;
NaN and infinities are refused. In the JSON Schema a decimal is number-or-string.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Annotated, Any

from pydantic_core import PydanticCustomError, core_schema

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
    from pydantic.json_schema import JsonSchemaValue

__all__ = [
    "DECIMAL_LITERAL",
    "DECIMAL_MAX_DIGITS",
    "DECIMAL_MAX_EXPONENT",
    "DECIMAL_PATTERN",
    "DURATION_MAX_SECONDS",
    "Duration",
    "ExactDecimal",
    "parse_duration",
    "to_exact_decimal",
]

DECIMAL_MAX_DIGITS = 200
"""Significant digits an exact decimal may carry. A value written by a person or sent by a
venue has a few dozen at most (an 18-decimal token amount of 10**21 has 39); the room above
is for figures computed exactly in process (a 34-digit price ratio times a fee rate times an
amount), which the contracts' records hold as they are."""
DECIMAL_MAX_EXPONENT = 100
"""Largest power of ten of an exact decimal's leading digit, either way: 1E-100 to 9.99E+100.

Bounding both is what lets one finite decimal context (``schemas.money``) hold every product
of two values exactly; a value outside the bounds is refused at the first parse, with its
place in the file, instead of overflowing or rounding deep inside a computation."""


DIGITS = r"[0-9][0-9_]*"
"""Decimal digits, ``_`` allowed between them for readability (``1_000``)."""
DECIMAL_LITERAL = rf"[-+]?(?:{DIGITS}(?:\.[0-9_]*)?|\.{DIGITS})(?:[eE][-+]?[0-9]+)?"
"""The one decimal literal: YAML's plain floats, decimal strings, and the JSON Schema's
numeric-string pattern are all this text (ASCII digits only, as JSON Schema's regexes)."""
DECIMAL_PATTERN = rf"^\s*{DECIMAL_LITERAL}\s*$"
"""A string that is a decimal number, spaces around it allowed (the JSON Schema pattern)."""
_DECIMAL_TEXT = re.compile(DECIMAL_PATTERN)
MAX_NUMBER_TEXT = 1000
"""Characters of a number written as text; a longer one is refused before it is parsed,
so the cost of a value never depends on how long a hostile string is."""


def to_exact_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise PydanticCustomError("decimal_type", "expected a decimal number, got a boolean")
    if isinstance(value, float):
        raise PydanticCustomError(
            "decimal_float",
            "a float cannot carry an exact amount ({value}); "
            'pass a Decimal or a string such as Decimal("{value}")',
            {"value": repr(value)},
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        if len(value) > MAX_NUMBER_TEXT:
            raise PydanticCustomError(
                "decimal_parsing", "a text of {length} characters is not a decimal number",
                {"length": len(value)})
        if not _DECIMAL_TEXT.match(value):
            raise PydanticCustomError(
                "decimal_parsing", "{value} is not a decimal number", {"value": _quoted(value)}
            )
        try:
            result = Decimal(value.strip().replace("_", ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            raise PydanticCustomError(
                "decimal_parsing", "{value} is not a decimal number", {"value": _quoted(value)}
            ) from None
    else:
        raise PydanticCustomError(
            "decimal_type", "expected a decimal number, got {kind}", {"kind": type(value).__name__}
        )
    if not result.is_finite():
        raise PydanticCustomError("decimal_finite", "a decimal must be finite, got {value}",
                                  {"value": str(result)})
    return _within_bounds(result)


def _shown(value: Decimal) -> str:
    text = str(value)
    return text if len(text) <= 60 else f"{text[:28]}...{text[-28:]} ({len(text)} characters)"


def _quoted(value: str) -> str:
    return repr(value) if len(value) <= 60 else repr(f"{value[:28]}...{value[-28:]}")


def _within_bounds(value: Decimal) -> Decimal:
    if value.is_zero():
        return value
    digits = value.as_tuple().digits
    if len(digits) > DECIMAL_MAX_DIGITS:
        trailing_zeros = len(digits) - len(bytes(digits).rstrip(b"\0"))
        significant = len(digits) - trailing_zeros
        if significant > DECIMAL_MAX_DIGITS:
            raise PydanticCustomError(
                "decimal_digits",
                "{value} has {digits} significant digits; an exact decimal carries at most {limit}",
                {"value": _shown(value), "digits": significant, "limit": DECIMAL_MAX_DIGITS},
            )
    if not -DECIMAL_MAX_EXPONENT <= value.adjusted() <= DECIMAL_MAX_EXPONENT:
        raise PydanticCustomError(
            "decimal_range",
            "{value} is out of range: an exact decimal lies between 1E-{limit} and 1E+{limit} "
            "in size (or is zero)",
            {"value": _shown(value), "limit": DECIMAL_MAX_EXPONENT},
        )
    return value



class _ParsedFirst:
    """Run ``parse`` on the input before the type's own validation: what pydantic's
    ``BeforeValidator`` does, without importing pydantic's model machinery, so that
    validating a mandate from the catalog index (``validation_fast``) stays light."""

    def __init__(self, parse: Callable[[Any], Any]) -> None:
        self.parse = parse

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(self.parse, handler(source))


class _DecimalJsonSchema:
    """Number-or-numeric-string, keeping the bounds pydantic derives from the field
    (``gt=0`` becomes ``exclusiveMinimum``) so editors flag them too."""

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        generated = handler(schema)
        for branch in generated.get("anyOf", []):
            if branch.get("type") == "string":
                branch["pattern"] = DECIMAL_PATTERN
        generated.setdefault(
            "description", "an exact decimal: a number, or a string to keep every digit"
        )
        return generated


ExactDecimal = Annotated[Decimal, _ParsedFirst(to_exact_decimal), _DecimalJsonSchema()]
"""A ``Decimal`` that never went through a binary float."""

DURATION_MAX_SECONDS = 1_000_000_000
"""The longest duration, about 31 years: anything longer is a typo, and every clock and
event loop can wait that long without overflowing."""
_DURATION_PATTERN = r"^\s*\d+(\.\d+)?\s*(ms|s|m|h|d)?\s*$"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$", re.ASCII)
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}


def parse_duration(value: Any) -> float:
    """Seconds from a number or a string such as ``"250ms"``, ``"5s"``, ``"1m"``, ``"2h"``."""
    if isinstance(value, bool):
        raise PydanticCustomError("duration_type", "expected a duration, got a boolean")
    if isinstance(value, int | float | Decimal):
        seconds = _seconds(value, 1.0)
    elif (isinstance(value, str) and len(value) <= MAX_NUMBER_TEXT
          and (match := _DURATION.match(value))):
        seconds = _seconds(Decimal(match.group(1)), _UNIT_SECONDS[match.group(2)])
    else:
        shown = _quoted(value) if isinstance(value, str) else type(value).__name__
        raise PydanticCustomError(
            "duration_parsing",
            'expected a duration such as 5, "250ms", "5s", "1m", "2h" or "1d", got {value}',
            {"value": shown},
        )
    if seconds < 0:
        raise PydanticCustomError("duration_negative", "a duration cannot be negative")
    return seconds


def _seconds(value: int | float | Decimal, unit: float) -> float:
    """``value`` times ``unit`` in seconds, refused unless finite and at most
    :data:`DURATION_MAX_SECONDS`; compared as a decimal first, so nothing overflows."""
    if isinstance(value, float):
        amount = Decimal(str(value)) if math.isfinite(value) else None
    else:
        amount = value if isinstance(value, Decimal) else Decimal(value)
    if amount is None or not amount.is_finite() or abs(amount) > DURATION_MAX_SECONDS * 1000:
        raise _too_long()
    seconds = float(amount) * unit
    if seconds > DURATION_MAX_SECONDS:
        raise _too_long()
    return seconds


def _too_long() -> PydanticCustomError:
    return PydanticCustomError(
        "duration_range",
        "a duration is a finite number of seconds, at most {limit} (about 31 years)",
        {"limit": DURATION_MAX_SECONDS},
    )


class _DurationJsonSchema:
    """A number of seconds (with the field's bounds) or a string with a unit."""

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        seconds = handler(schema)
        seconds.setdefault("minimum", 0)
        seconds.setdefault("maximum", DURATION_MAX_SECONDS)
        return {
            "anyOf": [seconds, {"type": "string", "pattern": _DURATION_PATTERN}],
            "description": 'a duration in seconds, or with a unit: "250ms", "5s", "1m", '
                           '"2h", "1d"',
        }


Duration = Annotated[float, _ParsedFirst(parse_duration), _DurationJsonSchema()]
"""A duration in seconds (time, not money, so a float)."""
