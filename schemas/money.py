"""Money arithmetic: the one decimal context and every rounding rule.

Every cost, notional, fee, mid, ratio and budget in Fortuna is computed here, so there is one
answer to "how many digits, and which way does it round". Two kinds of operation:

- **Exact** (:func:`multiply`, :func:`add`, :func:`subtract`, :func:`total`, :func:`mid`,
  :func:`divide_exact`): the result carries every digit or the call raises
  :class:`MoneyError`. Nothing is rounded silently. The context is wide enough that this
  never happens for values the contracts accept: an exact decimal has at most
  ``fortuna.DECIMAL_MAX_DIGITS`` significant digits and a leading digit within
  ``10**±fortuna.DECIMAL_MAX_EXPONENT``, so a product of two has at most twice the digits,
  and sums of such products stay inside :data:`PRECISION`. Python's default context (28
  digits) would drop digits of ``123456789.123456789012345678 * 0.0000123456789`` without
  a word; this one cannot.
- **Rounded** (:func:`divide`, :func:`ratio`, :func:`round_to`, and the test
  :func:`is_multiple`): the caller states the
  quantum (or the significant digits) and the direction. A quotient is rounded from the
  exact rational value with integer arithmetic, so the direction is honoured even where a
  finite-precision division would have rounded first. The rule of thumb: a *budget* rounds
  against the spender (an amount affordable with a balance rounds DOWN; the cost of an
  amount rounds UP), a *display* ratio rounds HALF_EVEN.

On-chain amounts are integers of the token's smallest unit: :func:`to_units` and
:func:`from_units` are the one conversion, exact both ways (a value with more decimals than
the token has is refused unless a rounding direction is given).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_UP,
    Clamped,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    Subnormal,
    Underflow,
)
from enum import StrEnum

from fortuna import DECIMAL_MAX_DIGITS, DECIMAL_MAX_EXPONENT

__all__ = [
    "CONTEXT",
    "PRECISION",
    "RATIO_DIGITS",
    "MoneyError",
    "Rounding",
    "add",
    "divide",
    "divide_exact",
    "from_units",
    "is_multiple",
    "mid",
    "multiply",
    "ratio",
    "round_to",
    "subtract",
    "to_units",
    "total",
]

PRECISION = 4 * (DECIMAL_MAX_DIGITS + DECIMAL_MAX_EXPONENT)
"""Digits of the money context: a product of two contract values spans at most
``2 * (DECIMAL_MAX_DIGITS + DECIMAL_MAX_EXPONENT)`` decimal places, and sums of products
need room for both ends; beyond that an operation raises instead of rounding."""

RATIO_DIGITS = 34
"""Significant digits of a :func:`ratio` (a spread, a share, a rate): IEEE decimal128's."""

CONTEXT = Context(
    prec=PRECISION,
    rounding=ROUND_HALF_EVEN,
    Emax=4 * PRECISION,
    Emin=-4 * PRECISION,
    traps=[InvalidOperation, DivisionByZero, Overflow, Underflow, Subnormal, Clamped, Inexact],
)
"""The context of every exact money operation: any digit lost raises."""


class MoneyError(ArithmeticError):
    """An operation on money could not be carried out exactly (or at all)."""


class Rounding(StrEnum):
    """A rounding direction, stated at every place a money value may round."""

    DOWN = ROUND_DOWN
    """Towards zero: an affordable amount, an amount to a venue's step."""
    UP = ROUND_UP
    """Away from zero: a cost the spender must cover."""
    FLOOR = ROUND_FLOOR
    """Towards minus infinity: a buy price to the tick (never pay more than asked)."""
    CEILING = ROUND_CEILING
    """Towards plus infinity: a sell price to the tick (never sell for less than asked)."""
    HALF_EVEN = ROUND_HALF_EVEN
    """To nearest, ties to even: a figure for display or storage, with no side to favour."""


def _refuse_non_decimal(*values: object) -> None:
    for value in values:
        if not isinstance(value, Decimal):
            raise MoneyError(
                f"money is a Decimal, got {type(value).__name__} {value!r}"[:200]
            )


def _exact(operation: str, left: Decimal, right: Decimal) -> Decimal:
    _refuse_non_decimal(left, right)
    try:
        if operation == "multiply":
            return CONTEXT.multiply(left, right)
        if operation == "add":
            return CONTEXT.add(left, right)
        if operation == "subtract":
            return CONTEXT.subtract(left, right)
        return _divide(left, right)
    except ArithmeticError as exc:
        raise MoneyError(
            f"{operation} of {left} and {right} is not exact in {PRECISION} digits "
            f"({type(exc).__name__})"
        ) from None


_QUICK_DIVISION = CONTEXT.copy()
_QUICK_DIVISION.prec = 2 * DECIMAL_MAX_DIGITS // 5


def _divide(dividend: Decimal, divisor: Decimal) -> Decimal:
    """An exact quotient. Division costs grow with the context's precision, not with the
    quotient's digits, so the short quotients of everyday prices (a mid, a half) are tried in
    a narrow context first; a quotient that does not fit there (Inexact, trapped) is taken
    again in the full one. An exact quotient is the same value with the same exponent in
    both, so the shortcut changes nothing but the time."""
    try:
        return _QUICK_DIVISION.divide(dividend, divisor)
    except Inexact:
        return CONTEXT.divide(dividend, divisor)


def _exact_operation(
    operation: str, direct: Callable[[Decimal, Decimal], Decimal], doc: str
) -> Callable[[Decimal, Decimal], Decimal]:
    """``multiply``, ``add`` or ``subtract``: the context's operation called directly, the
    operation named only on failure (they run several times per quote on the market-making
    tick). Built here once rather than written out three times: measured in one process
    (CPU time, interleaved), the closure costs 4 to 8 ns more per call than the written-out
    functions (about 130 against 125 ns; the bare context op is about 85 ns). The
    market-making benchmark makes about 280 such calls a tick, simulated venue included:
    about 1.5 us, under 1 % of its tick. benchmarks/money_ops.py keeps the overhead over
    the bare context."""

    def exact(left: Decimal, right: Decimal) -> Decimal:
        if type(left) is Decimal and type(right) is Decimal:
            try:
                return direct(left, right)
            except ArithmeticError:
                pass
        return _exact(operation, left, right)  # names the failure, refuses a non-Decimal

    exact.__name__ = exact.__qualname__ = operation
    exact.__doc__ = doc
    return exact


multiply = _exact_operation("multiply", CONTEXT.multiply,
                            "``left * right``, every digit kept (a notional, a fee, a cost).")
add = _exact_operation("add", CONTEXT.add, "``left + right``, every digit kept.")
subtract = _exact_operation("subtract", CONTEXT.subtract, "``left - right``, every digit kept.")


def total(values: Iterable[Decimal]) -> Decimal:
    """The exact sum of ``values`` (``Decimal(0)`` for none)."""
    result = Decimal(0)
    for value in values:
        result = _exact("add", result, value)
    return result


def mid(left: Decimal, right: Decimal) -> Decimal:
    """The midpoint ``(left + right) / 2``: always exact (halving adds at most one digit)."""
    return _exact("divide", _exact("add", left, right), Decimal(2))


def divide_exact(dividend: Decimal, divisor: Decimal) -> Decimal:
    """``dividend / divisor`` when the quotient is a finite decimal; :class:`MoneyError`
    otherwise (``1 / 3``) and for a zero divisor."""
    return _exact("divide", dividend, divisor)


def _as_fraction(value: Decimal) -> tuple[int, int]:
    """``value`` as ``(numerator, denominator)``, exactly, the denominator positive (Python's
    own ``as_integer_ratio``, in C: several times faster than reading the digits)."""
    if not value.is_finite():
        raise MoneyError(f"{value} is not a finite number")
    return value.as_integer_ratio()


def _round_quotient(numerator: int, denominator: int, rounding: Rounding) -> int:
    """``numerator / denominator`` (denominator > 0) rounded to an integer as stated."""
    floor, remainder = divmod(numerator, denominator)
    if remainder == 0:
        return floor
    negative = numerator < 0
    if rounding is Rounding.FLOOR:
        return floor
    if rounding is Rounding.CEILING:
        return floor + 1
    if rounding is Rounding.DOWN:
        return floor + 1 if negative else floor
    if rounding is Rounding.UP:
        return floor if negative else floor + 1
    twice = 2 * remainder
    if twice < denominator:
        return floor
    if twice > denominator:
        return floor + 1
    return floor if floor % 2 == 0 else floor + 1


def _scaled_quotient(
    dividend: Decimal, divisor: Decimal, quantum: Decimal, rounding: Rounding
) -> int:
    """How many quanta ``dividend / divisor`` is, rounded as stated, in exact integers."""
    _refuse_non_decimal(dividend, divisor, quantum)
    if divisor.is_zero():
        raise MoneyError(f"division of {dividend} by zero")
    if quantum <= 0:
        raise MoneyError(f"a rounding quantum must be positive, got {quantum}")
    top, top_denominator = _as_fraction(dividend)
    bottom, bottom_denominator = _as_fraction(divisor)
    step, step_denominator = _as_fraction(quantum)
    # dividend / (divisor * quantum), each a ratio of integers
    numerator = top * bottom_denominator * step_denominator
    denominator = top_denominator * bottom * step
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    return _round_quotient(numerator, denominator, rounding)


def _times_quantum(steps: int, quantum: Decimal) -> Decimal:
    """``steps * quantum``, exact, with the quantum's exponent, or :class:`MoneyError`."""
    try:
        return CONTEXT.multiply(Decimal(steps), quantum)
    except ArithmeticError:
        raise MoneyError(f"{steps} times {quantum} does not fit the money context "
                         f"({PRECISION} digits)") from None


def _scaled(integer: int, exponent: int) -> Decimal:
    """``integer * 10**exponent`` as an exact Decimal, or :class:`MoneyError`."""
    try:
        return Decimal(integer).scaleb(exponent, context=CONTEXT)
    except ArithmeticError:
        raise MoneyError(
            f"a value of {len(str(abs(integer)))} digits at 10**{exponent} does not fit the "
            f"money context ({PRECISION} digits)"
        ) from None


def divide(dividend: Decimal, divisor: Decimal, quantum: Decimal, rounding: Rounding) -> Decimal:
    """``dividend / divisor`` rounded to a multiple of ``quantum`` in the stated direction.

    ``divide(balance, price, step, Rounding.DOWN)`` is the amount a balance affords at a
    venue's step, never a step more. The result carries the quantum's decimal places.
    """
    return _times_quantum(_scaled_quotient(dividend, divisor, quantum, rounding), quantum)


_ROUNDING = Context(
    prec=PRECISION,
    rounding=ROUND_HALF_EVEN,
    Emax=4 * PRECISION,
    Emin=-4 * PRECISION,
    traps=[InvalidOperation, DivisionByZero, Overflow, Underflow, Subnormal, Clamped],
)
"""``CONTEXT`` without the ``Inexact`` trap: for ``Decimal.quantize`` in :func:`round_to`,
whose rounding is the point (the direction is always passed explicitly)."""


def _is_power_of_ten(quantum: Decimal) -> bool:
    """1, 0.1, 0.01 ... written as such (``1E-8``, not ``0.010``); remembered per quantum
    (a market's tick and step are the same on every call)."""
    sign, digits, exponent = quantum.as_tuple()
    known = not sign and digits == (1,) and isinstance(exponent, int) and exponent <= 0
    if len(_POWERS_OF_TEN) < 256:
        _POWERS_OF_TEN[quantum] = known
    return known


_POWERS_OF_TEN: dict[Decimal, bool] = {}


@functools.lru_cache(maxsize=64)
def _unit_of(quantum: Decimal) -> Decimal | None:
    """``quantum`` as ``1E<n>`` when it is a power of ten, however written (0.01 and 0.010
    alike), else None. It depends on the value alone, so it is remembered by value."""
    _, digits, exponent = quantum.as_tuple()
    if not isinstance(exponent, int) or digits[0] != 1 or any(digits[1:]):
        return None
    return Decimal((0, (1,), exponent + len(digits) - 1))


def is_multiple(value: Decimal, quantum: Decimal) -> bool:
    """Whether ``value`` is a whole number of ``quantum`` (a price on a tick, an amount on
    a step), exactly. A value written with a power-of-ten quantum's own exponent (what
    rounding to it gives) is answered at once; any other is rounded and compared."""
    unit = _unit_of(quantum)
    if unit is not None and value.same_quantum(unit):
        return True
    return round_to(value, quantum, Rounding.DOWN) == value


def round_to(value: Decimal, quantum: Decimal, rounding: Rounding) -> Decimal:
    """``value`` rounded to a multiple of ``quantum`` (any positive decimal: 0.01, 0.5, 5).

    For a quantum written as a power of ten (``0.01``, ``1E-8``, ``1``) this is one
    ``Decimal.quantize`` in the money context (the common tick and step; the same result,
    pinned by the property tests); any other quantum is rounded in exact integers.
    """
    if type(value) is Decimal and type(quantum) is Decimal:
        power = _POWERS_OF_TEN.get(quantum)
        fast = (power or (power is None and _is_power_of_ten(quantum))) and value.is_finite()
    else:
        fast = False  # the integer path refuses it with a MoneyError
    if fast:
        try:  # positional arguments: keywords cost this call several times over
            return value.quantize(quantum, rounding, _ROUNDING)
        except ArithmeticError:
            pass  # beyond the context: the integer path raises MoneyError
    return divide(value, Decimal(1), quantum, rounding)


def ratio(
    dividend: Decimal,
    divisor: Decimal,
    rounding: Rounding = Rounding.HALF_EVEN,
    digits: int = RATIO_DIGITS,
) -> Decimal:
    """``dividend / divisor`` to ``digits`` significant digits, rounded as stated.

    For values that are ratios by nature (a spread over a mid, a share of volume, a rate
    between currencies): an exact quotient is returned as it is when it fits.
    """
    _refuse_non_decimal(dividend, divisor)
    if divisor.is_zero():
        raise MoneyError(f"ratio of {dividend} to zero")
    if dividend.is_zero():
        return Decimal(0)
    if digits < 1:
        raise MoneyError(f"a ratio needs at least one digit, got {digits}")
    # One operation of a context of ``digits`` digits: decimal arithmetic is correctly
    # rounded, so the quotient is the exact one rounded once, in the stated direction.
    try:
        result = _ratio_context(digits, rounding).divide(dividend, divisor)
    except ArithmeticError as exc:
        raise MoneyError(
            f"ratio of {dividend} to {divisor} is out of range ({type(exc).__name__})"
        ) from None
    return _without_trailing_zeros(result)


@functools.cache
def _ratio_context(digits: int, rounding: Rounding) -> Context:
    return Context(
        prec=digits,
        rounding=str(rounding),
        Emax=CONTEXT.Emax,
        Emin=CONTEXT.Emin,
        traps=[InvalidOperation, DivisionByZero, Overflow, Underflow, Subnormal, Clamped],
    )


def _without_trailing_zeros(value: Decimal) -> Decimal:
    if value.is_zero():
        return Decimal(0)
    reduced = value.normalize(CONTEXT)
    exponent = reduced.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        return reduced.quantize(Decimal(1), context=CONTEXT)
    return reduced


def to_units(amount: Decimal, decimals: int, rounding: Rounding | None = None) -> int:
    """``amount`` of a token as an integer of its smallest unit (``decimals`` places).

    An amount with more decimal places than the token has is refused, unless ``rounding``
    says which way to round it: an on-chain amount is never rounded silently.
    """
    if decimals < 0:
        raise MoneyError(f"a token's decimals cannot be negative, got {decimals}")
    unit = Decimal(1).scaleb(-decimals)
    steps = _scaled_quotient(amount, Decimal(1), unit, rounding or Rounding.DOWN)
    if rounding is None and _times_quantum(steps, unit) != amount:
        raise MoneyError(
            f"{amount} has more than {decimals} decimal places; state a rounding to convert it"
        )
    return steps


def from_units(units: int, decimals: int) -> Decimal:
    """The exact ``Decimal`` amount of ``units`` of a token's smallest unit."""
    if decimals < 0:
        raise MoneyError(f"a token's decimals cannot be negative, got {decimals}")
    if isinstance(units, bool) or not isinstance(units, int):
        raise MoneyError(f"smallest units are an integer, got {type(units).__name__}")
    return _scaled(units, -decimals)
