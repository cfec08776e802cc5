"""``exchanges.multiversx.proxy``: a MultiversX network through its proxy API, chain id checked.

Every MultiversX component (wallets, xExchange venues and prices) reads and sends through
one proxy component, so a mandate names its endpoint once. At load the chain id the proxy
reports (``/network/config``) is compared with ``chain_id``: a mandate written for mainnet
(``1``) never signs for devnet (``D``) because a URL was pasted wrong; the same network
configuration gives the gas price and the shard count.

The client is multiversx-sdk's ``ProxyNetworkProvider``, which is synchronous (``requests``):
each call runs in a worker thread, so a slow proxy never stalls the event loop, and its
failures are translated into the project's errors (:mod:`._errors`). The SDK's own retries
are off: retrying is the caller's decision, made on ``ExchangeError.retryable``.

A sent transaction is confirmed by polling its process status until it is completed
(executed or failed) or ``confirm_timeout`` passes, which is reported as *unknown* by the
caller, never as "not sent": the transaction is in the pool and may still execute.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import Field

from fortuna import Component, ComponentArgs, Duration
from plugins.exchanges._onchain.endpoint import loaded, poll, translated
from plugins.exchanges.multiversx._errors import proxy_error, refusal
from schemas import ExchangeError, NetworkError

if TYPE_CHECKING:
    from multiversx_sdk import (
        Address,
        NetworkConfig,
        ProxyNetworkProvider,
        SmartContractQuery,
        SmartContractQueryResponse,
        Transaction,
        TransactionOnNetwork,
    )

__all__ = ["EGLD_DECIMALS", "ChainMismatch", "MultiversXProxy", "MultiversXProxyArgs",
           "SendUncertain"]

EGLD_DECIMALS = 18
"""1 EGLD = 10**18 of its smallest unit."""
ESDT_SYSTEM_CONTRACT = "erd1qqqqqqqqqqqqqqqpqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqzllls8a5w6u"

T = TypeVar("T")


class ChainMismatch(ExchangeError):
    """The proxy serves another chain than the mandate names."""

    summary = "the proxy serves another chain"


class SendUncertain(NetworkError):
    """A transaction was sent but the proxy's answer was lost: it may have been accepted."""

    summary = "the proxy's answer to a sent transaction was lost"


class MultiversXProxyArgs(ComponentArgs):
    url: str = Field(
        min_length=1, pattern=r"^https?://",
        description="proxy API base URL, e.g. https://gateway.multiversx.com (mainnet) or "
        "https://devnet-gateway.multiversx.com",
    )
    chain_id: str = Field(
        min_length=1, max_length=8,
        description="chain id the proxy must serve: '1' mainnet, 'D' devnet, 'T' testnet",
    )
    timeout: Duration = Field(default=10.0, gt=0, description="time allowed for one request")
    poll_interval: Duration = Field(
        default=1.0, gt=0, description="how often a sent transaction's status is polled"
    )
    confirm_timeout: Duration = Field(
        default=60.0, gt=0,
        description="how long to wait for a sent transaction to complete before reporting "
        "its outcome as unknown (it may still execute)",
    )


class MultiversXProxy(Component[MultiversXProxyArgs]):
    """A MultiversX network through its proxy API (multiversx-sdk, off the event loop)."""

    _provider: ProxyNetworkProvider | None = None
    _config: NetworkConfig | None = None

    async def load(self) -> None:
        from multiversx_sdk import NetworkProviderConfig, ProxyNetworkProvider
        from multiversx_sdk.network_providers.config import RequestsRetryOptions

        provider = ProxyNetworkProvider(
            self.args.url.rstrip("/"),
            config=NetworkProviderConfig(
                client_name="fortuna",
                requests_options={"timeout": self.args.timeout},
                requests_retry_options=RequestsRetryOptions(retries=0)))
        config = await self._call(provider.get_network_config)
        if config.chain_id != self.args.chain_id:
            raise ChainMismatch(
                f"the proxy serves chain {config.chain_id!r}, the mandate names "
                f"{self.args.chain_id!r}; check the url or the chain_id", venue=self.name)
        self._provider, self._config = provider, config

    async def unload(self) -> None:
        self._provider = self._config = None

    @property
    def native_currency(self) -> str:
        return "EGLD"

    @property
    def provider(self) -> ProxyNetworkProvider:
        return loaded(self._provider, self.name)

    @property
    def network(self) -> NetworkConfig:
        """The network configuration read at load (gas price, shards)."""
        return loaded(self._config, self.name)

    async def _call(self, function: Callable[..., T], *args: Any) -> T:
        return await translated(asyncio.to_thread(function, *args), proxy_error,
                                venue=self.name)

    # -- reads -----------------------------------------------------------------------------

    async def query(self, query: SmartContractQuery) -> SmartContractQueryResponse:
        """Run a contract view (``/vm-values/query``); the answer's return code unchecked."""
        return await self._call(self.provider.query_contract, query)

    async def _account(self, address: Address) -> dict[str, Any]:
        """``/address/<bech32>``'s account. (The SDK's ``get_account`` also fetches the
        guardian data in a thread of its own, whose failure it cannot report: not used.)"""
        answer = await self._call(self.provider.do_get_generic,
                                  f"address/{address.to_bech32()}")
        account = answer.get("account")
        if not isinstance(account, dict):
            raise ExchangeError(f"the proxy's answer for {address.to_bech32()} holds no "
                                "account", venue=self.name)
        return account

    async def nonce(self, address: Address) -> int:
        """The account's next nonce, as the network counts it."""
        return int((await self._account(address)).get("nonce") or 0)

    async def egld(self, address: Address) -> int:
        """The account's EGLD balance, in its smallest unit."""
        return int((await self._account(address)).get("balance") or 0)

    async def esdt(self, address: Address, identifier: str) -> int:
        """The account's balance of the fungible ESDT ``identifier``, smallest units."""
        from multiversx_sdk import Token

        held = await self._call(self.provider.get_token_of_account, address, Token(identifier))
        return int(held.amount)

    async def decimals(self, identifier: str) -> int:
        """The ESDT's number of decimals, from its properties (``getTokenProperties`` on the
        ESDT system contract: ``NumDecimals-<n>`` among the answer's parts)."""
        from multiversx_sdk import Address, SmartContractQuery

        answer = await self.query(SmartContractQuery(
            contract=Address.new_from_bech32(ESDT_SYSTEM_CONTRACT),
            function="getTokenProperties", arguments=[identifier.encode()]))
        if answer.return_code != "ok":
            raise ExchangeError(f"the ESDT system contract does not know {identifier!r}: "
                                f"{answer.return_message or answer.return_code}",
                                venue=self.name)
        for part in answer.return_data_parts[5:]:
            name, _, value = part.decode(errors="replace").partition("-")
            if name == "NumDecimals" and value.isdigit():
                return int(value)
        raise ExchangeError(f"the properties of {identifier!r} carry no NumDecimals",
                            venue=self.name)

    async def block_nonce(self, address: Address) -> int:
        """The latest block nonce of the shard that holds ``address``."""
        from multiversx_sdk import AddressComputer

        shard = AddressComputer(self.network.num_shards).get_shard_of_address(address)
        status = await self._call(self.provider.get_network_status, shard)
        return int(status.block_nonce)

    # -- transactions ----------------------------------------------------------------------

    async def send(self, transaction: Transaction) -> None:
        """Send a signed transaction. A refusal by the proxy means nothing was sent;
        :class:`SendUncertain` means the answer was lost (it may have been accepted)."""
        from multiversx_sdk.network_providers.errors import NetworkProviderError

        try:
            await asyncio.to_thread(self.provider.send_transaction, transaction)
        except Exception as error:
            data = error.data if isinstance(error, NetworkProviderError) else error
            # Only the proxy's own refusal (its envelope, code bad_request) says nothing was
            # sent; a timeout, a reset or a gateway's 5xx page may hide an acceptance.
            if isinstance(data, dict) and data.get("code") == "bad_request":
                raise refusal(error, venue=self.name) from error
            said = data if isinstance(data, (BaseException, str)) else str(data)[:300]
            raise SendUncertain(f"no readable answer to /transaction/send: {said}",
                                venue=self.name) from error

    async def transaction(self, tx_hash: str) -> TransactionOnNetwork | None:
        """The transaction with its results and status; None while the network does not
        know it."""
        try:
            return await self._call(self.provider.get_transaction, tx_hash)
        except ExchangeError as error:
            if "not found" in error.message.lower():
                return None
            raise

    async def completed(self, tx_hash: str) -> bool | None:
        """Whether the transaction has completed (executed or failed); None if unknown."""
        try:
            status = await self._call(self.provider.get_transaction_status, tx_hash)
        except ExchangeError:
            return None
        return bool(status.is_completed)

    async def confirm(self, tx_hash: str) -> bool:
        """Poll until the transaction completes; False if it does not within
        ``confirm_timeout`` (its outcome is then unknown, not failed)."""
        async def done() -> bool | None:
            return True if await self.completed(tx_hash) else None

        return await poll(done, every=self.args.poll_interval,
                          within=self.args.confirm_timeout) is not None
