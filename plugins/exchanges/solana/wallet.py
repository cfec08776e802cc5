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
from plugins.exchanges.solana.rpc import SolanaRpc
from schemas import AuthenticationError, ExchangeError

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

        text = self.args.private_key.get_secret_value().strip()
        try:
            if text.startswith("["):
                self._keypair = Keypair.from_bytes(bytes(json.loads(text)))
            else:
                self._keypair = Keypair.from_base58_string(text)
        except BaseException as error:  # solders raises pyo3 PanicException on some inputs
            if isinstance(error, (KeyboardInterrupt, SystemExit)):
                raise
            # The library's message may quote the key: say what is wrong, not what it was.
            raise AuthenticationError(
                "private_key is not a Solana keypair (expected the base58 string of 64 bytes "
                "or a JSON array of 64 numbers)", venue=self.name) from None

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
        if self._keypair is None:
            raise RuntimeError(f"{self.name} is not loaded")
        return self._keypair

    def __repr__(self) -> str:
        address = self._keypair.pubkey() if self._keypair is not None else "not loaded"
        return f"<SolanaWallet {self.name!r} {address}>"
