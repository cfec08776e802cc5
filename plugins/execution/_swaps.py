"""The swaps of one parent order: sizing, sending, accounting and looking them up.

A buy of base is an exact-output swap (quote in, exactly the base amount out), a sell an
exact-input swap (exactly the base amount in), so every swap fills its base amount
exactly or not at all, and the fills never pass the parent amount.

**Sizing** (:meth:`SwapDesk.size`). The wanted amount is quoted; while the quote's average
price is worse than the slippage budget allows (against the reference price, pool fee
included) the size is shrunk (:func:`plugins.execution._sizing.shrunk`) and quoted again,
at most ``max_quotes`` times. A swap whose estimated gas, valued in quote through
``native_price``, is more than ``max_gas_share`` of its value is not sent. The swap's
on-chain bound is the budget's worst price (never past ``limit_price``): the chain
refuses it if the pool moved against it between the quote and the block.

**Write-ahead** (:meth:`SwapDesk.send`). The venue hands the transaction's hash over once
it is signed and before it is broadcast; the journal entry naming it as ``pending``, with
the swap's deadline, is stored then. A journal write that fails stops the send. So a
restart always knows the one swap that may be in flight.

**Unknown outcomes** (:meth:`SwapDesk.resolve`). A swap sent but not known to be mined is
looked up by its hash every tick, and nothing else is sent meanwhile. Mined: accounted (or,
reverted, counted as refused). Still unknown once the chain's time is past its deadline:
the chain can no longer execute it, so it is counted as refused. Never re-sent blindly.

**Gas** is counted against the parent: each mined swap's gas cost (native coin, from the
receipt; of a swap mined and reverted, from its error) valued in quote at ``native_price``
then, rounded up to the quote token's unit, is the swap's fee; the native amount is kept
too (``gas`` in the journal and the report).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from fortuna import Clock, Logger
from plugins.execution._args import SwapParentArgs
from plugins.execution._journal import Journal
from plugins.execution._progress import Progress
from plugins.execution._sizing import excess, gas_share, shrunk, whole_units, worst_price
from schemas import ExchangeError, InvalidOrder, OrderRequest, Side, TimeInForce, money
from schemas.market_making import RiskContext
from schemas.money import Rounding
from schemas.swap import (
    SwapKind,
    SwapOutcomeUnknown,
    SwapQuote,
    SwapReceipt,
    SwapRequest,
    SwapReverted,
    Token,
)

__all__ = ["Sized", "SwapDesk"]

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Sized:
    """A swap that fits the budget: its quote, base amount, value, bound and gas."""

    quote: SwapQuote
    amount: Decimal
    """Base swapped."""
    value: Decimal
    """Quote paid (buy) or received (sell), as quoted."""
    bound: Decimal
    """The worst average price the chain may give it."""
    gas: Decimal
    """Estimated gas, in quote."""


class SwapDesk:
    """Sizes, sends and follows the swaps of one parent order, one at a time."""

    def __init__(self, *, args: SwapParentArgs, base: Token, quote: Token, progress: Progress,
                 journal: Journal, clock: Clock, log: Logger) -> None:
        self.args = args
        self.venue = args.venue
        self.side = args.side
        self.base = base
        self.quote = quote
        self.progress = progress
        self.journal = journal
        self.clock = clock
        self.log = log
        if self.side is Side.BUY:
            self.kind, self.token_in, self.token_out = SwapKind.EXACT_OUT, quote, base
        else:
            self.kind, self.token_in, self.token_out = SwapKind.EXACT_IN, base, quote

    # --- sizing ------------------------------------------------------------------------------

    async def in_quote(self, native: Decimal) -> Decimal:
        """Native coin ``native`` valued in quote, rounded up to the quote token's unit."""
        value = money.multiply(native, await self.args.native_price.price())
        return money.round_to(value, Decimal(1).scaleb(-self.quote.decimals), Rounding.UP)

    async def size(self, wanted: Decimal, reference: Decimal) -> Sized | str:
        """The largest swap up to ``wanted`` base within the budget, or why there is none."""
        args, side = self.args, self.side
        amount = whole_units(min(wanted, self.progress.remaining), self.base)
        if amount <= 0:
            return f"{wanted} {self.base.symbol} is less than one unit of the token"
        bound = worst_price(side, reference, args.max_slippage, args.limit_price)
        allowed = excess(side, bound, reference)
        for _ in range(args.max_quotes):
            try:
                quote = await self.venue.quote(self.kind, self.token_in, self.token_out, amount)
            except InvalidOrder as exc:
                return f"the pool cannot quote {amount} {self.base.symbol}: {exc}"
            value = quote.amount_in if side is Side.BUY else quote.amount_out
            quoted = excess(side, money.ratio(value, amount), reference)
            if quoted <= allowed:
                gas = await self.in_quote(quote.gas_cost or _ZERO)
                if gas_share(gas, value) > args.max_gas_share:
                    return (f"a swap of {amount} {self.base.symbol} is too small for its gas: "
                            f"{gas} {self.quote.symbol} is more than {args.max_gas_share} of "
                            f"its value {value}")
                return Sized(quote=quote, amount=amount, value=value, bound=bound, gas=gas)
            smaller = whole_units(shrunk(amount, quoted, quote.fee_rate, allowed), self.base)
            if smaller <= 0:
                return (f"the slippage budget {args.max_slippage} leaves no room past the "
                        f"pool's fee {quote.fee_rate} at the reference {reference}")
            amount = smaller if smaller < amount else whole_units(
                money.multiply(amount, Decimal("0.5")), self.base)
            if amount <= 0:
                break
        return (f"no swap within the slippage budget {args.max_slippage} after "
                f"{args.max_quotes} quotes")

    def risk_refusal(self, sized: Sized, reference: Decimal) -> str | None:
        """The mandate's pre-trade limits on the swap seen as an order at its bound."""
        risk = self.args.risk
        if risk is None:
            return None
        request = OrderRequest(symbol=self.args.symbol, side=self.side, amount=sized.amount,
                               price=sized.bound, time_in_force=TimeInForce.IOC)
        refusal = risk.refusal(request, RiskContext(reference=reference, book=(),
                                                    now=self.clock.monotonic()))
        if refusal is None:
            risk.record_sent(request, self.clock.monotonic())
        return refusal

    # --- sending -----------------------------------------------------------------------------

    def request(self, sized: Sized, deadline: datetime) -> SwapRequest:
        """The bounded swap: a buy spends at most amount x bound (rounded down to the quote
        token's unit), a sell receives at least amount x bound (rounded up)."""
        unit = Decimal(1).scaleb(-self.quote.decimals)
        worst = money.multiply(sized.amount, sized.bound)
        limit = money.round_to(worst, unit, Rounding.DOWN if self.side is Side.BUY
                               else Rounding.UP)
        return SwapRequest(kind=self.kind, token_in=self.token_in, token_out=self.token_out,
                           amount=sized.amount, limit=limit, deadline=deadline,
                           pool=sized.quote.pool)

    async def send(self, sized: Sized) -> None:
        """Send one swap, journaled ahead by its hash; account it when mined."""
        progress = self.progress
        deadline = self.clock.now() + timedelta(seconds=self.args.deadline)
        request = self.request(sized, deadline)

        async def announce(tx_hash: str) -> None:
            progress.pending, progress.pending_until = tx_hash, deadline
            progress.children += 1
            try:
                await self.journal.save(progress, self.clock.now())
            except BaseException:
                progress.pending = progress.pending_until = None
                raise

        try:
            receipt = await self.venue.swap(request, signed=announce)
        except SwapOutcomeUnknown as exc:
            if progress.pending != exc.tx_hash:  # a transaction before the swap (an approval)
                await self.refused(f"{type(exc).__name__}: {exc}", amount=sized.amount)
                return
            self.log.warning("swap outcome unknown; looking it up by its hash",
                             tx_hash=exc.tx_hash, error=str(exc))
            return
        except SwapReverted as exc:
            await self.reverted(exc, amount=sized.amount)
            return
        except ExchangeError as exc:
            await self.refused(f"{type(exc).__name__}: {exc}", amount=sized.amount)
            return
        await self.account(receipt)
        self.log.info("swap mined", tx_hash=receipt.tx_hash, amount=sized.amount,
                      value=sized.value, average_price=receipt.price if self.side is Side.BUY
                      else money.ratio(receipt.amount_out, receipt.amount_in),
                      gas=receipt.gas_cost)

    async def refused(self, reason: str, *, save: bool = False, **fields: object) -> None:
        """Count a swap that did not execute (and was never, or is no longer, in flight);
        journaled if it was in flight (or ``save``)."""
        progress = self.progress
        progress.refused += 1
        in_flight = progress.pending is not None
        progress.pending = progress.pending_until = None
        self.log.warning("swap refused", reason=reason, **fields)
        if in_flight or save:
            await self.journal.save(progress, self.clock.now())

    async def reverted(self, error: SwapReverted, **fields: object) -> None:
        """A swap that did not execute; mined and reverted, the gas it burnt is counted
        against the parent (a fee with no fill)."""
        cost = error.gas_cost
        burnt = error.tx_hash is not None and bool(cost)
        if burnt and cost is not None and error.tx_hash is not None:
            fee = await self.in_quote(cost)
            if self.progress.add_fill(error.tx_hash, _ZERO, _ZERO, fee, self.quote.symbol):
                self.progress.gas = money.add(self.progress.gas or _ZERO, cost)
        await self.refused(f"{type(error).__name__}: {error}", save=burnt, gas=cost, **fields)

    async def account(self, receipt: SwapReceipt) -> None:
        """Add a mined swap's base, value and gas to the parent order, and journal it."""
        progress = self.progress
        buy = self.side is Side.BUY
        base = receipt.amount_out if buy else receipt.amount_in
        value = receipt.amount_in if buy else receipt.amount_out
        fee = await self.in_quote(receipt.gas_cost)
        if progress.add_fill(receipt.tx_hash, base, value, fee, self.quote.symbol):
            progress.sent += 1
            progress.gas = money.add(progress.gas or _ZERO, receipt.gas_cost)
        await self.journal.save(progress, self.clock.now())

    # --- unknown outcomes ------------------------------------------------------------------

    async def resolve(self, chain_time: datetime) -> bool:
        """Settle the swap in flight, if any, by its hash; False while its outcome stays
        unknown (nothing else is sent then). ``chain_time`` is the latest block's time."""
        progress = self.progress
        tx_hash = progress.pending
        if tx_hash is None:
            return True
        try:
            receipt = await self.venue.receipt(tx_hash)
        except SwapReverted as exc:
            await self.reverted(exc, tx_hash=tx_hash)
            return True
        except ExchangeError as exc:
            self.log.warning("swap not looked up; retrying next tick", tx_hash=tx_hash,
                             error=f"{type(exc).__name__}: {exc}")
            return False
        if receipt is not None:
            self.log.info("swap found mined", tx_hash=tx_hash)
            await self.account(receipt)
            return True
        until = progress.pending_until
        if until is not None and chain_time > until:
            await self.refused("never mined before its deadline; the chain can no longer "
                               "execute it", tx_hash=tx_hash, deadline=until.isoformat())
            return True
        return False
