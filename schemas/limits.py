"""The :class:`RateBudget` interface: one request budget per API key, shared across processes.

A venue limits the requests of an API key, whoever sends them. Thirty mandates on one
account, each pacing itself to the venue's limit, send thirty times too much and get the
account banned. A budget component (``rate_limits.redis``) holds the key's budget where
every process sees it; a venue component that references one takes from it before every
request (``exchanges.ccxt.*``: ``rate_budget: "@budget"``).

The budget is keyed by the key's *identity*, never by the secret: :func:`key_identity`
hashes the venue and the API key (SHA-256), so the value never reaches the budget's store,
its logs or its metrics, while two mandates configured with the same key meet in one
budget whatever the key is called in their files.
"""

from __future__ import annotations

import abc
import hashlib

from fortuna import Interface

__all__ = ["RateBudget", "key_identity"]


class RateBudget(Interface, abc.ABC):
    """A request budget shared by every process that takes from the same key."""

    @abc.abstractmethod
    async def acquire(self, key: str, cost: int = 1) -> None:
        """Wait until ``cost`` requests fit in ``key``'s budget, then take them."""


def key_identity(venue: str, api_key: str | None) -> str:
    """The budget key of an API key on a venue: ``venue:`` and 16 hex digits of SHA-256.

    Without an API key (public endpoints only) the budget is the venue's ``public`` one.
    """
    if not api_key:
        return f"{venue}:public"
    digest = hashlib.sha256(f"fortuna-rate-budget\x1f{venue}\x1f{api_key}".encode()).hexdigest()
    return f"{venue}:{digest[:16]}"
