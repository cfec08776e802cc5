"""multiversx-sdk's failures as the project's errors, translated at the edge, in the proxy's words.

The SDK's network provider wraps every failure in ``NetworkProviderError(url, data)``:
``data`` is the exception ``requests`` raised (no answer: a connection refused or a
timeout, both retryable) or the proxy's JSON envelope (``{"error": ..., "code": ...}``,
its own message). A transaction the proxy refuses at ``/transaction/send`` (bad signature,
wrong nonce, wrong chain, not enough EGLD for gas) was not sent: :class:`TransactionRefused`,
or :class:`NonceRefused` (retryable: the wallet reads its nonce from the network again).
A swap the pair contract refused on chain carries the contract's message (``signalError``);
:data:`PAIR_ERRORS` says which :class:`schemas.swap.SwapReverted` case it is.
"""

from __future__ import annotations

from typing import Any

from plugins.exchanges._onchain.swaps import RevertMarks, revert_kind
from schemas import (
    ExchangeError,
    ExchangeUnavailable,
    NetworkError,
    RateLimited,
    RequestTimeout,
)
from schemas.swap import SlippageExceeded, SwapInsufficientFunds, SwapReverted

__all__ = [
    "PAIR_ERRORS", "NonceRefused", "TransactionRefused", "proxy_error", "refusal", "revert_error",
]

PAIR_ERRORS: RevertMarks = (
    # the pair contract's ERROR_SLIPPAGE_EXCEEDED
    (("Slippage exceeded",), SlippageExceeded),
    # the ESDT transfer built-in function, before the contract runs
    (("insufficient funds", "insufficient balance"), SwapInsufficientFunds),
)


class TransactionRefused(ExchangeError):
    """The proxy refused the transaction before it entered the pool: nothing was sent."""

    summary = "the proxy refused the transaction (nothing sent)"


class NonceRefused(TransactionRefused):
    """The transaction's nonce is not the account's next one (nothing sent); the wallet
    reads the nonce from the network again, so trying again can succeed."""

    retryable = True
    summary = "the proxy refused the transaction's nonce (nothing sent)"


def _said(data: Any) -> str:
    """The proxy's own message out of whatever the SDK kept of its answer."""
    if isinstance(data, dict):
        error = data.get("error") or data.get("message")
        code = data.get("code")
        if error:
            return f"{error} ({code})" if code else str(error)
        return str(data)[:300]
    return str(data)[:300]


def proxy_error(error: BaseException, *, venue: str | None = None) -> ExchangeError:
    """The project's error for ``error`` raised by a ``ProxyNetworkProvider`` call."""
    import requests
    from multiversx_sdk.network_providers.errors import NetworkProviderError

    if isinstance(error, ExchangeError):
        return error
    data: Any = error.data if isinstance(error, NetworkProviderError) else error
    if isinstance(data, (requests.Timeout, TimeoutError)):
        return RequestTimeout(f"the proxy did not answer in time: {data}", venue=venue)
    if isinstance(data, (requests.ConnectionError, ConnectionError)):
        return NetworkError(f"cannot reach the proxy: {data}", venue=venue)
    text = _said(data)
    lowered = text.lower()
    if "too many requests" in lowered or "429" in lowered:
        return RateLimited(f"the proxy is rate limiting: {text}", venue=venue)
    if any(mark in lowered for mark in ("502", "503", "504", "system busy", "unavailable")):
        return ExchangeUnavailable(f"the proxy is unavailable: {text}", venue=venue)
    if isinstance(data, BaseException) and not isinstance(error, NetworkProviderError):
        return ExchangeError(f"the proxy call failed: {type(data).__name__}: {text}",
                             venue=venue)
    return ExchangeError(f"the proxy answered with an error: {text}", venue=venue)


def refusal(error: BaseException, *, venue: str | None = None) -> ExchangeError:
    """The error for a transaction ``/transaction/send`` answered with a refusal."""
    from multiversx_sdk.network_providers.errors import NetworkProviderError

    if not isinstance(error, NetworkProviderError) or isinstance(error.data, BaseException):
        return proxy_error(error, venue=venue)
    text = _said(error.data)
    kind = NonceRefused if "nonce" in text.lower() else TransactionRefused
    return kind(f"{kind.summary}: {text}", venue=venue)


def revert_error(reason: str) -> type[SwapReverted]:
    """The :class:`SwapReverted` case the pair's (or the protocol's) ``reason`` describes."""
    return revert_kind(reason, PAIR_ERRORS, fold_case=True)
