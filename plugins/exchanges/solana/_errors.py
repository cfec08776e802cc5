"""solana-py's failures, translated into the project's errors at the edge, with the node's words.

A connection refused, a timeout or an HTTP 429 is retryable (``NetworkError``,
``RequestTimeout``, ``RateLimited``); a node that answers with a JSON-RPC error is not
(``ExchangeError`` carrying the node's message). A transaction the node refuses before
executing it (bad signature, unknown or expired blockhash, already processed, simulation
failure) was not sent: :func:`send_error` says which.
"""

from __future__ import annotations

import asyncio
import re

from plugins.exchanges._onchain.swaps import RevertMarks, revert_kind
from schemas import ExchangeError, NetworkError, RateLimited, RequestTimeout
from schemas.swap import SlippageExceeded, SwapInsufficientFunds, SwapReverted

__all__ = ["SOLANA_ERRORS", "rpc_error", "send_error", "unreadable"]

SOLANA_ERRORS: RevertMarks = (
    # Jupiter's program: 6001 SlippageToleranceExceeded (0x1771).
    (("SlippageToleranceExceeded", "custom program error: 0x1771", "Custom(6001)"),
     SlippageExceeded),
    # SPL Token: error 1 is InsufficientFunds; the runtime's own for lamports.
    (("insufficient funds", "InsufficientFunds"), SwapInsufficientFunds),
)


def _message(error: BaseException) -> str:
    """The node's message; solders turns some JSON-RPC errors into a bare enum member
    (``RpcCustomErrorFieldless.TransactionSignatureVerificationFailure``): spelt out."""
    args = getattr(error, "args", ())
    if args and hasattr(args[0], "message"):
        return str(args[0].message)
    text = str(args[0] if args else error) or type(error).__name__
    if text.startswith("RpcCustomErrorFieldless."):
        name = text.rsplit(".", 1)[-1]
        text = re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower().capitalize()
    return text


def unreadable(error: BaseException) -> bool:
    """Whether ``error`` is solders failing to parse an answer: a Rust panic surfaces as
    ``pyo3_runtime.PanicException``, a ``BaseException`` that ``except Exception`` misses."""
    return type(error).__name__ == "PanicException"


def rpc_error(error: BaseException, *, venue: str | None = None) -> ExchangeError:
    """The project's error for ``error`` raised by a solana-py call."""
    from solana.exceptions import SolanaRpcException
    from solana.rpc.core import RPCException

    if isinstance(error, ExchangeError):
        return error
    if unreadable(error):
        first = str(error).splitlines()[0][:300] if str(error) else ""
        return ExchangeError(f"the node's answer is not in the JSON-RPC format: {first}",
                             venue=venue)
    if isinstance(error, RPCException):
        return ExchangeError(f"the node refused the request: {_message(error)}", venue=venue)
    cause = error.__cause__ if isinstance(error, SolanaRpcException) else error
    text = f"{type(cause).__name__}: {cause}" if cause is not None else str(error)
    if "429" in text or "Too Many Requests" in text:
        return RateLimited(f"the RPC endpoint is rate limiting: {text}", venue=venue)
    if isinstance(cause, (asyncio.TimeoutError, TimeoutError)) or "Timeout" in text:
        return RequestTimeout(f"the RPC endpoint did not answer in time: {text}", venue=venue)
    if isinstance(error, SolanaRpcException) or isinstance(cause, (ConnectionError, OSError)):
        return NetworkError(f"cannot reach the RPC endpoint: {text}", venue=venue)
    return ExchangeError(f"the RPC call failed: {text}", venue=venue)


def send_error(error: BaseException, *, venue: str | None = None) -> ExchangeError:
    """The error for a transaction the node refused to accept: nothing was sent (a
    :class:`SwapReverted` subclass when its simulation failed with a known reason)."""
    from solana.rpc.core import RPCException

    if not isinstance(error, RPCException):
        return rpc_error(error, venue=venue)
    message = _message(error)
    detail = error.args[0] if error.args else None
    logs = getattr(getattr(detail, "data", None), "logs", None) or []
    # The program's own words ("Program log: Error: insufficient funds") say the most.
    said = [str(line).removeprefix("Program log: ") for line in logs if "rror" in str(line)
            and "failed:" not in str(line)]
    message = "; ".join([message, *said])
    kind = revert_kind(message, SOLANA_ERRORS)
    if kind is not SwapReverted:
        return kind(message, venue=venue)
    return ExchangeError(f"the node refused the transaction (nothing sent): {message}",
                         venue=venue)
