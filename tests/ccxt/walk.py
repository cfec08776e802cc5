"""Walk every value of a returned structure: floats are forbidden, money is Decimal."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

MONEY = {"price", "amount", "filled", "remaining", "average", "fee", "bid", "ask", "last",
         "volume", "quote_volume", "free", "used", "total", "open", "high", "low", "close",
         "price_increment", "amount_increment", "min_amount", "max_amount", "min_notional",
         "maker_fee", "taker_fee"}


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from leaves(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from leaves(item, f"{path}[{key!r}]")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def assert_exact(value: Any) -> int:
    """Every leaf: no float anywhere; every money field a Decimal (or None). Returns the
    number of Decimal leaves seen."""
    decimals = 0
    for path, leaf in leaves(value):
        assert not isinstance(leaf, float), f"float at {path}: {leaf!r}"
        name = path.rsplit(".", 1)[-1]
        if name in MONEY and leaf is not None:
            assert isinstance(leaf, Decimal), f"{path} is {type(leaf).__name__}: {leaf!r}"
        decimals += isinstance(leaf, Decimal)
    return decimals
