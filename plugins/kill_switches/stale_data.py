"""``kill_switches.stale_data``: trip when the reference price is too old or unreadable."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from fortuna import ComponentArgs, Duration
from plugins.kill_switches._latch import LatchedSwitch
from schemas import PriceProvider, PriceUnavailable

__all__ = ["StaleDataArgs", "StaleDataSwitch"]


class StaleDataArgs(ComponentArgs):
    price: PriceProvider = Field(description="the price whose freshness is watched")
    max_age: Annotated[Duration, Field(gt=0)] = Field(
        description='trip when the price is older than this, e.g. "30s" (or unreadable as long)'
    )


class StaleDataSwitch(LatchedSwitch[StaleDataArgs]):
    """Trips when market data is older than a maximum age, or unreadable for that long."""

    semantic_checks = ("plugins.kill_switches._checks:stale_data",)

    _last_good: float | None = None

    async def load(self) -> None:
        self._last_good = self.clock.monotonic()

    async def evaluate(self) -> str | None:
        max_age = self.args.max_age
        try:
            quote = await self.args.price.quote()
        except PriceUnavailable as exc:
            since = self.clock.monotonic() - (self._last_good or 0.0)
            if since > max_age:
                return (f"no price for {since:g} s (max {max_age:g} s): "
                        f"{type(exc).__name__}: {exc}")
            self.log.warning("price unreadable", error=f"{type(exc).__name__}: {exc}")
            return None
        age = quote.age(self.clock.now())
        if age > max_age:
            return f"price {quote.price} from {quote.source or 'source'} is {age:g} s old " \
                   f"(max {max_age:g} s)"
        self._last_good = self.clock.monotonic()
        return None
