"""The tick's desired quotes: the strategy's quotes put on the market's grid and funded,
with the last tick's work reused where its inputs are the very same objects.

Quantizing (:func:`~plugins.market_making._quoting.quantize_quotes`) and funding
(:func:`~plugins.market_making._funding.fit_to_balances`) are pure functions of
immutable values: a quote is a tuple of a ``Side``, two ``Decimal`` and a text, a resting
order a frozen model. On a market that did not move, the strategy returns the quotes it
returned last time (the ladder keeps them) and the venue the same order objects, so the
tick would redo the same exact arithmetic (two roundings per quote, the funding sums)
on the same objects. :class:`DesiredQuotes` keeps the last result of each step with the
objects it came from (:func:`schemas.same_objects`), so a result reused is the
one the step would compute again. The free balances are read every tick.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from plugins.market_making._funding import (
    Held,
    Wanted,
    fee_factor,
    funded,
    held,
    trimmed,
    wanted,
)
from plugins.market_making._quoting import quantize_quotes
from schemas import Balances, Market, Order, same_objects
from schemas.market_making import DesiredQuote

__all__ = ["DesiredQuotes"]

Dropped = list[tuple[DesiredQuote, str]]


@dataclass(slots=True)
class _Quantized:
    """One quantization: the strategy's quotes as given, what came out, and (once asked)
    what the quotes on the grid ask the account for."""

    given: tuple[DesiredQuote, ...]
    quotes: tuple[DesiredQuote, ...]
    dropped: tuple[tuple[DesiredQuote, str], ...]
    asked: Wanted | None = None


@dataclass(frozen=True, slots=True)
class _Locked:
    """What the resting orders (these very objects) lock."""

    resting: tuple[Order, ...]
    locked: Held


class DesiredQuotes:
    """Quotes on one market's grid, trimmed to the balances when given them."""

    def __init__(self, market: Market) -> None:
        self.market = market
        self._with_fee = fee_factor(market)
        self._quantized: _Quantized | None = None
        self._locked: _Locked | None = None

    def quantized(self, given: Sequence[DesiredQuote]) -> tuple[list[DesiredQuote], Dropped]:
        """``quantize_quotes(given, market)``: fresh lists, as it returns."""
        found = self._quantization(given)
        return list(found.quotes), list(found.dropped)

    def funded(
        self, given: Sequence[DesiredQuote], balances: Balances, resting: Sequence[Order]
    ) -> tuple[list[DesiredQuote], Dropped]:
        """``quantize_quotes`` then ``fit_to_balances(quotes, balances, market, resting)``,
        the dropped quotes of both in that order."""
        found = self._quantization(given)
        last = self._locked
        if last is None or not same_objects(resting, last.resting):
            last = self._locked = _Locked(tuple(resting), held(resting, self._with_fee))
        asked = found.asked
        if asked is None:
            asked = found.asked = wanted(found.quotes)
        quotes = list(found.quotes)
        if funded(asked, balances, self.market, last.locked, self._with_fee):
            return quotes, list(found.dropped)
        kept, unfunded = trimmed(quotes, balances, self.market, last.locked, self._with_fee)
        return kept, [*found.dropped, *unfunded]

    def _quantization(self, given: Sequence[DesiredQuote]) -> _Quantized:
        last = self._quantized
        if last is not None and same_objects(given, last.given):
            return last
        quotes, dropped = quantize_quotes(given, self.market)
        found = self._quantized = _Quantized(tuple(given), tuple(quotes), tuple(dropped))
        return found
