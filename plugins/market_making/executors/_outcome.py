"""The executors' one exception policy for an order sent: refused, or outcome unknown.

A write to a venue that raises has one of two meanings, and only two:

- **refused**: the venue (or the market check before the wire) answered that it did not
  take the request: an invalid or rejected order, insufficient funds, refused
  credentials, an unknown market, an unsupported operation, a rate limit. Nothing changed
  on the venue; the executor reports the error and trades on.
- **outcome unknown**: anything else after the request may have left: a timeout, a
  dropped connection, the venue unavailable, an answer that could not be read, a bug, a
  cancellation of the task. The order may rest, may have filled, or may not exist. The
  executor never guesses: it looks the order up by its client order id (a placement) or
  its venue id (a cancel) before it places or cancels anything else, and while the
  lookup fails it trades no further.

A placement of unknown outcome that the venue lists neither among the open nor among the
final orders of the market was not placed. Open orders are read first and final ones
second, so an order that finishes between the two reads is still found.
"""

from __future__ import annotations

from collections.abc import Collection

from schemas import (
    AuthenticationError,
    BadSymbol,
    Exchange,
    InsufficientFunds,
    InvalidOrder,
    NotSupported,
    Order,
    RateLimited,
)

__all__ = ["find_by_client_id", "refused"]

_REFUSALS = (InvalidOrder, InsufficientFunds, AuthenticationError, BadSymbol, NotSupported,
             RateLimited)


def refused(error: BaseException) -> bool:
    """Whether a failed write certainly left the venue unchanged (the venue refused it).

    Every other failure after sending means *outcome unknown* (see the module's policy).
    """
    return isinstance(error, _REFUSALS)


async def find_by_client_id(
    exchange: Exchange, symbol: str, client_ids: Collection[str]
) -> dict[str, Order]:
    """The market's orders carrying one of ``client_ids``, open ones first, then final
    ones (the final list is read only for ids not found open). Venue errors propagate:
    a failed lookup resolves nothing."""
    wanted = set(client_ids)
    found: dict[str, Order] = {}
    for order in await exchange.fetch_open_orders(symbol):
        cid = order.client_order_id
        if cid in wanted:
            found[cid] = order
    if len(found) < len(wanted):
        for order in await exchange.fetch_closed_orders(symbol):
            cid = order.client_order_id
            if cid in wanted and cid not in found:
                found[cid] = order
    return found
