"""``exchanges.solana.rpc``: a Solana cluster through a JSON-RPC endpoint, its genesis checked.

Every Solana component (the Jupiter venue, wallets, Raydium prices) reads and sends through
one RPC component, so a mandate names its endpoint once. When ``genesis_hash`` is given the
hash the node reports is compared with it at load: a mandate written for mainnet-beta never
signs for devnet because a URL was pasted wrong.

The client is solana-py's ``AsyncClient`` (imported in :meth:`SolanaRpc.load`); every answer
is parsed into solders' types. Reads use the ``commitment`` configured; a sent transaction
is confirmed by polling ``getSignatureStatuses`` until it reaches that commitment, or
``confirm_timeout`` passes, which is reported as *outcome unknown* (the transaction may still
land until its blockhash expires), never as "failed".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from pydantic import Field

from fortuna import Component, ComponentArgs, Duration
from plugins.exchanges._onchain.endpoint import identified, loaded, poll, translated
from plugins.exchanges.solana._errors import rpc_error, send_error, unreadable
from schemas import ExchangeError, NetworkError, OrderNotFound

if TYPE_CHECKING:
    from solana.rpc.async_api import AsyncClient
    from solders.transaction_status import TransactionStatus

__all__ = ["Account", "ClusterMismatch", "SendUncertain", "SolanaRpc", "SolanaRpcArgs"]

LAMPORTS_DECIMALS = 9
"""1 SOL = 10**9 lamports."""


class Account(NamedTuple):
    """An account's raw data and the program that owns it (base58)."""

    data: bytes
    owner: str


class ClusterMismatch(ExchangeError):
    """The node serves another cluster than the mandate names."""

    summary = "the RPC endpoint serves another cluster"


class SendUncertain(NetworkError):
    """A transaction was sent but the node's answer was lost: it may have been accepted."""

    summary = "the node's answer to a sent transaction was lost"


class SolanaRpcArgs(ComponentArgs):
    url: str = Field(
        min_length=1, pattern=r"^https?://",
        description="JSON-RPC endpoint over HTTP(S), e.g. https://api.mainnet-beta.solana.com "
        "or a provider URL (put a URL carrying an API key in an !env variable)",
    )
    genesis_hash: str | None = Field(
        default=None, pattern=r"^[1-9A-HJ-NP-Za-km-z]{32,44}$",
        description="base58 genesis hash the endpoint must serve (mainnet-beta: "
        "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d); null: not checked",
    )
    commitment: Literal["processed", "confirmed", "finalized"] = Field(
        default="confirmed",
        description="how settled a read or a sent transaction must be: confirmed (voted by a "
        "supermajority) is the usual choice; finalized is slower and rollback-proof",
    )
    timeout: Duration = Field(default=10.0, gt=0, description="time allowed for one RPC call")
    poll_interval: Duration = Field(
        default=0.4, gt=0, description="how often a sent transaction's status is polled"
    )
    confirm_timeout: Duration = Field(
        default=60.0, gt=0,
        description="how long to wait for a sent transaction to reach the commitment before "
        "reporting its outcome as unknown (it may still land until its blockhash expires)",
    )


class SolanaRpc(Component[SolanaRpcArgs]):
    """A Solana cluster through a JSON-RPC endpoint (solana-py async); genesis checked."""

    _client: AsyncClient | None = None

    async def load(self) -> None:
        from solana.rpc.async_api import AsyncClient
        from solana.rpc.commitment import Commitment

        client = AsyncClient(self.args.url, commitment=Commitment(self.args.commitment),
                             timeout=self.args.timeout)

        async def genesis() -> str:
            return str((await self.call(client.get_genesis_hash())).value)

        await identified(
            genesis(), self.args.genesis_hash, mismatch=lambda served: ClusterMismatch(
                f"the endpoint's genesis hash is {served}, the mandate names "
                f"{self.args.genesis_hash}; check the url or the genesis_hash", venue=self.name),
            close=client.close)
        self._client = client

    async def unload(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.close()

    @property
    def client(self) -> AsyncClient:
        """The connected client (only while loaded)."""
        return loaded(self._client, self.name)

    @property
    def native_currency(self) -> str:
        return "SOL"

    async def call(self, request: Any) -> Any:
        """Await one client call, its failure translated into the project's errors."""
        return await translated(request, rpc_error, venue=self.name, also=unreadable)

    async def accounts(self, addresses: list[str]) -> tuple[list[Account | None], int]:
        """Each account's data and owning program (None where none exists) and the slot
        they are from, read in one request so they are consistent with each other."""
        from solders.pubkey import Pubkey

        keys = [Pubkey.from_string(address) for address in addresses]
        answer = await self.call(self.client.get_multiple_accounts(keys))
        return ([None if a is None else Account(bytes(a.data), str(a.owner))
                 for a in answer.value], int(answer.context.slot))

    async def lamports(self, address: str) -> int:
        from solders.pubkey import Pubkey

        return int((await self.call(self.client.get_balance(Pubkey.from_string(address)))).value)

    async def send(self, raw: bytes) -> str:
        """Send a signed transaction; its signature. A refusal by the node means nothing was
        sent; :class:`SendUncertain` means the answer was lost (it may have been accepted)."""
        from solana.rpc.commitment import Commitment
        from solana.rpc.core import RPCException
        from solana.rpc.models import TxOpts

        options = TxOpts(skip_confirmation=True,
                         preflight_commitment=Commitment(self.args.commitment))
        try:
            return str((await self.client.send_raw_transaction(raw, opts=options)).value)
        except BaseException as error:
            if not isinstance(error, Exception) and not unreadable(error):
                raise
            if isinstance(error, RPCException):
                raise send_error(error, venue=self.name) from error
            # No readable answer: the node may have accepted it, so its fate is unknown.
            raise SendUncertain(
                f"no readable answer to sendTransaction: {rpc_error(error).message}",
                venue=self.name) from error

    async def status(self, signature: str) -> TransactionStatus | None:
        """The signature's status, None while the cluster does not know it."""
        answer = await self.call(self.client.get_signature_statuses(
            [self._signature(signature)], search_transaction_history=True))
        status: TransactionStatus | None = answer.value[0]
        return status

    def _signature(self, text: str) -> Any:
        from solders.signature import Signature

        try:
            return Signature.from_string(text)
        except ValueError:
            raise OrderNotFound(f"{text!r} is not a transaction signature (base58 of 64 bytes)",
                                venue=self.name) from None

    def settled(self, status: TransactionStatus) -> bool:
        """Whether ``status`` has reached the configured commitment."""
        order = ("processed", "confirmed", "finalized")
        reached = str(status.confirmation_status or "processed").rsplit(".", 1)[-1].lower()
        return order.index(reached) >= order.index(self.args.commitment)

    async def confirm(self, signature: str) -> TransactionStatus | None:
        """Poll until the transaction is settled; None if it is not within confirm_timeout."""
        async def reached() -> TransactionStatus | None:
            try:
                status = await self.status(signature)
            except ExchangeError:
                return None  # the node unreachable for a moment: keep waiting, then unknown
            return status if status is not None and self.settled(status) else None

        return await poll(reached, every=self.args.poll_interval,
                          within=self.args.confirm_timeout)

    async def transaction(self, signature: str) -> Any:
        """The transaction with its status meta (solders' type), None if not known."""
        answer = await self.call(self.client.get_transaction(
            self._signature(signature), encoding="base64",
            max_supported_transaction_version=0))
        return answer.value
