"""The one place strategy models take logarithms, exponentials and square roots.

Avellaneda-Stoikov needs ``ln`` (and its estimators squares and square roots). They are
done here, on Decimals only, in one explicit context: 34 significant digits, results
correctly rounded HALF_EVEN (Python's ``decimal`` rounds ``ln``/``exp`` correctly whatever
the context's rounding; ``sqrt`` and the plain operations use the context's HALF_EVEN).
Invalid operations, division by zero and overflow raise :class:`ModelMathError` rather than
return NaN or infinity. A model's output is a price *target*: the market-making service
then quantizes it on the market's tick, never more aggressively than asked.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)

__all__ = ["MODEL", "ModelMathError", "ln", "mean_square_step", "product", "quotient", "sqrt"]

MODEL = Context(prec=34, rounding=ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999,
                traps=[InvalidOperation, DivisionByZero, Overflow])
"""34 significant digits, HALF_EVEN: the context of every model computation."""


class ModelMathError(ArithmeticError):
    """A model computation out of its domain (a log of a non-positive value, say)."""


def ln(value: Decimal) -> Decimal:
    """Natural logarithm of a positive ``value``, correctly rounded to 34 digits."""
    if not value > 0:
        raise ModelMathError(f"ln of {value}: not positive")
    return MODEL.ln(value)


def sqrt(value: Decimal) -> Decimal:
    """Square root of a non-negative ``value``, correctly rounded to 34 digits."""
    if value < 0:
        raise ModelMathError(f"sqrt of {value}: negative")
    return MODEL.sqrt(value)


def product(*factors: Decimal) -> Decimal:
    """The product, rounded to 34 digits once per factor."""
    result = Decimal(1)
    for factor in factors:
        result = MODEL.multiply(result, factor)
    return result


def quotient(dividend: Decimal, divisor: Decimal) -> Decimal:
    """``dividend / divisor`` to 34 digits."""
    if divisor.is_zero():
        raise ModelMathError(f"{dividend} divided by zero")
    return MODEL.divide(dividend, divisor)


def mean_square_step(values: Sequence[Decimal]) -> Decimal:
    """Mean of the squared differences of consecutive ``values`` (at least two)."""
    if len(values) < 2:
        raise ModelMathError("a mean square step needs two values or more")
    squares = Decimal(0)
    for before, after in itertools.pairwise(values):
        step = MODEL.subtract(after, before)
        squares = MODEL.add(squares, MODEL.multiply(step, step))
    return MODEL.divide(squares, Decimal(len(values) - 1))
