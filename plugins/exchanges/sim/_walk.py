"""The seeded price path: an integer-tick random walk, computed lazily, exact in Decimal.

A path holds the price as a whole number of *units* (``price = units * increment``). Step
``k`` covers ``[origin + k * step, origin + (k + 1) * step)``. Each step moves the price by
a whole number of units: ``round(units * (mu + sigma * z))`` with ``z`` standard normal, so
the walk is geometric (moves scale with the price) with the annualised ``volatility`` and
``drift`` given. The only floats are the noise draws that decide *how many units* a step
moves; every price is an exact ``Decimal`` multiple of the increment. The draws come from a
``random.Random`` seeded from the seed and the series name, so a path is a pure function
of (seed, series, step index): two venues sharing a path see the same prices whatever
order they ask in. Steps are generated on demand and kept in an ``array('q')`` (8 bytes a
step: a day of one-second steps is under 1 MB).
"""

from __future__ import annotations

import math
import random
from array import array
from decimal import Decimal

from schemas import money
from schemas.money import Rounding

__all__ = ["YEAR", "PricePath"]

YEAR = 365.0 * 86_400.0
"""Seconds in the year that ``volatility`` and ``drift`` are quoted over."""

_MAX_UNITS = 2**62  # the walk is clamped here so it always fits the array


class PricePath:
    """One series' price at every step, generated lazily and cached."""

    __slots__ = ("_gauss", "_mu", "_sigma", "_units", "increment", "name", "origin", "step")

    def __init__(
        self,
        *,
        name: str,
        initial: Decimal,
        increment: Decimal,
        volatility: float,
        drift: float,
        step: float,
        seed: int,
        origin: float = 0.0,
    ) -> None:
        if increment <= 0:
            raise ValueError(f"{name}: the price increment must be positive, got {increment}")
        if step <= 0:
            raise ValueError(f"{name}: the step must be positive, got {step}")
        units = money.divide(initial, increment, Decimal(1), Rounding.DOWN)
        if not money.is_multiple(initial, increment) or units < 1:
            raise ValueError(
                f"{name}: the initial price {initial} is not a positive multiple of the "
                f"increment {increment}"
            )
        self.name = name
        self.increment = increment
        self.step = float(step)
        self.origin = float(origin)
        self._mu = drift * step / YEAR
        self._sigma = volatility * math.sqrt(step / YEAR)
        self._gauss = random.Random(f"fortuna.sim:{seed}:{name}").gauss
        self._units = array("q", [int(units)])

    # --- time <-> step ---------------------------------------------------------------------

    def step_at(self, t: float) -> int:
        """The step in force at epoch time ``t`` (step 0 before the origin)."""
        if t <= self.origin:
            return 0
        return int((t - self.origin) // self.step)

    def time_of(self, step: int) -> float:
        """Epoch time at which ``step`` begins."""
        return self.origin + step * self.step

    # --- prices -------------------------------------------------------------------------------

    def units(self, step: int) -> int:
        """The price at ``step`` in whole increments."""
        path = self._units
        if step >= len(path):
            self._extend(step)
        return path[step]

    def price(self, step: int) -> Decimal:
        """The exact price at ``step``."""
        return money.multiply(Decimal(self.units(step)), self.increment)

    def extremes(self, first: int, last: int) -> tuple[int, int, int, int]:
        """(open, high, low, close) in units over steps ``first..last`` inclusive."""
        if last < first:
            raise ValueError(f"empty step range {first}..{last}")
        self.units(last)
        window = self._units[first : last + 1]
        return window[0], max(window), min(window), window[-1]

    def _extend(self, step: int) -> None:
        path = self._units
        gauss, mu, sigma = self._gauss, self._mu, self._sigma
        units = path[-1]
        for _ in range(step + 1 - len(path)):
            units += round(units * (mu + sigma * gauss()))
            if units < 1:
                units = 1
            elif units > _MAX_UNITS:
                units = _MAX_UNITS
            path.append(units)
