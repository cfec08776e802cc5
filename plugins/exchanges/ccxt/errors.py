"""ccxt's exception hierarchy onto the project's errors.

The order of the table matters: ccxt derives ``OrderNotFound`` from ``InvalidOrder`` and
``RateLimitExceeded``, ``RequestTimeout`` and ``ExchangeNotAvailable`` from
``NetworkError``, so the most specific class is looked up first along the MRO.

Retryable: network failures, timeouts, rate limits, maintenance, a stale nonce. Permanent:
authentication, insufficient funds, invalid or unknown orders, unknown symbols,
unsupported operations, and any other refusal from the venue.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from schemas import (
    AuthenticationError,
    BadSymbol,
    ExchangeError,
    ExchangeUnavailable,
    InsufficientFunds,
    InvalidOrder,
    NetworkError,
    NotSupported,
    OrderNotFound,
    RateLimited,
    RequestTimeout,
)

__all__ = ["MalformedAnswer", "OrderIdMissing", "refine", "translate"]

# ccxt class name -> project class; looked up along the raised exception's MRO.
_BY_CCXT_NAME: dict[str, type[ExchangeError]] = {
    "InsufficientFunds": InsufficientFunds,
    "OrderNotFound": OrderNotFound,
    "OrderNotCached": OrderNotFound,
    "InvalidOrder": InvalidOrder,
    "BadSymbol": BadSymbol,
    "AuthenticationError": AuthenticationError,
    "NotSupported": NotSupported,
    "RateLimitExceeded": RateLimited,
    "DDoSProtection": RateLimited,
    "RequestTimeout": RequestTimeout,
    "OnMaintenance": ExchangeUnavailable,
    "ExchangeNotAvailable": ExchangeUnavailable,
    "InvalidNonce": NetworkError,
    "NetworkError": NetworkError,
    "OperationFailed": NetworkError,
    "BaseError": ExchangeError,
}

_CODE = re.compile(r'"code"\s*:\s*"?(-?\w+)"?')
_RETRY_AFTER = re.compile(r"retry[- ]after[\"':= ]+(\d+(?:\.\d+)?)", re.IGNORECASE)


def translate(error: BaseException, venue: str) -> ExchangeError:
    """The project error for a ccxt (or transport) exception, keeping ccxt's message.

    ``BadResponse`` (a malformed answer) derives from ``OperationFailed`` in ccxt and maps to
    a retryable ``NetworkError``; everything else under ``ExchangeError`` is permanent.
    """
    if isinstance(error, ExchangeError):
        return error
    target: type[ExchangeError] | None = None
    for klass in type(error).__mro__:
        if klass.__module__.startswith("ccxt"):
            if klass.__name__ == "ExchangeError":
                target = ExchangeError
                break
            target = _BY_CCXT_NAME.get(klass.__name__)
            if target is not None:
                break
    if target is None:
        target = NetworkError if isinstance(error, OSError | TimeoutError) else ExchangeError
    message = f"{type(error).__name__}: {error}".strip()
    if target is RateLimited:
        found = _RETRY_AFTER.search(str(error))
        return RateLimited(
            message, venue=venue, retry_after=float(found.group(1)) if found else None
        )
    return target(message, venue=venue)


def refine(
    error: BaseException,
    venue: str,
    codes: Mapping[str, type[ExchangeError]],
    messages: Mapping[str, type[ExchangeError]],
) -> ExchangeError:
    """:func:`translate`, refined by a venue's own error texts (``messages``: text ->
    class, for texts ccxt maps too broadly) and codes (``codes``: the ``"code"`` of the
    venue's JSON answer -> class, for codes ccxt leaves generic)."""
    result = translate(error, venue)
    text = str(error)
    for fragment, refined_class in messages.items():
        if fragment in text:
            return refined_class(result.message, venue=venue)
    if type(result) is ExchangeError and codes:
        found = _CODE.search(text)
        refined = codes.get(found.group(1)) if found else None
        if refined is not None:
            return refined(result.message, venue=venue)
    return result


class OrderIdMissing(ExchangeError):
    """The venue accepted an order without saying its id: it was placed, so it is looked
    up by client order id; if that fails too, its fate is unknown, so retryable (a caller
    must look again, never assume nothing was placed)."""

    retryable = True


class MalformedAnswer(ExchangeError):
    """The venue answered with a structure the contracts cannot hold (a field missing, of
    the wrong type, or out of range). Not retried: the same answer would come back."""
