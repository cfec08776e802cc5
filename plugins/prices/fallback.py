"""``prices.fallback``: the first healthy source, in the order given.

Sources are asked one at a time, in order, and the first that gives a fresh price wins; the
later ones are not asked at all. A source that raises ``PriceUnavailable`` (or a venue
error) or whose quote is older than ``max_age`` is unhealthy and the next is tried. When
every source is unhealthy the fallback raises ``PriceUnavailable`` naming each one's reason.
A change of the source used is logged once (``price fallback source``; a warning with the
reasons when earlier sources were skipped), not on every call.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from fortuna import Component
from plugins.prices._composite import CompositeArgs, fresh_quote, quote_of, unavailable
from schemas import PriceProvider, PriceQuote, PriceUnavailable

__all__ = ["FallbackPrice", "FallbackPriceArgs"]


class FallbackPriceArgs(CompositeArgs):
    sources: Annotated[list[PriceProvider], Field(min_length=2)] = Field(
        description='price providers in order of preference, e.g. ["@binance_mid", '
        '"@kraken_mid"]; the first healthy one is used'
    )


class FallbackPrice(Component[FallbackPriceArgs], PriceProvider):
    """The first healthy (fresh, available) price of several sources, in order."""

    _used: str | None = None
    """The source of the last price given (a change is logged, once)."""

    async def price(self) -> Decimal:
        return (await self.quote()).price

    async def quote(self) -> PriceQuote:
        now = self.clock.now()
        failures: list[PriceUnavailable] = []
        for source in self.args.sources:
            try:
                quote = await fresh_quote(source, now, self.args.max_age)
            except PriceUnavailable as exc:
                failures.append(exc)
                continue
            if quote.source != self._used:  # a change of source is logged, once
                self._used = quote.source
                emit = self.log.warning if failures else self.log.info
                emit("price fallback source", source=quote.source,
                     skipped=[str(f) for f in failures])
            return quote_of(self.name, quote.price, [quote])
        raise unavailable(self.name, failures, 0, 1)
