"""Allowances under concurrency: what a wallet's swaps in flight will still draw.

ERC-20 ``approve`` sets an allowance, it does not add to one. Two swaps of the same token
through the same router, prepared at once, would each read the allowance, each approve
their own input, and the second approval would overwrite the first: one swap would then
fail on chain. So, per (token, spender), one swap at a time checks the allowance and sends
(the lock is held until the transaction is sent, not mined), and the approval covers the
inputs of the swaps already in flight plus its own.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

__all__ = ["SpendTracker"]


class SpendTracker:
    """Per (token, spender): a send lock and the units swaps in flight may still draw."""

    def __init__(self) -> None:
        self._locks: defaultdict[tuple[str, str], asyncio.Lock] = defaultdict(asyncio.Lock)
        self._in_flight: defaultdict[tuple[str, str], int] = defaultdict(int)

    @asynccontextmanager
    async def sending(self, token: str, spender: str, units: int) -> AsyncIterator[int]:
        """Hold the pair's lock; yield the units in flight before this swap. When the block
        exits normally (the swap was sent), ``units`` count as in flight until
        :meth:`done`."""
        key = (token.lower(), spender.lower())
        async with self._locks[key]:
            yield self._in_flight[key]
            self._in_flight[key] += units

    def done(self, token: str, spender: str, units: int) -> None:
        """The swap is mined (or will never be): its units no longer count."""
        key = (token.lower(), spender.lower())
        self._in_flight[key] = max(self._in_flight[key] - units, 0)
