"""``exchanges.solana.jupiter``: swap any SPL token pair through the Jupiter aggregator.

Jupiter Swap API v6 (see :mod:`plugins.exchanges.solana._jupiter_api` for hosts and
versions): a quote, then the swap transaction Jupiter builds for the wallet, checked,
signed locally in the wallet's slot, sent through the Solana RPC and confirmed.

Before anything is sent, a swap is checked against its request and the mandate's caps:

- the deadline has not passed (after sending, the transaction's blockhash bounds its life
  to about a minute);
- a fresh quote meets the request's bound (minimum out for exact_in, maximum in for
  exact_out), else :class:`SlippageExceeded`; the slippage Jupiter's program enforces on
  chain (``otherAmountThreshold``) is at least as strict as the request's bound;
- the transaction Jupiter returned asks this wallet to sign, and its compute-budget
  instructions stay within ``compute_unit_limit`` and ``max_priority_fee_lamports``
  (the priority fee is ``limit x price`` micro-lamports, rounded up).

Then: confirmed by signature status within the RPC's ``confirm_timeout``, else
:class:`SwapOutcomeUnknown` (look it up with :meth:`Jupiter.receipt`). A receipt's amounts
are the wallet's token balance changes the chain recorded (``pre/postTokenBalances``), its
cost the transaction's fee in lamports, ``gas_used`` its compute units, ``block`` its slot.
Decimals are read from each mint account, never assumed. Without a wallet the venue only
quotes.
"""

from __future__ import annotations

import base64
import contextlib
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import Field, SecretStr

from fortuna import Component, ComponentArgs, Duration
from plugins.exchanges._onchain.steps import check_deadline, exact_units, settled
from plugins.exchanges._onchain.swaps import (
    check_bound,
    moved_receipt,
    request_units,
    revert_kind,
)
from plugins.exchanges._onchain.venue import NamedVenue, wallet_of
from plugins.exchanges.solana._errors import SOLANA_ERRORS
from plugins.exchanges.solana._jupiter_api import JupiterApi
from plugins.exchanges.solana._spl import (
    TOKEN_PROGRAMS,
    associated_token_address,
    mint_decimals,
    token_account,
)
from plugins.exchanges.solana.rpc import LAMPORTS_DECIMALS, SendUncertain, SolanaRpc
from plugins.exchanges.solana.wallet import SolanaWallet
from schemas import BadSymbol, ExchangeError, InvalidOrder
from schemas.http import HttpClient
from schemas.money import from_units, ratio
from schemas.swap import (
    PoolPrice,
    SignedHook,
    SlippageExceeded,
    SwapKind,
    SwapQuote,
    SwapReceipt,
    SwapRequest,
    SwapVenue,
    Token,
)

__all__ = ["BASE_FEE_LAMPORTS", "Jupiter", "JupiterArgs"]

BASE_FEE_LAMPORTS = 5000
"""The fee per signature every Solana transaction pays."""
COMPUTE_BUDGET_PROGRAM = "ComputeBudget111111111111111111111111111111"


class JupiterArgs(ComponentArgs):
    rpc: SolanaRpc = Field(description="the Solana RPC that reads mints and sends swaps (@name)")
    http: HttpClient = Field(description="the HTTP session for Jupiter's API (@name)")
    wallet: SolanaWallet | None = Field(
        default=None, description="the account that swaps (@name); None: quotes only"
    )
    base_url: str = Field(
        default="https://lite-api.jup.ag/swap/v1", pattern=r"^https?://",
        description="Jupiter Swap API v6 base URL: https://lite-api.jup.ag/swap/v1 (no key), "
        "https://api.jup.ag/swap/v1 (with api_key), https://quote-api.jup.ag/v6 (legacy)",
    )
    api_key: SecretStr | None = Field(
        default=None, description="Jupiter API key, sent as x-api-key; `!env NAME`"
    )
    slippage_bps: int = Field(
        default=50, ge=0, le=10_000,
        description="slippage asked of Jupiter's quote, basis points; tightened further when "
        "a swap request's own bound is stricter",
    )
    compute_unit_limit: int = Field(
        default=400_000, ge=1, le=1_400_000,
        description="compute units a swap transaction may request at most (Jupiter sets the "
        "limit from a simulation; Solana's cap is 1,400,000); a transaction asking more is "
        "not sent",
    )
    max_priority_fee_lamports: int = Field(
        default=100_000, ge=0,
        description="priority fee a swap may pay at most, lamports (1 SOL = 10^9); a "
        "transaction paying more is not sent",
    )
    min_interval: Duration = Field(
        default=1.0, ge=0,
        description="seconds between two requests to Jupiter (the keyless API allows about "
        "one a second)",
    )
    symbols: dict[str, str] = Field(
        default_factory=dict,
        description="ticker per mint address, e.g. {'EPjFWdd5...': 'USDC'}; mints have no "
        "on-chain ticker, unlisted ones are named by their first six characters",
    )


class Jupiter(NamedVenue, Component[JupiterArgs], SwapVenue):
    """Jupiter aggregator on Solana: exact quotes, swaps Jupiter builds and the wallet signs."""

    _api: JupiterApi
    _tokens: dict[str, Token]
    _programs: dict[str, str]
    _sent: dict[str, tuple[SwapRequest, str]]

    async def load(self) -> None:
        key = self.args.api_key.get_secret_value() if self.args.api_key else None
        self._api = JupiterApi(self.args.http, self.args.base_url, key,
                               min_interval=self.args.min_interval, venue=self.name)
        self._tokens, self._programs, self._sent = {}, {}, {}

    @property
    def native_currency(self) -> str:
        return "SOL"

    # -- tokens and balances ---------------------------------------------------------------

    async def token(self, address: str) -> Token:
        if address not in self._tokens:
            try:
                (account,), _ = await self.args.rpc.accounts([address])
            except ValueError:
                raise BadSymbol(f"{address!r} is not a base58 Solana address",
                                venue=self.name) from None
            if account is None or account.owner not in TOKEN_PROGRAMS:
                raise BadSymbol(f"{address} is not an SPL token mint", venue=self.name)
            try:
                decimals = mint_decimals(account.data)
            except ValueError as error:
                raise BadSymbol(f"{address}: {error}", venue=self.name) from None
            self._programs[address] = account.owner
            self._tokens[address] = Token(address=address, decimals=decimals,
                                          symbol=self.args.symbols.get(address, address[:6]))
        return self._tokens[address]

    def _wallet(self) -> SolanaWallet:
        return wallet_of(self.args.wallet, "this Jupiter venue has no wallet: it quotes only",
                         venue=self.name)

    async def balance(self, token: Token) -> Decimal:
        await self.token(token.address)
        ata = associated_token_address(self._wallet().address, token.address,
                                       self._programs[token.address])
        (account,), _ = await self.args.rpc.accounts([ata])
        return token.from_units(0 if account is None else token_account(account.data).amount)

    async def native_balance(self) -> Decimal:
        return from_units(await self.args.rpc.lamports(self._wallet().address), LAMPORTS_DECIMALS)

    # -- quotes ----------------------------------------------------------------------------

    async def _route(self, kind: SwapKind, token_in: Token, token_out: Token, units: int,
                     slippage_bps: int) -> dict[str, Any]:
        body = await self._api.quote(
            input_mint=token_in.address, output_mint=token_out.address, amount=units,
            exact_out=kind is SwapKind.EXACT_OUT, slippage_bps=slippage_bps)
        try:
            fixed = int(body["inAmount" if kind is SwapKind.EXACT_IN else "outAmount"])
            int(body["otherAmountThreshold"])
            int(body["inAmount"]), int(body["outAmount"])
        except (KeyError, TypeError, ValueError) as error:
            raise ExchangeError(f"Jupiter's quote lacks a readable {error}",
                                venue=self.name) from None
        if (body.get("inputMint"), body.get("outputMint")) != (token_in.address,
                                                               token_out.address) \
                or fixed != units:
            raise ExchangeError("Jupiter's quote is for another swap than asked",
                                venue=self.name)
        return body

    def _quote(self, kind: SwapKind, token_in: Token, token_out: Token,
               body: dict[str, Any]) -> SwapQuote:
        units_in, units_out = int(body["inAmount"]), int(body["outAmount"])
        if units_in <= 0 or units_out <= 0:
            raise InvalidOrder(f"Jupiter quotes {units_in} in for {units_out} out: too small "
                               "to swap", venue=self.name)
        hops = _hops(body)
        try:
            fees = sum(int(hop.get("feeAmount") or 0) for hop in hops
                       if hop.get("feeMint") == token_in.address)
            return SwapQuote(
                venue=self.name, pool=_route(hops),
                kind=kind, token_in=token_in, token_out=token_out,
                amount_in=token_in.from_units(units_in),
                amount_out=token_out.from_units(units_out),
                fee_rate=ratio(Decimal(fees), Decimal(units_in)),
                gas_cost=from_units(BASE_FEE_LAMPORTS + self.args.max_priority_fee_lamports,
                                    LAMPORTS_DECIMALS),
                block=int(body.get("contextSlot") or 0), timestamp=self.clock.now())
        except (TypeError, ValueError) as error:  # pydantic's ValidationError is a ValueError
            raise ExchangeError(f"Jupiter's quote does not add up: {error}",
                                venue=self.name) from None

    async def quote(self, kind: SwapKind, token_in: Token, token_out: Token,
                    amount: Decimal) -> SwapQuote:
        kind = SwapKind(kind)
        units = exact_units(kind, token_in, token_out, amount, venue=self.name)
        body = await self._route(kind, token_in, token_out, units, self.args.slippage_bps)
        return self._quote(kind, token_in, token_out, body)

    async def mid_price(self, base: Token, quote: Token) -> PoolPrice:
        """Jupiter's price for one whole ``base`` (the route's fees inside), quote per base."""
        body = await self._route(SwapKind.EXACT_IN, base, quote, 10**base.decimals, 0)
        swap = self._quote(SwapKind.EXACT_IN, base, quote, body)
        return PoolPrice(pool=swap.pool, base=base, quote=quote,
                         price=ratio(swap.amount_out, swap.amount_in),
                         block=swap.block or 0, timestamp=swap.timestamp)

    # -- swaps -----------------------------------------------------------------------------

    async def _bounded_route(self, request: SwapRequest) -> dict[str, Any]:
        """A fresh route whose on-chain bound is at least as strict as the request's."""
        exact_in = request.kind is SwapKind.EXACT_IN
        units, limit = request_units(request)
        bps = self.args.slippage_bps
        for _ in range(2):
            body = await self._route(request.kind, request.token_in, request.token_out,
                                     units, bps)
            quoted = int(body["outAmount" if exact_in else "inAmount"])
            bound = int(body["otherAmountThreshold"])
            check_bound(request.kind, quoted, limit, source="Jupiter now quotes",
                        venue=self.name)
            if (bound >= limit) if exact_in else (bound <= limit):
                return body
            # The request is stricter than the configured slippage: ask for its own bound.
            bps = (quoted - limit) * 10_000 // quoted if exact_in \
                else (limit - quoted) * 10_000 // quoted
        raise SlippageExceeded("Jupiter's route moved while tightening its slippage bound",
                               venue=self.name)

    def _check_budget(self, transaction: Any) -> None:
        message = transaction.message
        keys = [str(key) for key in message.account_keys]
        limit, price, others = None, 0, 0
        for instruction in message.instructions:
            if keys[instruction.program_id_index] != COMPUTE_BUDGET_PROGRAM:
                others += 1
                continue
            data = bytes(instruction.data)
            if data[:1] == b"\x02" and len(data) >= 5:
                limit = int.from_bytes(data[1:5], "little")
            elif data[:1] == b"\x03" and len(data) >= 9:
                price = int.from_bytes(data[1:9], "little")
        if limit is None:  # the runtime's default: 200,000 per other instruction, 1.4M at most
            limit = min(200_000 * others, 1_400_000)
        if limit > self.args.compute_unit_limit:
            raise ExchangeError(
                f"Jupiter's transaction asks for {limit} compute units, the budget is "
                f"{self.args.compute_unit_limit}; not sent", venue=self.name)
        priority = -(-limit * price // 1_000_000)
        if priority > self.args.max_priority_fee_lamports:
            raise ExchangeError(
                f"Jupiter's transaction pays a priority fee of {priority} lamports, the cap is "
                f"{self.args.max_priority_fee_lamports}; not sent", venue=self.name)

    async def swap(self, request: SwapRequest, *, signed: SignedHook | None = None
                   ) -> SwapReceipt:
        from solders.transaction import VersionedTransaction

        wallet = self._wallet()
        check_deadline(request, self.clock.now(), venue=self.name)
        for token in (request.token_in, request.token_out):
            await self.token(token.address)
        body = await self._bounded_route(request)
        built = await self._api.swap(
            body, user=wallet.address, priority_fee_lamports=self.args.max_priority_fee_lamports)
        try:
            transaction = VersionedTransaction.from_bytes(
                base64.b64decode(built["swapTransaction"], validate=True))
        except Exception:
            raise ExchangeError("Jupiter's swapTransaction is not a base64 serialized "
                                "versioned transaction; not sent", venue=self.name) from None
        self._check_budget(transaction)
        transaction_signed = wallet.sign(transaction)
        signature = str(transaction_signed.signatures[0])  # its id is its first signature
        if signed is not None:
            await signed(signature)  # raises: nothing was sent
        self._sent[signature] = (request, _route(_hops(body)))
        with contextlib.suppress(SendUncertain):  # it may have been accepted: ask its status
            await self.args.rpc.send(bytes(transaction_signed))
        status = await self.args.rpc.confirm(signature)
        return await settled(status is not None, signature, self.receipt,
                             waited=self.args.rpc.args.confirm_timeout, venue=self.name)

    async def receipt(self, tx_hash: str) -> SwapReceipt | None:
        found = await self.args.rpc.transaction(tx_hash)
        if found is None or found.transaction.meta is None:
            return None
        meta, slot = found.transaction.meta, int(found.slot)
        if meta.err is not None:
            reason = " | ".join([str(meta.err), *(meta.log_messages or [])])
            raise revert_kind(reason, SOLANA_ERRORS)(
                reason, venue=self.name, tx_hash=tx_hash, block=slot,
                gas_used=meta.compute_units_consumed,
                gas_cost=from_units(int(meta.fee), LAMPORTS_DECIMALS))
        owner = self._wallet().address
        moved: dict[str, int] = {}
        for sign, balances in ((-1, meta.pre_token_balances), (1, meta.post_token_balances)):
            for entry in balances or []:
                if str(entry.owner) == owner:
                    mint = str(entry.mint)
                    moved[mint] = moved.get(mint, 0) + sign * int(entry.ui_token_amount.amount)
        request, pool = self._sent.get(tx_hash, (None, "jupiter"))
        when = (datetime.fromtimestamp(found.block_time, UTC) if found.block_time is not None
                else self.clock.now())
        return await moved_receipt(
            request, moved, tx_hash, self.token, venue=self.name, pool=pool,
            gas_used=int(meta.compute_units_consumed or 0),
            gas_cost=from_units(int(meta.fee), LAMPORTS_DECIMALS), native_currency="SOL",
            block=slot, timestamp=when)


def _hops(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``swapInfo`` of each step of a quote's ``routePlan`` (junk steps skipped)."""
    plan = body.get("routePlan")
    return [step["swapInfo"] for step in (plan if isinstance(plan, list) else [])
            if isinstance(step, dict) and isinstance(step.get("swapInfo"), dict)]


def _route(hops: list[dict[str, Any]]) -> str:
    """A route's name: its pools (``ammKey``) joined by '+'."""
    return "+".join(str(hop.get("ammKey")) for hop in hops) or "jupiter"
