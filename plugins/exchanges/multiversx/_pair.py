"""The xExchange pair contract: its committed ABI, its views, and what a swap transaction did.

``pair.abi.json`` beside this module is the part of the pair contract's ABI the venue uses
(the swap endpoints and the views, with their published names and types, from
multiversx/mx-exchange-sc ``dex/pair``); multiversx-sdk's ``Abi`` encodes the arguments and
decodes the answers with it.

A swap's outcome is read from the transaction's events, as the chain recorded them: every
``ESDTTransfer`` event (topics: token identifier, nonce, amount, receiver; the event's
address is the sender) that touches the wallet changes its balance of that token, so the
amounts a receipt reports are what moved, refunds included. A failed transaction carries
the contract's message in a ``signalError`` (or ``internalVMErrors``) event.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiversx_sdk import Address, TransactionOnNetwork
    from multiversx_sdk.abi import Abi

__all__ = ["ABI_PATH", "MAX_PERCENTAGE", "failure_reason", "pair_abi", "token_moves"]

ABI_PATH = Path(__file__).with_name("pair.abi.json")
MAX_PERCENTAGE = 100_000
"""The pair's fee percents are parts of 100,000 (300 = 0.3%)."""


@functools.cache
def pair_abi() -> Abi:
    from multiversx_sdk.abi import Abi

    return Abi.load(ABI_PATH)


def _events(transaction: TransactionOnNetwork) -> list[Any]:
    events = list(transaction.logs.events)
    for result in transaction.smart_contract_results:
        events.extend(result.logs.events)
    return events


def token_moves(transaction: TransactionOnNetwork, wallet: Address) -> dict[str, int]:
    """Each fungible token's net change of ``wallet``'s balance, smallest units."""
    from multiversx_sdk import Address

    moved: dict[str, int] = {}
    owner = wallet.get_public_key()
    for event in _events(transaction):
        if event.identifier != "ESDTTransfer" or len(event.topics) < 4:
            continue
        token = event.topics[0].decode()
        amount = int.from_bytes(event.topics[2], "big")
        receiver = event.topics[3]
        sender = event.address.get_public_key() if isinstance(event.address, Address) else b""
        if receiver == owner:
            moved[token] = moved.get(token, 0) + amount
        if sender == owner:
            moved[token] = moved.get(token, 0) - amount
    return moved


def failure_reason(transaction: TransactionOnNetwork) -> str:
    """The contract's (or the protocol's) message for a failed transaction."""
    for event in _events(transaction):
        if event.identifier in ("signalError", "internalVMErrors") and len(event.topics) > 1:
            said = bytes(event.topics[1]).decode(errors="replace")
            if said:
                return said
    return f"the transaction failed ({transaction.status.status!s})"
