"""What an on-chain swap venue is before it is any chain's: named, and a wallet or not.

A venue's name (``SwapVenue.venue``) is its component's name. A venue configured without a
wallet quotes and prices but cannot swap: :func:`wallet_of` refuses, with the venue's own
words and nothing sent, any step that needs the wallet.
"""

from __future__ import annotations

from typing import TypeVar

from schemas import NotSupported

__all__ = ["NamedVenue", "wallet_of"]

W = TypeVar("W")


class NamedVenue:
    """Mixin (first among the bases): the venue is called by its component's name."""

    name: str

    @property
    def venue(self) -> str:
        return self.name


def wallet_of(wallet: W | None, refusal: str, *, venue: str) -> W:
    """``wallet``; :class:`NotSupported` saying ``refusal`` when the venue has none."""
    if wallet is None:
        raise NotSupported(refusal, venue=venue)
    return wallet
