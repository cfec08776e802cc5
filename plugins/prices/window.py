"""``prices.window``: the min, max, median or mean of one source's samples over a window.

The source is sampled every ``sample_interval`` on the graph's clock: once in ``load``, then
by a background loop. A sample the source cannot give, or older than
``max_age`` when taken, is skipped (logged), never stored. Reading keeps the samples whose
source timestamp lies within the last ``window``; with fewer than ``min_samples`` of them, or
when the newest is older than ``max_age``, there is no price. The quote is stamped with the
newest sample's timestamp (a window's value spans its samples by design; what makes it stale
is the absence of recent ones). The midpoint of an even median is exact; the mean is a
``schemas.money.ratio`` (half-even at 34 significant digits when it does not terminate).
"""

from __future__ import annotations

from collections import deque
from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import Field, model_validator

from fortuna import Component, Duration
from plugins.prices._composite import CompositeArgs, exact, fresh_quote
from plugins.prices.median import median
from schemas import PriceProvider, PriceQuote, PriceUnavailable, money

__all__ = ["WindowPrice", "WindowPriceArgs"]


class WindowPriceArgs(CompositeArgs):
    source: PriceProvider = Field(description="the price sampled")
    window: Annotated[Duration, Field(gt=0)] = Field(
        description='how far back samples count, e.g. "5m"'
    )
    statistic: Literal["min", "max", "median", "mean"] = Field(
        description="what is taken of the samples in the window"
    )
    sample_interval: Annotated[Duration, Field(gt=0)] = Field(
        description='time between samples on the graph\'s clock, e.g. "10s"'
    )
    min_samples: int = Field(
        default=1, ge=1, description="fewest samples in the window to give a price"
    )

    @model_validator(mode="after")
    def _fits(self) -> Self:
        if self.sample_interval > self.window:
            raise ValueError(
                f"sample_interval {self.sample_interval:g} s is longer than the window "
                f"{self.window:g} s: the window would hold at most one sample"
            )
        return self


class WindowPrice(Component[WindowPriceArgs], PriceProvider):
    """The min, max, median or mean of a price sampled over a time window."""

    _samples: deque[PriceQuote]
    _ticker: Any = None
    skipped = 0
    """Samples the source could not give (or gave stale)."""

    async def load(self) -> None:
        from fortuna import Ticker

        self._samples = deque()
        # the first sample now, so a price is there once loaded
        self._ticker = await Ticker.started_after_first(
            self.sample, self.args.sample_interval, clock=self.clock, name=self.name,
            log=self.log)

    async def unload(self) -> None:
        if self._ticker is not None:
            await self._ticker.stop()
            self._ticker = None

    async def sample(self) -> None:
        """Take one sample (the background loop calls this every ``sample_interval``)."""
        try:
            quote = await fresh_quote(self.args.source, self.clock.now(), self.args.max_age)
        except PriceUnavailable as exc:
            self.skipped += 1
            self.log.warning("price sample skipped", reason=str(exc), skipped=self.skipped)
            return
        self._samples.append(quote)
        horizon = self.clock.now() - timedelta(seconds=self.args.window)
        while self._samples and self._samples[0].timestamp < horizon:
            self._samples.popleft()

    def in_window(self) -> list[PriceQuote]:
        """The samples whose source timestamp lies within the window now."""
        horizon = self.clock.now() - timedelta(seconds=self.args.window)
        return [q for q in getattr(self, "_samples", ()) if q.timestamp >= horizon]

    async def price(self) -> Decimal:
        return (await self.quote()).price

    async def quote(self) -> PriceQuote:
        args = self.args
        samples = self.in_window()
        if len(samples) < args.min_samples:
            raise PriceUnavailable(
                f"{len(samples)} sample(s) in the last {args.window:g} s, "
                f"{args.min_samples} needed", source=self.name,
            )
        newest = max(samples, key=lambda q: q.timestamp)
        age = newest.age(self.clock.now())
        if age > args.max_age:
            raise PriceUnavailable(
                f"stale: the newest sample is {age:g} s old (max {args.max_age:g} s)",
                source=self.name,
            )
        prices = [q.price for q in samples]
        with exact(self.name):
            if args.statistic == "min":
                value = min(prices)
            elif args.statistic == "max":
                value = max(prices)
            elif args.statistic == "median":
                value = median(prices)
            else:
                value = money.ratio(money.total(prices), Decimal(len(prices)))
        return PriceQuote(price=value, timestamp=newest.timestamp, source=self.name)
