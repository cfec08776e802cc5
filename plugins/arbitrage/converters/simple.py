"""``arbitrage.converters.simple``: converts between two currencies at the mid of the
venue's market that pairs them.

For ``rate("USDC", "USDT")`` it looks for ``USDC/USDT`` (direct: the rate is the market's
mid) and otherwise ``USDT/USDC`` (inverse: the rate is one over the mid,
:func:`schemas.money.ratio` to 34 significant digits, to nearest, ties to even, since a
rate favours neither side), among the venue's spot markets; which pair serves which
conversion is worked out on first use and remembered. The same currency converts at
exactly 1 without asking the venue. The price is read from the venue's ticker on every
call (its mid; its last price when a side is empty).
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from fortuna import Component, ComponentArgs
from schemas import Exchange, Symbol, money
from schemas.arbitrage import ConversionRate, ConversionUnavailable, Converter
from schemas.money import Rounding

__all__ = ["SimpleConverter", "SimpleConverterArgs"]

_ONE = Decimal(1)


class SimpleConverterArgs(ComponentArgs):
    exchange: Exchange = Field(
        description="the venue whose market pairs the two currencies (direct or inverse)"
    )


class SimpleConverter(Component[SimpleConverterArgs], Converter):
    """Converts currencies at the mid of the venue's pair, direct (USDC/USDT) or inverse."""

    _pairs: dict[tuple[str, str], tuple[Symbol, bool]] | None = None

    async def pair(self, from_currency: str, to_currency: str) -> tuple[Symbol, bool]:
        """The market converting ``from_currency`` to ``to_currency`` and whether it is the
        inverse pair (``TO/FROM``); :class:`ConversionUnavailable` if the venue has neither."""
        if self._pairs is None:
            self._pairs = {}
        key = (from_currency, to_currency)
        found = self._pairs.get(key)
        if found is not None:
            return found
        markets = await self.args.exchange.markets()
        direct = Symbol.of(from_currency, to_currency)
        inverse = Symbol.of(to_currency, from_currency)
        if direct in markets:
            found = (direct, False)
        elif inverse in markets:
            found = (inverse, True)
        else:
            raise ConversionUnavailable(
                f"cannot convert {from_currency} to {to_currency}: the venue has neither "
                f"{direct} nor {inverse}",
                venue=self.args.exchange.venue,
            )
        self._pairs[key] = found
        return found

    async def rate(self, from_currency: str, to_currency: str) -> ConversionRate:
        if from_currency == to_currency:
            return ConversionRate(
                from_currency=from_currency, to_currency=to_currency, rate=_ONE,
                source="same currency",
            )
        symbol, inverse = await self.pair(from_currency, to_currency)
        ticker = await self.args.exchange.fetch_ticker(symbol)
        price = ticker.mid if ticker.mid is not None else ticker.last
        if price is None:
            raise ConversionUnavailable(
                f"cannot convert {from_currency} to {to_currency}: {symbol} has no price",
                venue=self.args.exchange.venue,
            )
        venue = self.args.exchange.venue
        return ConversionRate(
            from_currency=from_currency,
            to_currency=to_currency,
            rate=money.ratio(_ONE, price, Rounding.HALF_EVEN) if inverse else price,
            source=f"{venue} {symbol} mid" + (" (inverse)" if inverse else ""),
            timestamp=ticker.timestamp,
        )
