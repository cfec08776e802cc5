"""Steps that every swap venue outside EVM takes the same way, written once.

A venue that speaks :class:`schemas.swap.SwapVenue` turns the exact amount of a quote into
the token's smallest units (an amount with more decimals than the token holds cannot
exist on chain: ``InvalidOrder``), refuses a request whose deadline has passed before
anything is sent, and, looking up a transaction it did not send in this process, tells
which token was spent and which received from the wallet's balance changes. A swap it
sent is settled the same way too: confirmed, then its receipt read; a swap not confirmed
in time, or whose transaction cannot be read yet, is *unknown*, never "not sent".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal

from schemas import ExchangeError, InvalidOrder
from schemas.money import MoneyError
from schemas.swap import (
    DeadlineExpired,
    SwapKind,
    SwapOutcomeUnknown,
    SwapReceipt,
    SwapRequest,
    Token,
)

__all__ = ["check_deadline", "exact_units", "settled", "swap_sides"]


def exact_units(kind: SwapKind, token_in: Token, token_out: Token, amount: Decimal, *,
                venue: str) -> int:
    """``amount`` of the exact side (the input for exact_in, the output for exact_out) in
    its token's smallest units; ``InvalidOrder`` when the token cannot hold it."""
    exact = token_in if kind is SwapKind.EXACT_IN else token_out
    try:
        return exact.to_units(amount)
    except MoneyError:
        raise InvalidOrder(f"{amount} has more than {exact.decimals} decimals, which "
                           f"{exact.symbol} cannot hold", venue=venue) from None


def check_deadline(request: SwapRequest, now: datetime, *, venue: str) -> None:
    """Refuse (nothing sent) a request whose deadline has passed."""
    if now >= request.deadline:
        raise DeadlineExpired(f"the deadline {request.deadline.isoformat()} has passed",
                              venue=venue)


async def swap_sides(sent: SwapRequest | None, moved: dict[str, int], tx_hash: str,
                     token: Callable[[str], Awaitable[Token]], *,
                     venue: str) -> tuple[Token, Token, SwapKind]:
    """(token in, token out, kind) of a swap: the request's when this process sent it, else
    the one token the wallet spent and the one it received (then read as exact_in)."""
    if sent is not None:
        return sent.token_in, sent.token_out, sent.kind
    spent = [address for address, delta in moved.items() if delta < 0]
    got = [address for address, delta in moved.items() if delta > 0]
    if len(spent) != 1 or len(got) != 1:
        raise ExchangeError(f"transaction {tx_hash} is not a swap of this wallet", venue=venue)
    return await token(spent[0]), await token(got[0]), SwapKind.EXACT_IN


async def settled(confirmed: bool, tx_hash: str,
                  receipt: Callable[[str], Awaitable[SwapReceipt | None]], *, waited: float,
                  venue: str) -> SwapReceipt:
    """The receipt of a sent swap the chain ``confirmed`` within ``waited`` seconds;
    :class:`SwapOutcomeUnknown` (look it up by ``tx_hash``) when it was not, or when its
    transaction cannot be read yet."""
    if not confirmed:
        raise SwapOutcomeUnknown(f"the swap was sent but not confirmed within {waited} s",
                                 tx_hash=tx_hash, venue=venue)
    found = await receipt(tx_hash)
    if found is None:
        raise SwapOutcomeUnknown("the swap is confirmed but its transaction cannot be read "
                                 "yet", tx_hash=tx_hash, venue=venue)
    return found
