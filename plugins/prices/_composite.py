"""What the composite price providers share: exact arithmetic, freshness, divergence.

Exact decimals, one context: every composite computes through :mod:`schemas.money`. Sums,
differences, products and midpoints are exact (``money.add``, ``multiply``, ``total``,
``mid``: every digit kept, or ``MoneyError``); a quotient (an average by weight or by
volume, an inverse, a cross rate, a mean, a divergence) is ``money.ratio``: exact when it
terminates within 34 significant digits, else rounded half-even at the 34th (IEEE 754
decimal128), far below any venue's tick. That is the only rounding. An arithmetic refusal
(``MoneyError``) surfaces as ``PriceUnavailable``, like any other reason not to price; so
does a venue's error met while reading one (``ExchangeError``, through :func:`from_venue`,
which every provider reading a venue uses).

Freshness: a composite takes each input as a :class:`~schemas.PriceQuote`, which carries the
time its source observed it. An input older than the composite's ``max_age`` on the graph's
clock is stale: it counts as unhealthy, exactly like an input that raised
:class:`~schemas.PriceUnavailable`, and is never used. The composite's own quote is stamped
with the oldest timestamp of the inputs it used, so a consumer's staleness check sees the
age of the oldest data behind the price.

Divergence: with ``max_divergence`` set, a composite of several prices refuses (raises
``PriceUnavailable``) when ``(highest - lowest) / lowest`` over the healthy inputs exceeds it,
since sources that disagree that much mean one of them is wrong and no average can say which.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Self, TypeVar

from pydantic import Field, model_validator

from fortuna import ComponentArgs, Duration, ExactDecimal
from schemas import ExchangeError, PriceProvider, PriceQuote, PriceUnavailable, money

__all__ = [
    "CompositeArgs",
    "Divergence",
    "MaxAge",
    "MultiSourceArgs",
    "check_divergence",
    "exact",
    "fresh_quote",
    "from_venue",
    "gather_quotes",
    "healthy_quotes",
    "name_of",
    "quote_of",
]

MaxAge = Annotated[Duration, Field(gt=0)]
Divergence = Annotated[ExactDecimal, Field(gt=0)]

T = TypeVar("T")


class CompositeArgs(ComponentArgs):
    """Args every composite takes."""

    max_age: MaxAge = Field(
        description='an input older than this is stale and never used, e.g. "10s" (measured '
        "from the time its source observed it, on the graph's clock)"
    )


class MultiSourceArgs(CompositeArgs):
    """Args of a composite over several sources: how many must be healthy, how far apart.

    A subclass declares ``sources`` (a list, with its own item type and description)."""

    sources: list[Any]
    min_sources: int | None = Field(
        default=None, ge=1,
        description="fewest healthy sources to give a price (default: all of them)",
    )
    max_divergence: Divergence | None = Field(
        default=None,
        description="refuse when (highest - lowest) / lowest of the healthy prices exceeds "
        "this fraction, e.g. 0.01 for 1 %",
    )

    @model_validator(mode="after")
    def _enough(self) -> Self:
        if self.min_sources is not None and self.min_sources > len(self.sources):
            raise ValueError(
                f"min_sources {self.min_sources} exceeds the {len(self.sources)} sources given"
            )
        return self


def name_of(provider: PriceProvider) -> str:
    name = getattr(provider, "name", None)
    return name if isinstance(name, str) else type(provider).__name__


async def fresh_quote(provider: PriceProvider, now: datetime, max_age: float) -> PriceQuote:
    """``provider``'s quote, or ``PriceUnavailable`` if it has none or it is older than
    ``max_age`` seconds at ``now``. A venue error that escaped the provider is translated."""
    quote = await from_venue(name_of(provider), provider.quote())
    age = quote.age(now)
    if age > max_age:
        raise PriceUnavailable(
            f"stale: {quote.price} observed {age:g} s ago (max {max_age:g} s)",
            source=name_of(provider),
        )
    return quote


async def gather_quotes(
    providers: Sequence[PriceProvider], now: datetime, max_age: float
) -> list[PriceQuote | PriceUnavailable]:
    """Every provider's fresh quote, concurrently; an unhealthy one is its error."""
    results = await asyncio.gather(
        *(fresh_quote(p, now, max_age) for p in providers), return_exceptions=True
    )
    out: list[PriceQuote | PriceUnavailable] = []
    for result in results:
        if isinstance(result, PriceQuote | PriceUnavailable):
            out.append(result)
        else:
            assert isinstance(result, BaseException)
            raise result  # a bug, or a cancellation: never swallowed
    return out


async def healthy_quotes(
    source: str, args: MultiSourceArgs, providers: Sequence[PriceProvider], now: datetime
) -> list[PriceQuote | None]:
    """Each provider's fresh quote, in order, None for an unhealthy one, for the composite
    ``source`` over several sources; ``PriceUnavailable`` when fewer than ``min_sources``
    (default: all) are healthy, or when the healthy ones diverge past ``max_divergence``."""
    results = await gather_quotes(providers, now, args.max_age)
    healthy = [r for r in results if isinstance(r, PriceQuote)]
    needed = args.min_sources or len(providers)
    if len(healthy) < needed:
        failures = [r for r in results if isinstance(r, PriceUnavailable)]
        raise unavailable(source, failures, len(healthy), needed)
    check_divergence(healthy, args.max_divergence, source)
    return [r if isinstance(r, PriceQuote) else None for r in results]


def check_divergence(
    quotes: Sequence[PriceQuote], max_divergence: Decimal | None, source: str
) -> None:
    """``PriceUnavailable`` when the quotes disagree by more than ``max_divergence``."""
    if max_divergence is None or len(quotes) < 2:
        return
    prices = [q.price for q in quotes]
    low, high = min(prices), max(prices)
    with exact(source):
        spread = money.ratio(money.subtract(high, low), low)
    if spread > max_divergence:
        raise PriceUnavailable(
            f"sources diverge: {low} to {high} is {spread:.6f} of the lowest "
            f"(max {max_divergence})", source=source,
        )


async def from_venue(source: str, read: Awaitable[T]) -> T:
    """What ``read`` returns; a venue's error (``ExchangeError``) raised while reading it
    becomes ``PriceUnavailable`` from ``source``, with the venue's words."""
    try:
        return await read
    except ExchangeError as exc:
        raise PriceUnavailable(str(exc), source=source) from exc


@contextmanager
def exact(source: str) -> Iterator[None]:
    """Turn an arithmetic refusal (``money.MoneyError``) into ``PriceUnavailable``."""
    try:
        yield
    except money.MoneyError as exc:
        raise PriceUnavailable(f"cannot compute exactly: {exc}", source=source) from exc


def quote_of(source: str, price: Decimal, used: Sequence[PriceQuote]) -> PriceQuote:
    """The composite ``source``'s quote: ``price``, stamped with the oldest input it used."""
    if not price.is_finite() or price <= 0:
        raise PriceUnavailable(f"the result {price} is not a positive price", source=source)
    return PriceQuote(price=price, timestamp=min(q.timestamp for q in used), source=source)


def unavailable(source: str, failures: Sequence[PriceUnavailable], healthy: int,
                needed: int) -> PriceUnavailable:
    """The error of a composite left with too few healthy inputs, naming each failure."""
    reasons = "; ".join(str(f) for f in failures) or "no input"
    return PriceUnavailable(
        f"{healthy} healthy input(s), {needed} needed ({reasons})", source=source
    )
