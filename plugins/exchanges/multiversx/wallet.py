"""``exchanges.multiversx.wallet``: an ed25519 key that signs for one MultiversX account.

The key is a ``SecretStr`` given with ``!env``: either the 32-byte secret key in hex (64
characters) or the text of a PEM wallet file (``-----BEGIN PRIVATE KEY for erd1...``, as
``mxpy wallet new --format pem`` writes it). It is read once at load and never printed (a
malformed key is reported without its text).

A transaction is signed over the bytes the protocol defines (the SDK's
``TransactionComputer.compute_bytes_for_signing``: the JSON of its fields, in the protocol's
order). Nonces are handed out by one :class:`NonceManager` per wallet, so two venues
sharing the wallet never reuse one; after a failed send the next nonce is read from the
network again (the proxy's account nonce), never guessed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from pydantic import Field, SecretStr

from fortuna import Component, ComponentArgs
from plugins.exchanges._onchain.endpoint import loaded
from plugins.exchanges._onchain.keys import secret_key
from plugins.exchanges._onchain.nonces import NonceManager
from plugins.exchanges.multiversx.proxy import MultiversXProxy
from schemas import AuthenticationError

if TYPE_CHECKING:
    from multiversx_sdk import Address, Transaction, UserSecretKey

__all__ = ["MultiversXWallet", "MultiversXWalletArgs"]


class MultiversXWalletArgs(ComponentArgs):
    proxy: MultiversXProxy = Field(description="the network the wallet signs for (@name)")
    private_key: SecretStr = Field(
        description="the 32-byte secret key in hex, or a PEM wallet file's text; always "
        "`!env NAME`, never written in the file"
    )


class MultiversXWallet(Component[MultiversXWalletArgs]):
    """A MultiversX account: signs with a key given through !env; its nonces in order."""

    _key: UserSecretKey | None = None
    _address: Address | None = None
    _nonces: NonceManager | None = None

    async def load(self) -> None:
        from multiversx_sdk import UserPEM, UserSecretKey

        def parse(text: str) -> tuple[UserSecretKey, Address]:
            text = text.strip()
            if text.startswith("-----BEGIN"):
                key = UserPEM.from_text(text).secret_key
            else:
                key = UserSecretKey(bytes.fromhex(text.removeprefix("0x")))
            return key, key.generate_public_key().to_address("erd")

        key, address = secret_key(
            self.args.private_key, parse, expected="a MultiversX secret key (expected 64 hex "
            "characters or a PEM wallet file's text)", venue=self.name)
        self._key, self._address = key, address
        self._nonces = NonceManager(lambda: self.args.proxy.nonce(address))

    async def unload(self) -> None:
        self._key = self._address = self._nonces = None

    @property
    def address(self) -> Address:
        """The account's address."""
        return loaded(self._address, self.name)

    @asynccontextmanager
    async def nonce(self) -> AsyncIterator[int]:
        """The next nonce, held until the block exits: sign and send inside it. When the
        block raises, the next one is read from the network again."""
        async with loaded(self._nonces, self.name).reserve() as nonce:
            yield nonce

    def resync(self) -> None:
        """Forget the local nonce count: the next one is read from the network."""
        if self._nonces is not None:
            self._nonces.resync()

    def sign(self, transaction: Transaction) -> None:
        """Sign ``transaction`` (sent by this account) in place."""
        from multiversx_sdk import TransactionComputer

        key = loaded(self._key, self.name)
        if transaction.sender != self.address:
            raise AuthenticationError(
                f"the transaction's sender is {transaction.sender.to_bech32()}, this wallet "
                f"is {self.address.to_bech32()}; refusing to sign it", venue=self.name)
        transaction.signature = key.sign(
            TransactionComputer().compute_bytes_for_signing(transaction))

    def __repr__(self) -> str:
        address = self._address.to_bech32() if self._address is not None else "not loaded"
        return f"<MultiversXWallet {self.name!r} {address}>"
