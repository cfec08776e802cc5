"""Reference arithmetic the money properties compare ``schemas.money`` with: exact rationals."""

from __future__ import annotations

import math
from fractions import Fraction

from schemas.money import Rounding

__all__ = ["rounded"]


def rounded(value: Fraction, rounding: Rounding) -> int:
    """``value`` rounded to an integer as ``rounding`` states, in exact rationals."""
    floor = math.floor(value)
    if value == floor or rounding is Rounding.FLOOR:
        return floor
    if rounding is Rounding.CEILING:
        return floor + 1
    if rounding is Rounding.DOWN:
        return floor + 1 if value < 0 else floor
    if rounding is Rounding.UP:
        return floor if value < 0 else floor + 1
    above = value - floor
    if above != Fraction(1, 2):
        return floor + 1 if above > Fraction(1, 2) else floor
    return floor if floor % 2 == 0 else floor + 1
