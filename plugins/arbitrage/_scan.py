"""The first step of an arbitrage tick: quote both venues on both sides and read the rate,
concurrently, then evaluate both directions (:mod:`plugins.arbitrage._decision`).

One round trip per tick: the four quotes and the conversion rate are awaited together (an
adapter may share one book fetch between its two sides). A venue whose book is too thin for
the amount (:class:`~schemas.arbitrage.InsufficientDepth`) removes the directions that
need it and is reported; any other failure fails the tick, since a decision on part of the
market is not a decision.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal

from plugins.arbitrage._decision import Direction, Opportunity, evaluate
from schemas import Side
from schemas.arbitrage import ConversionRate, Converter, InsufficientDepth, Quote, QuoteAdapter

__all__ = ["Scan", "scan"]


@dataclass(frozen=True, slots=True)
class Scan:
    """What one look at both venues found."""

    candidates: tuple[Opportunity, ...]
    """The directions both of whose books were deep enough, evaluated."""
    rate: ConversionRate
    """B's quote currency in A's."""
    thin: tuple[str, ...]
    """``venue side available`` of each quote without enough depth."""


async def scan(a: QuoteAdapter, b: QuoteAdapter, converter: Converter, amount: Decimal) -> Scan:
    """Quote ``amount`` on both sides of both venues and the rate, concurrently."""
    outcomes = await asyncio.gather(
        a.quote(Side.BUY, amount),
        a.quote(Side.SELL, amount),
        b.quote(Side.BUY, amount),
        b.quote(Side.SELL, amount),
        converter.rate(b.symbol.quote, a.symbol.quote),
        return_exceptions=True,
    )
    for outcome in outcomes:  # any failure but thin depth fails the tick
        if isinstance(outcome, BaseException) and not isinstance(outcome, InsufficientDepth):
            raise outcome
    a_buy, a_sell, b_buy, b_sell = (
        outcome if isinstance(outcome, Quote) else None for outcome in outcomes[:4]
    )
    rate_b = outcomes[4]
    if not isinstance(rate_b, ConversionRate):
        raise TypeError(f"the converter answered {type(rate_b).__name__}, not a ConversionRate")
    reference = a.symbol.quote
    rate_a = ConversionRate(
        from_currency=reference, to_currency=reference, rate=Decimal(1),
        source="reference currency",
    )
    candidates: list[Opportunity] = []
    if a_buy is not None and b_sell is not None:
        candidates.append(evaluate(Direction.A_TO_B, a_buy, b_sell, rate_a, rate_b))
    if b_buy is not None and a_sell is not None:
        candidates.append(evaluate(Direction.B_TO_A, b_buy, a_sell, rate_b, rate_a))
    thin = tuple(
        f"{error.venue} {error.side.value} {error.available}"
        for error in outcomes[:4]
        if isinstance(error, InsufficientDepth)
    )
    return Scan(candidates=tuple(candidates), rate=rate_b, thin=thin)
