"""``kill_switches.price_deviation``: trip when a price strays from a reference price."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from fortuna import ComponentArgs, ExactDecimal
from plugins.kill_switches._latch import LatchedSwitch
from schemas import PriceProvider, PriceUnavailable

__all__ = ["PriceDeviationArgs", "PriceDeviationSwitch"]

_BPS = Decimal(10_000)


class PriceDeviationArgs(ComponentArgs):
    price: PriceProvider = Field(description="the price watched (usually the quoting reference)")
    reference: PriceProvider = Field(description="the independent price it is compared with")
    max_deviation: Annotated[ExactDecimal, Field(gt=0)] = Field(
        description="trip when |price - reference| / reference exceeds this (0.02 = 2 %)"
    )


class PriceDeviationSwitch(LatchedSwitch[PriceDeviationArgs]):
    """Trips when a price deviates from an independent reference by more than a fraction."""

    async def evaluate(self) -> str | None:
        try:
            price, reference = await asyncio.gather(
                self.args.price.price(), self.args.reference.price()
            )
        except PriceUnavailable as exc:
            # Nothing to compare: a missing price is kill_switches.stale_data's to judge.
            self.log.warning("price unavailable: deviation not evaluated", error=str(exc))
            return None
        deviation = abs(price - reference) / reference
        if deviation > self.args.max_deviation:
            return (
                f"price {price} deviates {(deviation * _BPS).quantize(Decimal('0.1'))} bps "
                f"from the reference {reference} (max "
                f"{(self.args.max_deviation * _BPS).quantize(Decimal('0.1'))} bps)"
            )
        return None
