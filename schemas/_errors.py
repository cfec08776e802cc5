"""Exchange errors: plain exceptions that say what happened and whether a retry can help.

``ExchangeError.retryable`` is a class attribute: callers decide to retry with
``except ExchangeError as e: if e.retryable: ...``. Exchange implementations translate
their client's errors (ccxt, RPC, the simulator's injected faults) into these classes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from schemas._orders import OrderRequest

__all__ = [
    "AuthenticationError",
    "BadSymbol",
    "ExchangeError",
    "ExchangeUnavailable",
    "InsufficientFunds",
    "InvalidOrder",
    "NetworkError",
    "NotSupported",
    "OrderNotFound",
    "OrderRejected",
    "RateLimited",
    "RequestTimeout",
]


class ExchangeError(Exception):
    """Base of every error an exchange reports. ``retryable`` tells whether to try again."""

    retryable: ClassVar[bool] = False
    summary: ClassVar[str] = "the exchange reported an error"

    def __init__(self, message: str = "", *, venue: str | None = None) -> None:
        self.message = message or self.summary
        self.venue = venue
        super().__init__(self.message)

    def __str__(self) -> str:
        where = f"{self.venue}: " if self.venue else ""
        hint = (
            "temporary, retrying may succeed"
            if self.retryable
            else "permanent, retrying will not help"
        )
        return f"{where}{self.message} ({hint})"


class NetworkError(ExchangeError):
    retryable = True
    summary = "could not reach the exchange"


class RequestTimeout(NetworkError):
    summary = "the exchange did not answer in time; the request may or may not have taken effect"


class RateLimited(ExchangeError):
    retryable = True
    summary = "the exchange is rate limiting requests"

    def __init__(
        self, message: str = "", *, venue: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, venue=venue)
        self.retry_after = retry_after
        """Seconds the venue asked to wait, when it said."""


class ExchangeUnavailable(ExchangeError):
    retryable = True
    summary = "the exchange is unavailable (maintenance or overload)"


class AuthenticationError(ExchangeError):
    summary = "the exchange refused the credentials"


class InsufficientFunds(ExchangeError):
    summary = "not enough balance for the order"


class InvalidOrder(ExchangeError):
    summary = "the exchange refused the order as invalid"


class OrderRejected(InvalidOrder):
    """Refused before sending: the order breaks the market's rules (see ``reason``).

    Raised by :meth:`schemas.Market.check_order`; nothing reached the venue. ``code`` is a
    short machine-readable key for metrics: ``inactive``, ``symbol``, ``price_zero``,
    ``amount_zero``, ``min_amount``, ``max_amount``, ``min_notional``, ``price_required``.
    """

    summary = "order refused before sending"

    def __init__(
        self,
        reason: str,
        *,
        code: str = "rejected",
        request: OrderRequest | None = None,
        venue: str | None = None,
    ) -> None:
        super().__init__(f"order refused before sending: {reason}", venue=venue)
        self.reason = reason
        self.code = code
        self.request = request


class OrderNotFound(ExchangeError):
    summary = "the exchange does not know this order"


class BadSymbol(ExchangeError):
    summary = "the exchange has no such market"


class NotSupported(ExchangeError):
    summary = "the exchange does not support this operation"
