"""One wallet's nonces, handed out in order to every sender that shares the wallet.

Shared by the EVM wallet (the node's count of the address's pending transactions) and the
MultiversX wallet (the proxy's account nonce): both count transactions per sender.

A nonce is taken and its transaction sent under one lock: the next sender waits only for
the send (one RPC call), never for the previous transaction to be mined. When the send
fails, the node may or may not have taken the transaction, so the next nonce is read from
the node again (its count of pending transactions) rather than guessed; the same happens
after a transaction is found dropped (:meth:`NonceManager.resync`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

__all__ = ["NonceManager"]


class NonceManager:
    """Distinct, consecutive nonces for one address, whoever sends."""

    def __init__(self, pending_count: Callable[[], Awaitable[int]]) -> None:
        self._pending_count = pending_count
        self._lock = asyncio.Lock()
        self._next: int | None = None

    @asynccontextmanager
    async def reserve(self) -> AsyncIterator[int]:
        """The next nonce, held until the block exits: send the transaction inside it."""
        async with self._lock:
            if self._next is None:
                self._next = await self._pending_count()
            nonce = self._next
            try:
                yield nonce
            except BaseException:
                self._next = None  # did the node take it? ask it next time
                raise
            self._next = nonce + 1

    def resync(self) -> None:
        """Forget the local count: the next reservation reads it from the node."""
        self._next = None
