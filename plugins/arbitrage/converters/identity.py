"""``arbitrage.converters.identity``: every currency is worth exactly one of any other.

For two venues quoted in the same currency, or when the operator accepts treating two
stablecoins as equal (the profit threshold then has to cover their spread).
"""

from __future__ import annotations

from decimal import Decimal

from fortuna import Component, NoArgs
from schemas.arbitrage import ConversionRate, Converter

__all__ = ["IdentityConverter"]


class IdentityConverter(Component[NoArgs], Converter):
    """Converts any currency into any other at exactly 1."""

    async def rate(self, from_currency: str, to_currency: str) -> ConversionRate:
        return ConversionRate(
            from_currency=from_currency, to_currency=to_currency, rate=Decimal(1),
            source="identity",
        )
