"""``exchanges.evm.wallet``: a private key that signs for one address, and its nonces.

The key is a ``SecretStr`` given with ``!env``: it is read once at load into an
``eth_account`` signer and never printed (a malformed key is reported without its
text). Every component that sends for this address shares the wallet and so its one
:class:`~plugins.exchanges._onchain.nonces.NonceManager`: two venues sending at once get
distinct nonces, and their approvals of one token to one router never overwrite each
other (:mod:`plugins.exchanges.evm._spending`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field, SecretStr

from fortuna import Component, ComponentArgs
from plugins.exchanges._onchain.endpoint import loaded, translated
from plugins.exchanges._onchain.keys import secret_key
from plugins.exchanges._onchain.nonces import NonceManager
from plugins.exchanges.evm._errors import rpc_error
from plugins.exchanges.evm._spending import SpendTracker
from plugins.exchanges.evm.chain import EvmChain

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

__all__ = ["EvmWallet", "EvmWalletArgs"]


class EvmWalletArgs(ComponentArgs):
    chain: EvmChain = Field(description="the chain the wallet signs for (@name)")
    private_key: SecretStr = Field(
        description="the account's private key, 0x and 64 hex digits; always `!env NAME`, "
        "never written in the file"
    )


class EvmWallet(Component[EvmWalletArgs]):
    """An EVM account: signs with a key given through !env, hands out nonces in order."""

    _account: LocalAccount | None = None
    _nonces: NonceManager | None = None
    spending: SpendTracker

    async def load(self) -> None:
        from eth_account import Account

        self._account = secret_key(
            self.args.private_key, Account.from_key,
            expected="a valid secp256k1 key (expected 0x and 64 hex digits)", venue=self.name)
        self._nonces = NonceManager(self._pending_count)
        self.spending = SpendTracker()
        """Allowances drawn by this wallet's swaps in flight (shared by every venue)."""

    async def unload(self) -> None:
        self._account = None
        self._nonces = None

    @property
    def address(self) -> str:
        """The checksummed address the key signs for."""
        return self._loaded()[0].address

    @property
    def nonces(self) -> NonceManager:
        return self._loaded()[1]

    def sign(self, transaction: dict[str, Any]) -> bytes:
        """The raw signed transaction (EIP-155: valid on the wallet's chain only)."""
        account, _ = self._loaded()
        signed = account.sign_transaction({**transaction, "chainId": self.args.chain.chain_id})
        return bytes(signed.raw_transaction)

    async def _pending_count(self) -> int:
        return int(await translated(self.args.chain.web3.eth.get_transaction_count(
            self._loaded()[0].address, "pending"), rpc_error, venue=self.name))

    def _loaded(self) -> tuple[LocalAccount, NonceManager]:
        return loaded(self._account, self.name), loaded(self._nonces, self.name)

    def __repr__(self) -> str:
        address = self._account.address if self._account is not None else "not loaded"
        return f"<EvmWallet {self.name!r} {address}>"
