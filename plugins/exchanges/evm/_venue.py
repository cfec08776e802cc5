"""What every EVM swap venue shares: tokens, balances, allowances, sending a swap, receipts.

A concrete venue (Uniswap v2 and its forks, Uniswap v3, Algebra) supplies what is its
own: which pool serves a pair, the exact amounts of a swap and the price from that pool's
state (:meth:`EvmSwapVenue._amounts`, :meth:`EvmSwapVenue._pool_price`), and the calldata
of a bounded swap for its router (:meth:`EvmSwapVenue._swap_call`). This base does the rest
the same way for all of them (the quote's block, gas and errors included):

- before sending: the deadline has not passed, the wallet holds the input (the maximum
  input for an exact output), and the spender may move it. Each failure is reported with
  nothing sent. The allowance granted is exactly the swap's maximum input, or the
  configured cap for that token when larger; never unlimited unless a cap says so.
- after mining: the amounts are read from the ERC-20 ``Transfer`` logs of the receipt (what
  the chain did, not what was asked), the gas cost from ``gasUsed x effectiveGasPrice``.

Without a wallet the venue is read-only: quotes and prices work, swaps are refused.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import Field

from fortuna import Component, ComponentArgs, ExactDecimal
from plugins.exchanges._onchain.endpoint import translated
from plugins.exchanges._onchain.steps import check_deadline
from plugins.exchanges._onchain.venue import NamedVenue, wallet_of
from plugins.exchanges.evm._abi import ERC20, exact_out_selectors
from plugins.exchanges.evm._errors import revert_error, rpc_error
from plugins.exchanges.evm._logs import (
    V3_SWAP_EVENT,
    trades,
    transferred,
    v3_deltas,
    wallet_transfers,
)
from plugins.exchanges.evm._pools import PoolDirectory
from plugins.exchanges.evm._transactions import Mined, Transactor, block_time, replayed_reason
from plugins.exchanges.evm.chain import EvmChain
from plugins.exchanges.evm.gas import GasPolicy
from plugins.exchanges.evm.wallet import EvmWallet
from schemas import InvalidOrder, NotSupported, OrderNotFound
from schemas.money import MoneyError, from_units
from schemas.swap import (
    InsufficientAllowance,
    PoolPrice,
    PoolTrade,
    SignedHook,
    SwapInsufficientFunds,
    SwapKind,
    SwapQuote,
    SwapReceipt,
    SwapRequest,
    SwapReverted,
    SwapVenue,
    Token,
)

__all__ = ["ADDRESS", "EvmSwapVenue", "EvmVenueArgs"]


ADDRESS = r"^0x[0-9a-fA-F]{40}$"



class EvmVenueArgs(ComponentArgs):
    chain: EvmChain = Field(description="the chain the pools live on (@name)")
    wallet: EvmWallet | None = Field(
        default=None, description="the account that swaps (@name); None: read-only venue"
    )
    gas: GasPolicy | None = Field(
        default=None, description="fee caps and gas budget for swaps (@name); needed to swap"
    )
    allowance_caps: dict[str, ExactDecimal] = Field(
        default_factory=dict,
        description="per token address, the allowance granted when one is needed (in token "
        "units, e.g. {'0xA0b8...': 10000}); tokens not listed get exactly the swap's input",
    )
    new_block_gas: int = Field(
        default=0, ge=0, le=1_000_000,
        description="gas added to the node's estimate of a swap, for work the first swap in a "
        "new block does that a simulation in the block of the last swap does not pay",
    )


ArgsT = TypeVar("ArgsT", bound=EvmVenueArgs)


class EvmSwapVenue(NamedVenue, Component[ArgsT], SwapVenue):
    """Base of the EVM venues (not a component by itself)."""

    _tokens: dict[str, Token]
    _sent: dict[str, tuple[SwapRequest, str]]
    _transactor: Transactor | None = None
    _pools: PoolDirectory

    async def load(self) -> None:
        self._tokens, self._sent = {}, {}
        self._pools = PoolDirectory(self.name, self.pool_address, self.code_at, self._no_pool)
        args = self.args
        if args.wallet is not None and args.gas is not None:
            self._transactor = Transactor(args.chain, args.wallet, args.gas, self.name)

    @property
    def native_currency(self) -> str:
        return self.args.chain.native_currency

    @property
    def web3(self) -> Any:
        return self.args.chain.web3

    def checksum(self, address: str) -> str:
        from web3 import Web3

        try:
            return str(Web3.to_checksum_address(address))
        except ValueError:
            raise ValueError(f"{address!r} is not a 0x address of 40 hex digits") from None

    def contract(self, address: str, abi: list[dict[str, Any]]) -> Any:
        return self.web3.eth.contract(address=self.checksum(address), abi=abi)

    async def read(self, awaitable: Any) -> Any:
        """Await one RPC read, its failure translated."""
        return await translated(awaitable, rpc_error, venue=self.name)

    def sorted_pair(self, token_a: str, token_b: str) -> tuple[str, str]:
        """The two addresses checksummed, token0 (the lower address) first."""
        first, second = sorted((self.checksum(token_a), self.checksum(token_b)), key=str.lower)
        return first, second

    async def code_at(self, address: str) -> Any:
        """The contract code at ``address`` (empty where there is none)."""
        return await self.read(self.web3.eth.get_code(address))

    def _encoded(self, router: str, abi: list[dict[str, Any]], function: str,
                 args: list[Any]) -> tuple[str, str]:
        """``router`` checksummed (the spender) and the calldata of ``function(*args)``."""
        return self.checksum(router), str(self.contract(router, abi).encode_abi(function,
                                                                                 args=args))

    async def latest_block(self) -> Any:
        return await self.read(self.web3.eth.get_block("latest"))

    def block_time(self, header: Any) -> datetime:
        return block_time(header)

    def gas_estimate(self, header: Any, gas: int) -> Decimal:
        """Native coin a swap of ``gas`` units costs at the block's base fee plus the gas
        policy's tip cap (zero tip without a policy)."""
        tip = 0
        if self.args.gas is not None:
            tip = self.args.gas.tip_cap_wei
        return from_units(gas * (int(header.get("baseFeePerGas", 0)) + tip), 18)

    def swap_quote(self, kind: SwapKind, pool: str, token_in: Token, token_out: Token,
                   amount: Decimal, units: tuple[int, int], *, fee_rate: Decimal,
                   swap_gas: int, header: Any) -> SwapQuote:
        """The quote of a swap of ``amount`` through ``pool`` that moves ``units`` (in, out)
        at the block of ``header``; ``InvalidOrder`` when it would buy nothing."""
        units_in, units_out = units
        if units_out == 0:
            raise InvalidOrder(f"{pool}: {amount} {token_in.symbol} buys nothing",
                               venue=self.name)
        return SwapQuote(
            venue=self.name, pool=pool, kind=kind, token_in=token_in, token_out=token_out,
            amount_in=token_in.from_units(units_in), amount_out=token_out.from_units(units_out),
            fee_rate=fee_rate, gas_cost=self.gas_estimate(header, swap_gas),
            block=int(header["number"]), timestamp=self.block_time(header),
        )

    async def _quoted(self, kind: SwapKind, token_in: Token, token_out: Token,
                      amount: Decimal, swap_gas: int) -> SwapQuote:
        """The quote of ``amount``: the pool's amounts (:meth:`_amounts`) at the latest
        block; ``InvalidOrder`` when the token cannot hold the amount or the pool cannot
        swap it."""
        kind = SwapKind(kind)
        pool = await self._pool(token_in, token_out)
        header = await self.latest_block()
        try:
            units = (token_in if kind is SwapKind.EXACT_IN else token_out).to_units(amount)
            units_in, units_out, fee_rate = await self._amounts(
                kind, pool, token_in, token_out, units, int(header["number"]))
        except (ValueError, MoneyError) as error:
            raise InvalidOrder(f"{pool}: {error}", venue=self.name) from None
        return self.swap_quote(kind, pool, token_in, token_out, amount, (units_in, units_out),
                               fee_rate=fee_rate, swap_gas=swap_gas, header=header)

    async def _amounts(self, kind: SwapKind, pool: str, token_in: Token, token_out: Token,
                       units: int, block: int) -> tuple[int, int, Decimal]:
        """(units in, units out, fee rate) of a swap of ``units`` on the exact side, from
        the pool's state at ``block``; ``ValueError`` when the pool cannot swap it."""
        raise NotImplementedError

    async def mid_price(self, base: Token, quote: Token) -> PoolPrice:
        pool = await self._pool(base, quote)
        header = await self.latest_block()
        block = int(header["number"])
        return PoolPrice(pool=pool, base=base, quote=quote,
                         price=await self._pool_price(pool, base, quote, block), block=block,
                         timestamp=self.block_time(header))

    async def _pool_price(self, pool: str, base: Token, quote: Token, block: int) -> Decimal:
        """Units of ``quote`` per unit of ``base`` in ``pool`` at ``block``."""
        raise NotImplementedError

    # -- tokens and balances ---------------------------------------------------------------

    async def token(self, address: str) -> Token:
        key = self.checksum(address)
        token = self._tokens.get(key)
        if token is None:
            erc20 = self.contract(key, ERC20)
            decimals, symbol = await asyncio.gather(
                self.read(erc20.functions.decimals().call()),
                self.read(erc20.functions.symbol().call()),
            )
            token = self._tokens[key] = Token(address=key, symbol=symbol, decimals=decimals)
        return token

    def _owner(self) -> str:
        return self._wallet().address

    async def balance(self, token: Token) -> Decimal:
        units = await self.read(
            self.contract(token.address, ERC20).functions.balanceOf(self._owner()).call())
        return token.from_units(int(units))

    async def native_balance(self) -> Decimal:
        return from_units(int(await self.read(self.web3.eth.get_balance(self._owner()))), 18)

    # -- swapping --------------------------------------------------------------------------

    def _swap_call(self, request: SwapRequest, pool: str, recipient: str,
                   deadline: int) -> tuple[str, str]:
        """The router address to call (the spender) and the calldata of the bounded swap."""
        raise NotImplementedError

    async def _pool(self, token_in: Token, token_out: Token) -> str:
        """The address of the pool this venue swaps the pair in (checked to hold code)."""
        return await self._pools.pool(token_in, token_out)

    def pool_address(self, token_a: str, token_b: str) -> str:
        """The address the pool of two tokens is deployed at (CREATE2)."""
        raise NotImplementedError

    def _no_pool(self, token_in: Token, token_out: Token, address: str) -> str:
        """What is said of a pair whose pool address holds no code."""
        return f"no {token_in.symbol}/{token_out.symbol} pool (expected at {address})"

    async def swap(self, request: SwapRequest, *, signed: SignedHook | None = None
                   ) -> SwapReceipt:
        owner = self._owner()
        if self._transactor is None:
            raise NotSupported(f"{self.name} has no gas policy: set gas to swap", venue=self.name)
        check_deadline(request, self.clock.now(), venue=self.name)
        pool = request.pool or await self._pool(request.token_in, request.token_out)
        recipient = self.checksum(request.recipient or owner)
        spender, data = self._swap_call(request, pool, recipient, int(request.deadline.timestamp()))
        token_in, most = request.token_in, request.token_in.to_units(request.amount_in)
        spending = self._wallet().spending
        async with spending.sending(token_in.address, spender, most) as in_flight:
            await self._check_funds(token_in, token_in.from_units(in_flight + most), owner)
            await self._ensure_allowance(token_in, token_in.from_units(in_flight + most),
                                         owner, spender)
            pending = await self._transactor.submit(spender, data, self.args.new_block_gas, signed)
        self._sent[pending.tx_hash] = (request, pool)
        try:
            mined = await self._transactor.confirm(pending)
        finally:
            spending.done(token_in.address, spender, most)
        return self._moved(request.kind, request.token_in, request.token_out, pool, mined,
                           owner, recipient)

    def _wallet(self) -> EvmWallet:
        return wallet_of(self.args.wallet, f"{self.name} has no wallet: it is read-only",
                         venue=self.name)

    async def _check_funds(self, token: Token, needed: Decimal, owner: str) -> None:
        held = await self.balance(token)
        if held < needed:
            raise SwapInsufficientFunds(
                f"the wallet holds {held} {token.symbol}, the swap may spend {needed}",
                venue=self.name)

    async def _ensure_allowance(self, token: Token, needed: Decimal, owner: str,
                                spender: str) -> None:
        erc20 = self.contract(token.address, ERC20)
        allowed = token.from_units(
            int(await self.read(erc20.functions.allowance(owner, spender).call())))
        if allowed >= needed:
            return
        caps = {address.lower(): amount for address, amount in self.args.allowance_caps.items()}
        cap = caps.get(token.address.lower())
        grant = max(needed, cap) if cap is not None else needed
        assert self._transactor is not None
        data = erc20.encode_abi("approve", args=[spender, token.to_units(grant)])
        try:
            await self._transactor.send(token.address, data)
        except SwapReverted as error:
            raise InsufficientAllowance(
                f"approving {grant} {token.symbol} for {spender} failed: {error}",
                venue=self.name) from error
        self.log.info("evm allowance granted", symbol=token.symbol, spender=spender,
                      amount=str(grant))

    def _moved(self, kind: SwapKind, token_in: Token, token_out: Token, pool: str,
               mined: Mined, owner: str, recipient: str) -> SwapReceipt:
        """The receipt of ``mined``: the amounts from its ERC-20 transfers, its gas cost."""
        amount_in = transferred(mined.logs, token_in.address, source=owner)
        amount_out = transferred(mined.logs, token_out.address, target=recipient)
        return SwapReceipt(
            venue=self.name, pool=pool, kind=kind, token_in=token_in, token_out=token_out,
            amount_in=token_in.from_units(amount_in), amount_out=token_out.from_units(amount_out),
            gas_used=mined.gas_used, gas_cost=from_units(mined.gas_cost_wei, 18),
            native_currency=self.native_currency, block=mined.block, tx_hash=mined.tx_hash,
            timestamp=mined.timestamp,
        )

    async def receipt(self, tx_hash: str) -> SwapReceipt | None:
        from web3.exceptions import TransactionNotFound

        owner = self._owner()
        try:
            raw = await self.web3.eth.get_transaction_receipt(tx_hash)
        except TransactionNotFound:
            await self._forgotten(tx_hash)
            return None
        except Exception as error:
            raise rpc_error(error, venue=self.name) from error
        block = int(raw["blockNumber"])
        if int(raw["status"]) != 1:
            sent = await self.read(self.web3.eth.get_transaction(tx_hash))
            call = {"from": sent["from"], "to": sent["to"], "data": sent["input"], "value": 0}
            raise revert_error(await replayed_reason(self.web3, call, block), venue=self.name,
                               tx_hash=tx_hash, block=block, gas_used=int(raw["gasUsed"]),
                               gas_cost_wei=int(raw["gasUsed"]) * int(raw["effectiveGasPrice"]))
        header = await self.read(self.web3.eth.get_block(block))
        mined = Mined(
            tx_hash=tx_hash, block=block, gas_used=int(raw["gasUsed"]),
            gas_cost_wei=int(raw["gasUsed"]) * int(raw["effectiveGasPrice"]),
            logs=list(raw["logs"]), timestamp=block_time(header),
        )
        sent_here = self._sent.get(tx_hash)
        if sent_here is not None:
            request, pool = sent_here
            return self._moved(request.kind, request.token_in, request.token_out, pool, mined,
                               owner, self.checksum(request.recipient or owner))
        return await self._found_receipt(mined, owner)

    async def _forgotten(self, tx_hash: str) -> None:
        """A transaction the node does not know at all (dropped, or never broadcast) left
        its nonce unused: the wallet's next nonce is read from the node again."""
        from web3.exceptions import TransactionNotFound

        try:
            await self.web3.eth.get_transaction(tx_hash)
        except TransactionNotFound:
            self._wallet().nonces.resync()
        except Exception:
            return  # cannot tell now

    async def _found_receipt(self, mined: Mined, owner: str) -> SwapReceipt:
        """The receipt of a swap an earlier process sent: the tokens and the pool from the
        wallet's ERC-20 transfers in the logs, the kind from the router call's selector."""
        spent, got = wallet_transfers(mined.logs, owner)
        if len(spent) != 1 or len(got) != 1:
            raise OrderNotFound(f"{mined.tx_hash} is not a swap of this wallet",
                                venue=self.name)
        (address_in, pool_party), (address_out,) = spent[0], tuple(got)
        token_in, token_out = await self.token(address_in), await self.token(address_out)
        sent = await self.read(self.web3.eth.get_transaction(mined.tx_hash))
        kind = (SwapKind.EXACT_OUT if bytes(sent["input"])[:4] in exact_out_selectors()
                else SwapKind.EXACT_IN)
        pool = self.checksum(f"0x{pool_party:040x}")
        return self._moved(kind, token_in, token_out, pool, mined, owner, owner)

    # -- the pool's swaps ------------------------------------------------------------------

    swap_event = V3_SWAP_EVENT
    """The signature of the pool's swap event (Uniswap v3's; v2 pairs override it)..."""
    _pool_deltas = staticmethod(v3_deltas)
    """... and how its data says what went into the pool (negative: out of it)."""

    async def pool_trades(self, base: Token, quote: Token, first_block: int,
                          last_block: int) -> list[PoolTrade]:
        if first_block > last_block:
            return []
        from web3 import Web3

        pool = await self._pool(base, quote)
        logs = await self.read(self.web3.eth.get_logs({
            "address": self.checksum(pool), "fromBlock": first_block, "toBlock": last_block,
            "topics": [Web3.keccak(text=self.swap_event)]}))
        return trades(logs, pool, base, quote, self._pool_deltas)
