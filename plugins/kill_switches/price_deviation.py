"""``kill_switches.price_deviation``: trip when a price strays from a reference price."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from fortuna import ComponentArgs, ExactDecimal
from plugins.kill_switches._latch import LatchedSwitch
from schemas import PriceProvider, PriceUnavailable, money
from schemas.money import Rounding

__all__ = ["PriceDeviationArgs", "PriceDeviationSwitch"]

_BPS = Decimal(10_000)
_SHOWN = Decimal("0.1")  # bps shown to one decimal


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
        difference = abs(money.subtract(price, reference))
        # |price - reference| / reference > max_deviation, compared exactly
        if difference > money.multiply(self.args.max_deviation, reference):
            deviation_bps = money.divide(
                money.multiply(difference, _BPS), reference, _SHOWN, Rounding.HALF_EVEN
            )
            max_bps = money.round_to(
                money.multiply(self.args.max_deviation, _BPS), _SHOWN, Rounding.HALF_EVEN
            )
            return (
                f"price {price} deviates {deviation_bps} bps "
                f"from the reference {reference} (max {max_bps} bps)"
            )
        return None
