"""``arbitrage.converters.fixed``: one pair of currencies at a rate set in the mandate.

``rate`` is how many ``to_currency`` one ``from_currency`` is worth; the reverse
conversion uses its inverse (:func:`schemas.money.ratio`: 34 significant digits, to
nearest, ties to even, since a rate favours neither side) and the same currency converts
at 1. Any other pair is :class:`~schemas.arbitrage.ConversionUnavailable`.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from fortuna import Component, ComponentArgs
from schemas import Price, money
from schemas.arbitrage import ConversionRate, ConversionUnavailable, Converter
from schemas.money import Rounding

__all__ = ["FixedRateConverter", "FixedRateConverterArgs"]

_ONE = Decimal(1)


class FixedRateConverterArgs(ComponentArgs):
    from_currency: str = Field(min_length=1, description="currency converted from, e.g. USDC")
    to_currency: str = Field(min_length=1, description="currency converted to, e.g. USDT")
    rate: Price = Field(description="units of to_currency per unit of from_currency")


class FixedRateConverter(Component[FixedRateConverterArgs], Converter):
    """Converts one pair of currencies at a fixed rate (and its inverse)."""

    async def rate(self, from_currency: str, to_currency: str) -> ConversionRate:
        args = self.args
        source = f"fixed {args.from_currency}->{args.to_currency} at {args.rate}"
        if from_currency == to_currency:
            rate = _ONE
            source = "same currency"
        elif (from_currency, to_currency) == (args.from_currency, args.to_currency):
            rate = args.rate
        elif (from_currency, to_currency) == (args.to_currency, args.from_currency):
            rate = money.ratio(_ONE, args.rate, Rounding.HALF_EVEN)
            source += " (inverse)"
        else:
            raise ConversionUnavailable(
                f"cannot convert {from_currency} to {to_currency}: this converter only "
                f"knows {args.from_currency} and {args.to_currency}"
            )
        return ConversionRate(
            from_currency=from_currency, to_currency=to_currency, rate=rate, source=source
        )
