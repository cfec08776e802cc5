"""``prices.cross_rate``: A/B from two legs through a common currency C.

Each leg is a price of A or B against C, in either orientation: ``A/C`` or ``C/A`` (set
``invert`` on a leg quoted as ``C/A``). The cross rate is ``(A in C) / (B in C)``, computed
through ``schemas.money`` (one ratio, rounded half-even at 34 significant
digits; an inverted leg is folded into the same division, never rounded twice). Either leg
unavailable or older than ``max_age`` makes the cross rate unavailable.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from fortuna import Component
from plugins.prices._composite import CompositeArgs, exact, gather_quotes, quote_of
from schemas import PriceProvider, PriceQuote, PriceUnavailable, money

__all__ = ["CrossLeg", "CrossRatePrice", "CrossRatePriceArgs"]


class CrossLeg(BaseModel):
    """One leg of a cross rate: a price against the common currency, and its orientation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: PriceProvider = Field(description='the leg\'s price provider, e.g. "@eth_usdt"')
    invert: bool = Field(
        default=False,
        description="false: the source quotes this leg's currency in the common one "
        "(ETH/USDT); true: the other way round (USDT/ETH)",
    )


class CrossRatePriceArgs(CompositeArgs):
    base: CrossLeg = Field(description="the leg of the cross rate's base currency A (A/C)")
    quote: CrossLeg = Field(description="the leg of its quote currency B (B/C)")


class CrossRatePrice(Component[CrossRatePriceArgs], PriceProvider):
    """A/B from A/C and B/C (either leg in either orientation)."""

    async def price(self) -> Decimal:
        return (await self.quote()).price

    async def quote(self) -> PriceQuote:
        args = self.args
        base, quote = await gather_quotes([args.base.source, args.quote.source],
                                          self.clock.now(), args.max_age)
        failures = [r for r in (base, quote) if isinstance(r, PriceUnavailable)]
        if failures:
            raise PriceUnavailable(
                "a leg is unhealthy: " + "; ".join(map(str, failures)), source=self.name
            ) from failures[0]
        assert isinstance(base, PriceQuote)
        assert isinstance(quote, PriceQuote)
        # (A in C) / (B in C), with an inverted leg moved to the other side of the fraction.
        numerator, denominator = Decimal(1), Decimal(1)
        with exact(self.name):
            if args.base.invert:
                denominator = money.multiply(denominator, base.price)
            else:
                numerator = money.multiply(numerator, base.price)
            if args.quote.invert:
                numerator = money.multiply(numerator, quote.price)
            else:
                denominator = money.multiply(denominator, quote.price)
            value = money.ratio(numerator, denominator)
        return quote_of(self.name, value, [base, quote])
