"""web3.py's failures, translated into the project's errors at the edge, with the chain's words.

Two kinds of failure reach a venue. The RPC itself failing (connection refused, timeout,
rate limit, the node refusing a request) becomes ``NetworkError``/``RequestTimeout``/
``RateLimited`` (retryable) or ``ExchangeError`` (permanent). A contract reverting, in a
simulation before sending or in a mined transaction, becomes a :class:`schemas.swap.
SwapReverted` subclass chosen from the revert reason the contract wrote: the Uniswap
routers' ``EXPIRED`` / ``Transaction too old``, ``INSUFFICIENT_OUTPUT_AMOUNT`` /
``EXCESSIVE_INPUT_AMOUNT`` / ``Too little received`` / ``Too much requested``, and the
ERC-20 balance and allowance messages. The reason itself is always kept verbatim.
"""

from __future__ import annotations

import asyncio
from typing import Any

from plugins.exchanges._onchain.swaps import RevertMarks, revert_kind
from schemas import ExchangeError, NetworkError, RateLimited, RequestTimeout
from schemas.money import from_units
from schemas.swap import (
    DeadlineExpired,
    InsufficientAllowance,
    SlippageExceeded,
    SwapInsufficientFunds,
    SwapReverted,
)

__all__ = ["revert_error", "revert_reason", "rpc_error", "simulated"]

_KINDS: RevertMarks = (
    (("EXPIRED", "Transaction too old"), DeadlineExpired),
    (("INSUFFICIENT_OUTPUT_AMOUNT", "EXCESSIVE_INPUT_AMOUNT", "Too little received",
      "Too much requested"), SlippageExceeded),
    (("exceeds allowance", "insufficient allowance"), InsufficientAllowance),
    (("exceeds balance", "insufficient balance", "insufficient funds"), SwapInsufficientFunds),
)


def revert_error(
    reason: str,
    *,
    venue: str | None = None,
    tx_hash: str | None = None,
    block: int | None = None,
    gas_used: int | None = None,
    gas_cost_wei: int | None = None,
) -> SwapReverted:
    """The :class:`SwapReverted` subclass that ``reason`` (the decoded revert) describes;
    ``gas_cost_wei``, of a mined transaction, becomes its ``gas_cost`` in the native coin."""
    kind = revert_kind(reason, _KINDS)
    cost = None if gas_cost_wei is None else from_units(gas_cost_wei, 18)
    return kind(reason, venue=venue, tx_hash=tx_hash, block=block, gas_used=gas_used,
                gas_cost=cost)


def revert_reason(error: BaseException) -> str | None:
    """The revert reason of a web3 ``ContractLogicError``; None for any other error."""
    from web3.exceptions import ContractLogicError

    if not isinstance(error, ContractLogicError):
        return None
    text = str(error.message or error)
    return text.removeprefix("execution reverted: ").removeprefix("execution reverted") or text


async def simulated(call: Any, block: int, *, quoter: str, venue: str) -> Any:
    """The result of a quoter contract's ``call`` run at ``block``: ``ValueError`` when the
    pool cannot quote it (``quoter``'s revert), the RPC's failure translated."""
    from web3.exceptions import ContractLogicError

    try:
        return await call.call(block_identifier=block)
    except ContractLogicError as error:
        raise ValueError(f"{quoter} cannot quote it: {error}") from None
    except Exception as error:
        raise rpc_error(error, venue=venue) from error


def rpc_error(error: BaseException, *, venue: str | None = None) -> ExchangeError:
    """The project's error for ``error`` raised by a web3 call."""
    from web3.exceptions import (
        ProviderConnectionError,
        RequestTimedOut,
        TimeExhausted,
        TooManyRequests,
        Web3RPCError,
    )

    if isinstance(error, ExchangeError):
        return error
    reason = revert_reason(error)
    if reason is not None:
        return revert_error(reason, venue=venue)
    if isinstance(error, TooManyRequests):
        return RateLimited(f"the RPC endpoint is rate limiting: {error}", venue=venue)
    if isinstance(error, (RequestTimedOut, TimeExhausted, asyncio.TimeoutError, TimeoutError)):
        return RequestTimeout(f"the RPC endpoint did not answer in time: {error}", venue=venue)
    if isinstance(error, (ProviderConnectionError, ConnectionError, OSError)):
        return NetworkError(f"cannot reach the RPC endpoint: {error}", venue=venue)
    if isinstance(error, Web3RPCError):
        message = str(error.message or error)
        if "insufficient funds" in message:
            return SwapInsufficientFunds(message, venue=venue)
        return ExchangeError(f"the node refused the request: {message}", venue=venue)
    import aiohttp

    if isinstance(error, aiohttp.ClientError):
        return NetworkError(f"cannot reach the RPC endpoint: {error}", venue=venue)
    return ExchangeError(f"the RPC call failed: {type(error).__name__}: {error}", venue=venue)
