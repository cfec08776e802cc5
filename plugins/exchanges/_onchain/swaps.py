"""A swap request's amounts and the chain's refusals, read the same way by every family.

A :class:`~schemas.swap.SwapRequest` names an exact amount (the input of an exact_in swap,
the output of an exact_out one) and a bound on the other side (the least out, the most
in). Every venue turns both into the tokens' smallest units (:func:`request_units`),
checks a fresh quote against the bound before sending (:func:`check_bound`: a request the
pool can no longer meet is refused with nothing sent), and reads a refusal on chain into
the :class:`~schemas.swap.SwapReverted` case that the chain's words describe
(:func:`revert_kind`, from the family's own table of marks). Where the chain records a
swap as the wallet's balance changes (Solana's token balances, MultiversX's ESDT
transfers), the receipt's amounts are those changes (:func:`moved_receipt`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal

from plugins.exchanges._onchain.steps import swap_sides
from schemas.swap import (
    SlippageExceeded,
    SwapKind,
    SwapReceipt,
    SwapRequest,
    SwapReverted,
    Token,
)

__all__ = ["RevertMarks", "check_bound", "moved_receipt", "request_units", "revert_kind"]

RevertMarks = tuple[tuple[tuple[str, ...], type[SwapReverted]], ...]
"""A family's table: the words that mark each :class:`SwapReverted` case, first match wins."""


def request_units(request: SwapRequest) -> tuple[int, int]:
    """(exact units, bound units) of ``request``: (in, least out) for exact_in, (out, most
    in) for exact_out."""
    if request.kind is SwapKind.EXACT_IN:
        return request.token_in.to_units(request.amount), request.token_out.to_units(
            request.limit)
    return request.token_out.to_units(request.amount), request.token_in.to_units(request.limit)


def check_bound(kind: SwapKind, quoted: int, bound: int, *, source: str, venue: str) -> None:
    """Refuse (nothing sent) a fresh quote of ``quoted`` units on the bounded side that
    breaks the request's ``bound``: fewer out than the least (exact_in), more in than the
    most (exact_out). ``source`` opens the message ("the pair now gives")."""
    exact_in = kind is SwapKind.EXACT_IN
    if (quoted < bound) if exact_in else (quoted > bound):
        raise SlippageExceeded(f"{source} {'out' if exact_in else 'in'} {quoted} units, the "
                               f"request's bound is {bound}", venue=venue)


def revert_kind(reason: str, marks: RevertMarks, *, fold_case: bool = False
                ) -> type[SwapReverted]:
    """The :class:`SwapReverted` case whose marks ``reason`` contains (compared without case
    when ``fold_case``); :class:`SwapReverted` itself when none does."""
    said = reason.lower() if fold_case else reason
    for words, kind in marks:
        if any((word.lower() if fold_case else word) in said for word in words):
            return kind
    return SwapReverted


async def moved_receipt(sent: SwapRequest | None, moved: dict[str, int], tx_hash: str,
                        token: Callable[[str], Awaitable[Token]], *, venue: str, pool: str,
                        gas_used: int, gas_cost: Decimal, native_currency: str, block: int,
                        timestamp: datetime) -> SwapReceipt:
    """The receipt of a swap from the wallet's balance changes (``moved``: units per token
    address, negative where spent): its sides are the request's when this process ``sent``
    it, else the one token spent and the one received."""
    token_in, token_out, kind = await swap_sides(sent, moved, tx_hash, token, venue=venue)
    return SwapReceipt(
        venue=venue, pool=pool, kind=kind, token_in=token_in, token_out=token_out,
        amount_in=token_in.from_units(-moved.get(token_in.address, 0)),
        amount_out=token_out.from_units(moved.get(token_out.address, 0)), gas_used=gas_used,
        gas_cost=gas_cost, native_currency=native_currency, block=block, tx_hash=tx_hash,
        timestamp=timestamp)
