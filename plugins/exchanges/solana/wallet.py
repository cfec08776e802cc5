"""``exchanges.solana.wallet``: an ed25519 keypair that signs for one Solana account.

The key is a ``SecretStr`` given with ``!env``: either the base58 string of the 64-byte
keypair (what Phantom and ``solana-keygen`` export) or the JSON array of its 64 bytes (a
``solana-keygen`` key file's content). It is read once at load and never printed (a
malformed key is reported without its text).

A transaction someone else built (Jupiter's swap transaction) is signed in the wallet's own
signature slot only, after checking the wallet is among its required signers; the other
signatures it carries are kept as they are.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from pydantic import Field, SecretStr

from fortuna import Component, ComponentArgs
from plugins.exchanges._onchain.endpoint import loaded
from plugins.exchanges._onchain.keys import secret_key
from plugins.exchanges.solana.rpc import SolanaRpc
from schemas import ExchangeError

if TYPE_CHECKING:
    from solders.keypair import Keypair
    from solders.transaction import VersionedTransaction

__all__ = ["SolanaWallet", "SolanaWalletArgs"]


class SolanaWalletArgs(ComponentArgs):
    rpc: SolanaRpc = Field(description="the cluster the wallet signs for (@name)")
    private_key: SecretStr = Field(
        description="the 64-byte keypair, base58 or a JSON array of 64 numbers (a "
        "solana-keygen file's content); always `!env NAME`, never written in the file"
    )


class SolanaWallet(Component[SolanaWalletArgs]):
    """A Solana account: signs with a key given through !env, in its own slot only."""

    _keypair: Keypair | None = None

    async def load(self) -> None:
        from solders.keypair import Keypair

        def parse(text: str) -> Keypair:
            text = text.strip()
            if text.startswith("["):
                return Keypair.from_bytes(bytes(json.loads(text)))
            return Keypair.from_base58_string(text)

        self._keypair = secret_key(
            self.args.private_key, parse, expected="a Solana keypair (expected the base58 "
            "string of 64 bytes or a JSON array of 64 numbers)", venue=self.name)

    async def unload(self) -> None:
        self._keypair = None

    @property
    def address(self) -> str:
        """The account's public key, base58."""
        return str(self._loaded().pubkey())

    def sign(self, transaction: VersionedTransaction) -> VersionedTransaction:
        """``transaction`` with the wallet's signature in its slot, the others untouched.
        Refused when the wallet is not one of its required signers."""
        from solders.message import to_bytes_versioned
        from solders.transaction import VersionedTransaction

        keypair = self._loaded()
        message = transaction.message
        signers = list(message.account_keys[: message.header.num_required_signatures])
        if keypair.pubkey() not in signers:
            raise ExchangeError(
                f"the transaction does not need this wallet's signature ({keypair.pubkey()} "
                "is not among its signers); refusing to sign it", venue=self.name)
        signatures = list(transaction.signatures)
        signatures[signers.index(keypair.pubkey())] = keypair.sign_message(
            to_bytes_versioned(message))
        return VersionedTransaction.populate(message, signatures)

    def _loaded(self) -> Keypair:
        return loaded(self._keypair, self.name)

    def __repr__(self) -> str:
        address = self._keypair.pubkey() if self._keypair is not None else "not loaded"
        return f"<SolanaWallet {self.name!r} {address}>"
