"""A venue's answer is untrusted input: what cannot be held is dropped or refused, loudly.

The converters of :mod:`convert` raise :class:`Dropped` with a reason for a record the
contracts cannot hold, and may let out whatever a malformed field provokes (pydantic's
``ValidationError``, a ``KeyError`` for a missing key, a ``TypeError`` for a field of the
wrong type, an ``ArithmeticError`` for an out-of-range figure). This module is the one
place that catches those:

- :func:`each`: a record of a list (a trade, a candle, a fill, an order, a market) is
  dropped, with one log line per call saying how many and why the first was (bounded: a
  hostile answer of a million bad records costs one line, not a million);
- :func:`one`: a single structure (a book, a ticker, balances, one order) that cannot be
  held fails the call with :class:`~errors.MalformedAnswer`, a contract error.

So no malformed field ever escapes as a raw pydantic, key or type error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import ValidationError

from fortuna import Logger
from plugins.exchanges.ccxt.errors import MalformedAnswer

__all__ = ["FAULTS", "Dropped", "each", "one", "reason"]

R = TypeVar("R")


class Dropped(ValueError):
    """A record the contracts cannot hold, with the reason (raised by the converters)."""


FAULTS = (ValueError, TypeError, KeyError, IndexError, AttributeError, ArithmeticError)
"""What converting a malformed venue field can raise (pydantic's ValidationError is a
ValueError, money's MoneyError and an overflowing timestamp ArithmeticErrors)."""
_REASON_LENGTH = 200


def reason(error: BaseException) -> str:
    """A one-line account of why a venue record was not held, cut to a bounded length (a
    hostile answer can carry megabytes in one field)."""
    if isinstance(error, ValidationError):
        first = error.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        text = f"{where}: {first['msg']}" if where else first["msg"]
    elif isinstance(error, Dropped):
        text = str(error)
    else:
        text = f"{type(error).__name__}: {str(error)[:_REASON_LENGTH * 2]}"
    text = " ".join(text[: _REASON_LENGTH * 2].split())
    return text if len(text) <= _REASON_LENGTH else text[: _REASON_LENGTH - 3] + "..."


def each(kind: str, raws: Any, convert: Callable[[Any], R | None], *, venue: str,
         log: Logger) -> list[R]:
    """Every record of ``raws`` that converts; those that do not (the converter raises, or
    returns None) are dropped, and one warning says how many and why the first was."""
    if raws is None:
        return []
    if not isinstance(raws, list | tuple):
        raise MalformedAnswer(f"the venue's {kind} list is a {type(raws).__name__}",
                              venue=venue)
    kept: list[R] = []
    count = 0
    first: str | None = None
    for raw in raws:
        problem: BaseException | None = None
        try:
            item = convert(raw)
        except FAULTS as error:
            item, problem = None, error
        if item is not None:
            kept.append(item)
            continue
        count += 1
        if first is None:
            first = (reason(problem) if problem is not None
                     else "not a complete record (no id, size, price or side)")
    if count:
        log.warning("dropped venue records", venue=venue, kind=kind, dropped=count,
                    kept=len(kept), first_reason=first)
    return kept


def one(kind: str, venue: str, convert: Callable[[], R]) -> R:
    """``convert()``, or :class:`MalformedAnswer` naming ``kind`` and the reason."""
    try:
        return convert()
    except FAULTS as error:
        raise MalformedAnswer(f"the venue's {kind} cannot be read: {reason(error)}",
                              venue=venue) from None


