"""Swap-venue contracts: tokens, exact quotes, bounded swaps, their receipts and errors.

An automated market maker is not an order book: nothing rests, nothing is cancelled. A
swap either executes in one transaction, inside the bounds its request carries (a minimum
out for an exact input, a maximum in for an exact output, and a deadline), or it does not
execute at all. So the contract is a quote, a request that binds the worst acceptable
outcome, and a receipt that says exactly what the chain did and what the transaction cost.

Every swap venue speaks it: Uniswap-style pools on EVM chains, and the Solana and
MultiversX venues alike (a token's ``address`` is whatever names it on its chain: a 0x
address, a mint, an ESDT identifier; ``block`` is the block number, slot or nonce that
holds the state or the transaction).

Amounts travel on the wire as integers of the token's smallest unit and live in these
contracts as exact ``Decimal``: :func:`schemas.money.to_units` and ``from_units``
(re-exported here) are the one conversion, and a model refuses an amount with more
digits than its token has decimals (that amount cannot exist on the chain). Rounding,
when a computation needs it (a minimum out from a slippage fraction), is explicit and
always in the direction that protects the sender.

Errors are the project's exchange errors (``schemas``), with the chain's own words:
:class:`SwapReverted` (mined and reverted; the decoded revert reason, the transaction and
the gas it burnt), its :class:`SlippageExceeded` and :class:`DeadlineExpired` cases,
:class:`InsufficientAllowance`, :class:`GasBudgetExceeded` (nothing sent), and
:class:`SwapOutcomeUnknown` (sent, fate not known: look it up with :meth:`SwapVenue.receipt`,
never assume it failed).
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fortuna import Interface
from schemas._errors import NotSupported
from schemas._swap_errors import (
    DeadlineExpired,
    GasBudgetExceeded,
    InsufficientAllowance,
    SlippageExceeded,
    SwapDropped,
    SwapInsufficientFunds,
    SwapOutcomeUnknown,
    SwapReverted,
)
from schemas._values import Amount, Fee, NonNegativeAmount, Price, Timestamp
from schemas.money import MoneyError, Rounding, from_units, ratio, to_units

__all__ = [
    "DeadlineExpired",
    "GasBudgetExceeded",
    "InsufficientAllowance",
    "PoolPrice",
    "PoolTrade",
    "SignedHook",
    "SlippageExceeded",
    "SwapDropped",
    "SwapInsufficientFunds",
    "SwapKind",
    "SwapOutcomeUnknown",
    "SwapQuote",
    "SwapReceipt",
    "SwapRequest",
    "SwapReverted",
    "SwapVenue",
    "Token",
    "from_units",
    "to_units",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid", defer_build=True)
MAX_DECIMALS = 77
"""More decimals than any token uses (a uint256 holds 77 decimal digits)."""


class Token(BaseModel):
    """A token on one chain: where it lives, what it is called, how many decimals it has."""

    model_config = _FROZEN

    address: str = Field(
        min_length=1,
        description="what names the token on its chain: a 0x address (EVM), a mint (Solana), "
        "an ESDT identifier (MultiversX)",
    )
    symbol: str = Field(min_length=1, description="the token's ticker, e.g. 'USDC'")
    decimals: int = Field(ge=0, le=MAX_DECIMALS, description="decimals of its smallest unit")

    def to_units(self, amount: Decimal, rounding: Rounding | None = None) -> int:
        """``amount`` in this token's smallest units (:func:`schemas.money.to_units`)."""
        return to_units(amount, self.decimals, rounding)

    def from_units(self, units: int) -> Decimal:
        """``units`` smallest units of this token as an exact ``Decimal``."""
        return from_units(units, self.decimals)


def _check_units(token: Token, amount: Decimal, what: str) -> None:
    try:
        token.to_units(amount)
    except MoneyError:
        raise ValueError(
            f"{what} {amount} has more than {token.decimals} decimals, which {token.symbol} "
            "cannot hold"
        ) from None


class SwapKind(StrEnum):
    """Which side of a swap is exact: the input spent, or the output received."""

    EXACT_IN = "exact_in"
    EXACT_OUT = "exact_out"


class SwapQuote(BaseModel):
    """What swapping now gives: both amounts exact, as the pool's own math computes them.

    For ``exact_in``, ``amount_in`` is what was asked and ``amount_out`` what the pool
    pays; for ``exact_out`` the other way round. The pool fee is already inside the
    amounts (``fee_rate`` says how much it was); ``gas_cost`` estimates the network fee of
    executing it, in the chain's native coin.
    """

    model_config = _FROZEN

    venue: str = Field(description="the venue's name")
    pool: str = Field(min_length=1, description="the pool (or route) that prices the swap")
    kind: SwapKind = Field(description="which amount was asked for exactly")
    token_in: Token = Field(description="the token spent")
    token_out: Token = Field(description="the token received")
    amount_in: Amount = Field(description="amount of token_in spent")
    amount_out: Amount = Field(description="amount of token_out received")
    fee_rate: Fee = Field(description="the pool's fee as a fraction of the input (0.003 = 0.3%)")
    gas_cost: NonNegativeAmount | None = Field(
        default=None, description="estimated network fee to execute, in the native coin"
    )
    block: int | None = Field(default=None, ge=0, description="the block the pool state is from")
    timestamp: Timestamp = Field(description="when the pool state was read (UTC)")

    @model_validator(mode="after")
    def _representable(self) -> SwapQuote:
        if self.token_in.address == self.token_out.address:
            raise ValueError(f"a swap needs two different tokens, got {self.token_in.symbol} twice")
        _check_units(self.token_in, self.amount_in, "amount_in")
        _check_units(self.token_out, self.amount_out, "amount_out")
        return self

    @property
    def price(self) -> Decimal:
        """Average price paid, token_in per token_out, to 34 significant digits."""
        return ratio(self.amount_in, self.amount_out)

    def request(
        self, slippage: Decimal, deadline: Timestamp, *, recipient: str | None = None
    ) -> SwapRequest:
        """The request that executes this quote, accepting ``slippage`` (a fraction) worse:
        exact-in: minimum out = amount_out * (1 - slippage), rounded down to a unit;
        exact-out: maximum in = amount_in * (1 + slippage), rounded up to a unit."""
        if not isinstance(slippage, Decimal) or not Decimal(0) <= slippage < Decimal(1):
            raise ValueError(f"slippage must be a Decimal fraction in [0, 1), got {slippage!r}")
        # Integer arithmetic on the smallest units: exact whatever the amounts' size.
        numerator, denominator = slippage.as_integer_ratio()
        if self.kind is SwapKind.EXACT_IN:
            units = self.token_out.to_units(self.amount_out)
            least = units * (denominator - numerator) // denominator  # floor: protects us
            amount, limit = self.amount_in, self.token_out.from_units(least)
        else:
            units = self.token_in.to_units(self.amount_in)
            most = -(-units * (denominator + numerator) // denominator)  # ceiling
            amount, limit = self.amount_out, self.token_in.from_units(most)
        return SwapRequest(
            kind=self.kind, token_in=self.token_in, token_out=self.token_out, amount=amount,
            limit=limit, deadline=deadline, pool=self.pool, recipient=recipient,
        )


class SwapRequest(BaseModel):
    """A swap bounded on every side: an exact amount, a limit on the other, a deadline.

    ``exact_in``: spend exactly ``amount`` of token_in, receive at least ``limit`` of
    token_out. ``exact_out``: receive exactly ``amount`` of token_out, spend at most
    ``limit`` of token_in. The chain refuses it (nothing swapped) past ``deadline``.
    """

    model_config = _FROZEN

    kind: SwapKind = Field(description="exact_in (amount is the input) or exact_out (the output)")
    token_in: Token = Field(description="the token spent")
    token_out: Token = Field(description="the token received")
    amount: Amount = Field(description="the exact amount: input for exact_in, output for exact_out")
    limit: NonNegativeAmount = Field(
        description="exact_in: the minimum output accepted; exact_out: the maximum input spent"
    )
    deadline: Timestamp = Field(description="the chain refuses the swap after this time (UTC)")
    pool: str | None = Field(default=None, description="the pool to use; the venue's own if None")
    recipient: str | None = Field(
        default=None, description="who receives the output; the venue's wallet if None"
    )

    @model_validator(mode="after")
    def _representable(self) -> SwapRequest:
        if self.token_in.address == self.token_out.address:
            raise ValueError(f"a swap needs two different tokens, got {self.token_in.symbol} twice")
        exact, bounded = (
            (self.token_in, self.token_out)
            if self.kind is SwapKind.EXACT_IN
            else (self.token_out, self.token_in)
        )
        _check_units(exact, self.amount, "amount")
        _check_units(bounded, self.limit, "limit")
        if self.kind is SwapKind.EXACT_OUT and self.limit == 0:
            raise ValueError("an exact_out swap needs a maximum input above zero")
        return self

    @property
    def amount_in(self) -> Decimal:
        """The input spent (exact_in) or the most that may be spent (exact_out)."""
        return self.amount if self.kind is SwapKind.EXACT_IN else self.limit

    @property
    def amount_out(self) -> Decimal:
        """The output received (exact_out) or the least that must be (exact_in)."""
        return self.limit if self.kind is SwapKind.EXACT_IN else self.amount


class SwapReceipt(BaseModel):
    """What a mined swap did: exact amounts moved, gas burnt and its cost, where it is."""

    model_config = _FROZEN

    venue: str = Field(description="the venue's name")
    pool: str = Field(min_length=1, description="the pool that executed it")
    kind: SwapKind = Field(description="which amount the request fixed")
    token_in: Token = Field(description="the token spent")
    token_out: Token = Field(description="the token received")
    amount_in: Amount = Field(description="amount of token_in the swap took")
    amount_out: Amount = Field(description="amount of token_out the swap paid")
    gas_used: int = Field(ge=0, description="gas (compute units) the transaction consumed")
    gas_cost: NonNegativeAmount = Field(description="the network fee paid, in the native coin")
    native_currency: str = Field(min_length=1, description="the chain's native coin, e.g. 'ETH'")
    block: int = Field(ge=0, description="the block (slot) that holds the transaction")
    tx_hash: str = Field(min_length=1, description="the transaction's hash (signature)")
    timestamp: Timestamp = Field(description="the block's time (UTC)")

    @model_validator(mode="after")
    def _representable(self) -> SwapReceipt:
        _check_units(self.token_in, self.amount_in, "amount_in")
        _check_units(self.token_out, self.amount_out, "amount_out")
        return self

    @property
    def price(self) -> Decimal:
        """Average price paid, token_in per token_out, to 34 significant digits."""
        return ratio(self.amount_in, self.amount_out)


class PoolPrice(BaseModel):
    """A pool's mid price (before fees, for an infinitesimal trade), the block it is from.

    ``price`` is quote per base, from the pool's state (reserves, sqrtPriceX96), to 34
    significant digits rounded half-even; the exact ratio is usually not a finite decimal.
    """

    model_config = _FROZEN

    pool: str = Field(min_length=1, description="the pool read")
    base: Token = Field(description="the token priced")
    quote: Token = Field(description="the token the price is expressed in")
    price: Price = Field(description="quote per base, 34 significant digits")
    block: int = Field(ge=0, description="the block the state was read at")
    timestamp: Timestamp = Field(description="that block's time (UTC)")


class PoolTrade(BaseModel):
    """One swap executed in a pool, as its event logged it: base and quote that changed hands.

    Amounts are the pool's net token movements (the pool fee inside the quote amount when
    quote was paid in), exact. ``base_in`` says the trader sold base to the pool.
    """

    model_config = _FROZEN

    pool: str = Field(min_length=1, description="the pool that executed it")
    block: int = Field(ge=0, description="the block that holds it")
    tx_hash: str = Field(min_length=1, description="its transaction")
    index: int = Field(ge=0, description="the event's position in the block (log index)")
    base: NonNegativeAmount = Field(description="base that changed hands")
    quote: NonNegativeAmount = Field(description="quote that changed hands")
    base_in: bool = Field(description="True when the trader sold base (base went in)")


SignedHook = Callable[[str], Awaitable[None]]
"""Awaited with a swap's transaction hash after signing, before broadcasting."""


class SwapVenue(Interface, abc.ABC):
    """A venue that swaps tokens from pools: quote exactly, swap within bounds, read balances."""

    @property
    @abc.abstractmethod
    def venue(self) -> str:
        """The venue's name."""

    @property
    @abc.abstractmethod
    def native_currency(self) -> str:
        """The chain's native coin, which pays the network fees ('ETH', 'BNB', 'SOL')."""

    @abc.abstractmethod
    async def token(self, address: str) -> Token:
        """The token at ``address``, its symbol and decimals read from the chain."""

    @abc.abstractmethod
    async def quote(self, kind: SwapKind, token_in: Token, token_out: Token,
                    amount: Decimal) -> SwapQuote:
        """The exact amounts of swapping ``amount`` (the input for exact_in, the output for
        exact_out) now; ``InvalidOrder`` when the pool cannot fill it."""

    @abc.abstractmethod
    async def mid_price(self, base: Token, quote: Token) -> PoolPrice:
        """The mid price of the venue's pool for the pair, quote per base, with its block."""

    @abc.abstractmethod
    async def swap(self, request: SwapRequest, *, signed: SignedHook | None = None
                   ) -> SwapReceipt:
        """Execute ``request`` and wait for the chain's verdict. A permanent error means
        nothing was swapped; :class:`SwapOutcomeUnknown` means look it up by hash.

        ``signed``, when given, is awaited with the transaction's hash once it is signed and
        before it is broadcast, so a caller can journal the hash ahead of the send; if it
        raises, nothing is sent and its error propagates."""

    @abc.abstractmethod
    async def receipt(self, tx_hash: str) -> SwapReceipt | None:
        """The receipt of a swap this venue's wallet sent (in this process or an earlier
        one), None while the chain does not know it; :class:`SwapReverted` when it was
        mined and reverted."""

    async def pool_trades(self, base: Token, quote: Token, first_block: int,
                          last_block: int) -> list[PoolTrade]:
        """Every swap of the venue's pool for the pair mined in blocks ``first_block`` to
        ``last_block`` (inclusive), oldest first, whoever sent it; ``NotSupported`` for a
        venue that routes over many pools (an aggregator)."""
        raise NotSupported(f"{self.venue} does not report its pool's swaps", venue=self.venue)

    @abc.abstractmethod
    async def balance(self, token: Token) -> Decimal:
        """The wallet's balance of ``token``."""

    @abc.abstractmethod
    async def native_balance(self) -> Decimal:
        """The wallet's balance of the native coin."""

