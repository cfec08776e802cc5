"""``exchanges.multiversx.xexchange``: swap in one xExchange pair contract on MultiversX.

Everything is read from the pair contract through view queries (``/vm-values/query``,
the committed ABI in ``pair.abi.json``): its two token identifiers and fee percents at
load, its reserves for a mid price, and the exact amounts of a swap from the contract's
own math (``getAmountOut`` for an exact input, ``getAmountIn`` for an exact output), so a
quote is what the contract then executes against the same reserves, to the unit. Decimals
come from each token's properties on the ESDT system contract, never assumed.

A swap is one transaction: an ESDT transfer of the input to the pair with the call
``swapTokensFixedInput(token_out, amount_out_min)`` or ``swapTokensFixedOutput(token_out,
amount_out)`` (the maximum input is sent; the pair refunds what it does not take). The
contract enforces the bound; before sending, a fresh quote is compared with it and a
request that the pool can no longer meet is refused with :class:`SlippageExceeded`, and a
request past its deadline with :class:`DeadlineExpired` (MultiversX has no on-chain
deadline for this call: after sending, confirmation is bounded by the proxy's
``confirm_timeout``). The transaction is signed by the wallet with a nonce it hands out.

Then: a refusal by the proxy (signature, nonce, gas) means nothing was sent
(:class:`~plugins.exchanges.multiversx._errors.TransactionRefused`); a lost answer or a
transaction not completed within ``confirm_timeout`` is :class:`SwapOutcomeUnknown`, with
the hash to look it up (:meth:`XExchange.receipt`), never "not sent". A receipt's amounts
are the wallet's ESDT transfers the chain recorded (refunds included), its cost the
transaction's fee in EGLD.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import Field

from fortuna import Component, ComponentArgs
from plugins.exchanges._onchain.steps import check_deadline, exact_units, settled
from plugins.exchanges._onchain.swaps import check_bound, moved_receipt, request_units
from plugins.exchanges._onchain.venue import NamedVenue, wallet_of
from plugins.exchanges.multiversx._errors import revert_error
from plugins.exchanges.multiversx._pair import (
    MAX_PERCENTAGE,
    failure_reason,
    pair_abi,
    token_moves,
)
from plugins.exchanges.multiversx.proxy import EGLD_DECIMALS, MultiversXProxy, SendUncertain
from plugins.exchanges.multiversx.wallet import MultiversXWallet
from schemas import BadSymbol, ExchangeError, InvalidOrder
from schemas.money import from_units, ratio
from schemas.swap import (
    PoolPrice,
    SignedHook,
    SwapKind,
    SwapQuote,
    SwapReceipt,
    SwapRequest,
    SwapVenue,
    Token,
)

if TYPE_CHECKING:
    from multiversx_sdk import Address, Transaction

__all__ = ["XExchange", "XExchangeArgs"]

BECH32 = r"^erd1[02-9ac-hj-np-z]{58}$"


class XExchangeArgs(ComponentArgs):
    proxy: MultiversXProxy = Field(description="the network that reads and sends (@name)")
    wallet: MultiversXWallet | None = Field(
        default=None, description="the account that swaps (@name); None: quotes only"
    )
    pair: str = Field(
        pattern=BECH32,
        description="the xExchange pair contract's address (erd1...), e.g. WEGLD/USDC's on "
        "mainnet erd1qqqqqqqqqqqqqpgqeel2kumf0r8ffyhth7pqdujjat9nx0862jpsg2pqaq",
    )
    gas_limit: int = Field(
        default=30_000_000, ge=1_000_000, le=600_000_000,
        description="gas limit of a swap transaction (xExchange swaps use about 20-30 "
        "million); unused gas is refunded, so quotes carry the cost of the whole limit",
    )


class XExchange(NamedVenue, Component[XExchangeArgs], SwapVenue):
    """xExchange pair on MultiversX: exact quotes from the contract's views, ESDT swaps."""

    _pair: Address
    _tokens: dict[str, Token]
    _pair_tokens: tuple[str, str]
    _fee_rate: Decimal
    _sent: dict[str, SwapRequest]

    async def load(self) -> None:
        from multiversx_sdk import Address

        self._pair = Address.new_from_bech32(self.args.pair)
        self._tokens, self._sent = {}, {}
        try:
            first, second, total_fee = await asyncio.gather(
                self._view("getFirstTokenId"), self._view("getSecondTokenId"),
                self._view("getTotalFeePercent"))
        except InvalidOrder as refused:
            raise BadSymbol(f"{self.args.pair} is not an xExchange pair: {refused.message}",
                            venue=self.name) from None
        self._pair_tokens = (str(first[0]), str(second[0]))
        self._fee_rate = ratio(Decimal(int(total_fee[0])), Decimal(MAX_PERCENTAGE))

    @property
    def native_currency(self) -> str:
        return "EGLD"

    async def _view(self, function: str, *arguments: Any) -> list[Any]:
        """Run one of the pair's views; its answer decoded with the ABI."""
        from multiversx_sdk import SmartContractQuery

        abi = pair_abi()
        query = SmartContractQuery(
            contract=self._pair, function=function,
            arguments=abi.encode_endpoint_input_parameters(function, list(arguments)))
        answer = await self.args.proxy.query(query)
        if answer.return_code != "ok":
            said = answer.return_message or answer.return_code
            raise InvalidOrder(f"the pair refused {function}: {said}", venue=self.name)
        return list(abi.decode_endpoint_output_parameters(function, answer.return_data_parts))

    # -- tokens and balances ---------------------------------------------------------------

    async def token(self, address: str) -> Token:
        if address not in self._tokens:
            try:
                decimals = await self.args.proxy.decimals(address)
            except ExchangeError as error:
                raise BadSymbol(f"{address!r} is not an ESDT token: {error.message}",
                                venue=self.name) from None
            self._tokens[address] = Token(address=address, decimals=decimals,
                                          symbol=address.split("-", 1)[0])
        return self._tokens[address]

    def _wallet(self) -> MultiversXWallet:
        return wallet_of(self.args.wallet, "this xExchange venue has no wallet: it quotes only",
                         venue=self.name)

    async def balance(self, token: Token) -> Decimal:
        return token.from_units(await self.args.proxy.esdt(self._wallet().address,
                                                           token.address))

    async def native_balance(self) -> Decimal:
        return from_units(await self.args.proxy.egld(self._wallet().address), EGLD_DECIMALS)

    # -- quotes ----------------------------------------------------------------------------

    def _check_pair(self, token_in: Token, token_out: Token) -> None:
        if {token_in.address, token_out.address} != set(self._pair_tokens) or \
                token_in.address == token_out.address:
            raise BadSymbol(
                f"the pair {self.args.pair} swaps {self._pair_tokens[0]} and "
                f"{self._pair_tokens[1]}, not {token_in.address} for {token_out.address}",
                venue=self.name)

    @property
    def _max_gas_cost(self) -> Decimal:
        network = self.args.proxy.network
        return from_units(self.args.gas_limit * int(network.min_gas_price), EGLD_DECIMALS)

    async def _units(self, kind: SwapKind, token_in: Token, token_out: Token,
                     units: int) -> tuple[int, int]:
        """(units in, units out) of a swap, from the pair's own math."""
        if kind is SwapKind.EXACT_IN:
            (out,) = await self._view("getAmountOut", token_in.address, units)
            return units, int(out)
        (needed,) = await self._view("getAmountIn", token_out.address, units)
        return int(needed), units

    async def quote(self, kind: SwapKind, token_in: Token, token_out: Token,
                    amount: Decimal) -> SwapQuote:
        kind = SwapKind(kind)
        self._check_pair(token_in, token_out)
        units = exact_units(kind, token_in, token_out, amount, venue=self.name)
        units_in, units_out = await self._units(kind, token_in, token_out, units)
        if units_in <= 0 or units_out <= 0:
            raise InvalidOrder(f"the pair gives {units_out} units out for {units_in} in: too "
                               "small to swap", venue=self.name)
        return SwapQuote(
            venue=self.name, pool=self.args.pair, kind=kind, token_in=token_in,
            token_out=token_out, amount_in=token_in.from_units(units_in),
            amount_out=token_out.from_units(units_out), fee_rate=self._fee_rate,
            gas_cost=self._max_gas_cost, timestamp=self.clock.now())

    async def mid_price(self, base: Token, quote: Token) -> PoolPrice:
        self._check_pair(base, quote)
        reserves, block = await asyncio.gather(
            self._view("getReservesAndTotalSupply"), self.args.proxy.block_nonce(self._pair))
        first, second = int(reserves[0]), int(reserves[1])
        if first <= 0 or second <= 0:
            raise InvalidOrder(f"the pair {self.args.pair} has no liquidity", venue=self.name)
        by_token = dict(zip(self._pair_tokens, (first, second), strict=True))
        price = ratio(quote.from_units(by_token[quote.address]),
                      base.from_units(by_token[base.address]))
        return PoolPrice(pool=self.args.pair, base=base, quote=quote, price=price,
                         block=block, timestamp=self.clock.now())

    # -- swaps -----------------------------------------------------------------------------

    async def _check_bound(self, request: SwapRequest) -> tuple[int, int]:
        """(exact units, bound units) of ``request``, refused when a fresh quote breaks it."""
        exact, bound = request_units(request)
        units_in, units_out = await self._units(request.kind, request.token_in,
                                                request.token_out, exact)
        check_bound(request.kind, units_out if request.kind is SwapKind.EXACT_IN else units_in,
                    bound, source="the pair now gives", venue=self.name)
        return exact, bound

    def _transaction(self, request: SwapRequest, exact: int, bound: int) -> Transaction:
        import multiversx_sdk as sdk

        network = self.args.proxy.network
        factory = sdk.SmartContractTransactionsFactory(
            sdk.TransactionsFactoryConfig(network.chain_id), abi=pair_abi())
        if request.kind is SwapKind.EXACT_IN:
            # the contract refuses a minimum of 0: 1 unit is the least it accepts
            function, sent, arguments = "swapTokensFixedInput", exact, [max(bound, 1)]
        else:
            function, sent, arguments = "swapTokensFixedOutput", bound, [exact]
        transaction = factory.create_transaction_for_execute(
            sender=self._wallet().address, contract=self._pair, function=function,
            gas_limit=self.args.gas_limit,
            arguments=[request.token_out.address, *arguments],
            token_transfers=[sdk.TokenTransfer(sdk.Token(request.token_in.address), sent)])
        transaction.gas_price = int(network.min_gas_price)
        return transaction

    async def swap(self, request: SwapRequest, *, signed: SignedHook | None = None
                   ) -> SwapReceipt:
        from multiversx_sdk import TransactionComputer

        wallet = self._wallet()
        check_deadline(request, self.clock.now(), venue=self.name)
        self._check_pair(request.token_in, request.token_out)
        exact, bound = await self._check_bound(request)
        transaction = self._transaction(request, exact, bound)
        async with wallet.nonce() as nonce:
            transaction.nonce = nonce
            wallet.sign(transaction)
            tx_hash = TransactionComputer().compute_transaction_hash(transaction).hex()
            if signed is not None:
                await signed(tx_hash)  # raises: nothing was sent (the nonce is read again)
            self._sent[tx_hash] = request
            # A lost answer keeps the nonce taken: the transaction may be in the pool.
            with contextlib.suppress(SendUncertain):
                await self.args.proxy.send(transaction)
        return await settled(await self.args.proxy.confirm(tx_hash), tx_hash, self.receipt,
                             waited=self.args.proxy.args.confirm_timeout, venue=self.name)

    async def receipt(self, tx_hash: str) -> SwapReceipt | None:
        found = await self.args.proxy.transaction(tx_hash)
        if found is None or not found.status.is_completed:
            return None
        raw = found.raw
        block = int(raw.get("blockNonce") or 0)
        gas_used = int(raw.get("gasUsed") or 0)
        if found.status.is_failed:
            reason = failure_reason(found)
            raise revert_error(reason)(reason, venue=self.name, tx_hash=tx_hash, block=block,
                                       gas_used=gas_used)
        fee = int(raw.get("fee") or raw.get("initiallyPaidFee") or 0)
        when = (datetime.fromtimestamp(found.timestamp, UTC) if found.timestamp
                else self.clock.now())
        return await moved_receipt(
            self._sent.get(tx_hash), token_moves(found, self._wallet().address), tx_hash,
            self.token, venue=self.name, pool=self.args.pair, gas_used=gas_used,
            gas_cost=from_units(fee, EGLD_DECIMALS), native_currency="EGLD", block=block,
            timestamp=when)
