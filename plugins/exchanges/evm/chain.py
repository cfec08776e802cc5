"""``exchanges.evm.chain``: one EVM chain through a JSON-RPC endpoint, its id checked at load.

Every EVM component (venues, wallets, pool prices) reads and sends through one chain
component, so a mandate names its endpoint once. The chain id the node reports is compared
with the mandate's at load: a mandate written for BNB Chain never signs a transaction for
Ethereum because a URL was pasted wrong (an EIP-155 signature is only valid on one chain,
but a read from the wrong chain would still quote a wrong price).

The client is web3.py's asynchronous one (``AsyncWeb3`` over ``AsyncHTTPProvider``),
imported in :meth:`EvmChain.load`. RPC failures become the project's errors at this edge
(:func:`plugins.exchanges.evm._errors.rpc_error`): a refused connection or a timeout is
retryable, a node that answers with an error is not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from fortuna import Component, ComponentArgs, Duration
from plugins.exchanges._onchain.endpoint import identified, loaded, translated
from plugins.exchanges.evm._errors import rpc_error
from schemas import ExchangeError

if TYPE_CHECKING:
    from web3 import AsyncWeb3

__all__ = ["ChainMismatch", "EvmChain", "EvmChainArgs"]


class ChainMismatch(ExchangeError):
    """The node serves another chain than the mandate names."""

    summary = "the RPC endpoint serves another chain"


class EvmChainArgs(ComponentArgs):
    url: str = Field(
        min_length=1, pattern=r"^https?://",
        description="JSON-RPC endpoint over HTTP(S), e.g. http://127.0.0.1:8545 or a provider "
        "URL (put a URL carrying an API key in an !env variable)",
    )
    chain_id: int = Field(
        ge=1, description="the chain id the endpoint must serve: 1 Ethereum, 56 BNB Chain, "
        "137 Polygon, 31337 a local anvil node",
    )
    native_currency: str = Field(
        default="ETH", min_length=1, description="the native coin that pays gas: ETH, BNB, POL"
    )
    timeout: Duration = Field(default=10.0, gt=0, description="time allowed for one RPC call")
    poll_interval: Duration = Field(
        default=0.1, gt=0,
        description="how often a sent transaction's receipt is polled (wall time)"
    )
    confirm_timeout: Duration = Field(
        default=120.0, gt=0,
        description="how long to wait for a sent transaction to be mined before reporting its "
        "outcome as unknown (it may still be mined later); wall time, even on a virtual clock",
    )


class EvmChain(Component[EvmChainArgs]):
    """An EVM chain through a JSON-RPC endpoint (web3.py async); chain id checked at load."""

    _web3: AsyncWeb3[Any] | None = None

    async def load(self) -> None:
        from web3 import AsyncHTTPProvider, AsyncWeb3

        provider = AsyncHTTPProvider(
            self.args.url, request_kwargs={"timeout": self.args.timeout}
        )
        web3 = AsyncWeb3(provider)
        await identified(
            translated(web3.eth.chain_id, rpc_error, venue=self.name), self.args.chain_id,
            mismatch=lambda served: ChainMismatch(
                f"the endpoint serves chain {served}, the mandate names chain "
                f"{self.args.chain_id}; check the url or the chain_id", venue=self.name),
            close=provider.disconnect)
        self._web3 = web3

    async def unload(self) -> None:
        if self._web3 is not None:
            await self._web3.provider.disconnect()
            self._web3 = None

    @property
    def web3(self) -> AsyncWeb3[Any]:
        """The connected client (only while loaded)."""
        return loaded(self._web3, self.name)

    @property
    def chain_id(self) -> int:
        return self.args.chain_id

    @property
    def native_currency(self) -> str:
        return self.args.native_currency
