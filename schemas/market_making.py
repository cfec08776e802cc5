"""Market-making contracts: desired quotes, strategies, executors and pre-trade risk.

A tick of the ``market_making`` service reads a reference price, asks a :class:`Strategy`
for the quotes it wants (:class:`DesiredQuote`), and hands them to an :class:`Executor`,
which reconciles them with the mandate's resting orders. Every order the executor is about
to send first passes a :class:`RiskCheck`, which refuses it with a reason or lets it through.

Kill switches that want to hear how each tick went (``kill_switches.consecutive_errors``)
also implement :class:`TickObserver`; the service tells every such switch after each tick.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from fortuna import Interface
from schemas import money
from schemas._exchange import Exchange
from schemas._market import Market
from schemas._market_data import Balances
from schemas._orders import Order, OrderRequest
from schemas._values import Side
from schemas.metrics import FillSource
from schemas.risk import TickObserver  # re-exported: it used to live here

__all__ = [
    "DesiredQuote",
    "ExecutionReport",
    "Executor",
    "OrderTally",
    "QuoteContext",
    "RiskCheck",
    "RiskContext",
    "Strategy",
    "TickObserver",
    "check_quote",
]


class DesiredQuote(NamedTuple):
    """One order a strategy wants resting: side, limit price (quote per base), base amount.

    ``tag`` names what asked for it (a strategy or ladder level), for logs only. A tuple,
    so a strategy builds dozens per tick for next to nothing; the service checks every
    quote (Decimal, finite, positive) before it goes anywhere, and drops a bad one with
    the reason (:func:`check_quote`).
    """

    side: Side
    price: Decimal
    amount: Decimal
    tag: str = ""

    @property
    def notional(self) -> Decimal:
        return money.multiply(self.price, self.amount)


def check_quote(quote: DesiredQuote) -> str | None:
    """Why ``quote`` is malformed, or None. A float price or amount, or a side that is not
    a :class:`Side`, is a programming error and raises ``TypeError``."""
    price, amount = quote.price, quote.amount
    if type(price) is not Decimal or type(amount) is not Decimal or type(quote.side) is not Side:
        if not isinstance(price, Decimal) or not isinstance(amount, Decimal):
            raise TypeError(
                f"a quote's price and amount are Decimals, never floats: got "
                f"{type(price).__name__} {price!r}, {type(amount).__name__} {amount!r}"
            )
        if not isinstance(quote.side, Side):
            raise TypeError(f"a quote's side is a Side, got {quote.side!r}")
    if not price.is_finite() or price <= 0:
        return f"price {price} is not positive"
    if not amount.is_finite() or amount <= 0:
        return f"amount {amount} is not positive"
    return None


@dataclass(frozen=True, slots=True)
class QuoteContext:
    """What a strategy sees on a tick.

    ``resting`` holds the mandate's own resting orders on the market (virtual ones for a
    dry run); ``balances`` is None when the service did not read them.
    """

    reference: Decimal
    market: Market
    now: datetime
    resting: Sequence[Order] = ()
    balances: Balances | None = None

    @property
    def base(self) -> str:
        return self.market.base

    @property
    def quote(self) -> str:
        return self.market.quote

    def inventory(self) -> Decimal | None:
        """Total base currency held, or None without balances."""
        return None if self.balances is None else self.balances.total(self.market.base)


class Strategy(Interface, abc.ABC):
    """Decides the quotes a mandate wants resting, from a :class:`QuoteContext`.

    Pure: no I/O, no clock, the same context gives the same quotes. Prices need not be on
    the tick; the service quantizes them (never more aggressive than asked).
    """

    @abc.abstractmethod
    def quotes(self, context: QuoteContext) -> list[DesiredQuote]:
        """The quotes wanted now, on both sides, in any order."""


@dataclass(frozen=True, slots=True)
class RiskContext:
    """The mandate's own book as it will stand, for checking one order about to be sent.

    ``book`` is every own order that rests or is about to: resting orders not being
    cancelled plus the placements already approved on this tick. ``now`` is the clock's
    monotonic time (for rate limits).
    """

    reference: Decimal
    book: Sequence[OrderRequest | Order]
    now: float


class RiskCheck(Interface, abc.ABC):
    """Pre-trade limits: refuses an order (with the reason) before it reaches the venue."""

    @abc.abstractmethod
    def refusal(self, request: OrderRequest, context: RiskContext) -> str | None:
        """Why ``request`` must not be sent, or None when it may."""

    @abc.abstractmethod
    def record_sent(self, request: OrderRequest, now: float) -> None:
        """Count an order that was sent (for order-rate limits)."""


@dataclass(slots=True)
class ExecutionReport:
    """What one reconciliation did (or, for a dry run, would have done)."""

    kept: int = 0
    placed: list[Order] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    refused: list[tuple[OrderRequest, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.placed or self.cancelled or self.refused or self.errors)


@dataclass(slots=True)
class OrderTally:
    """What an executor did over a run, for the run summary: orders placed, cancelled,
    refused before sending (risk limits, market rules), and writes that failed (a venue
    error, or the venue rejecting the order)."""

    placed: int = 0
    cancelled: int = 0
    refused: int = 0
    failed: int = 0

    def count(self, report: ExecutionReport) -> None:
        self.placed += len(report.placed)
        self.cancelled += len(report.cancelled)
        self.refused += len(report.refused)
        self.failed += len(report.errors)


class Executor(FillSource, abc.ABC):
    """Turns desired quotes into resting orders on one market, for one mandate.

    The service binds it to its exchange, market and client-order-id prefix in its ``load``.
    Every write to the venue for the mandate goes through the executor, so a dry run
    touches nothing.
    """

    @abc.abstractmethod
    def bind(self, *, exchange: Exchange, market: Market, prefix: str, venue: str) -> None:
        """Attach to the service's exchange, market and client-order-id prefix; ``venue``
        labels the fills it reports."""

    @property
    @abc.abstractmethod
    def resting(self) -> Sequence[Order]:
        """The mandate's resting orders as last seen (after :meth:`sync`)."""

    @abc.abstractmethod
    async def sync(self) -> None:
        """Refresh the resting orders from the venue and record new fills."""

    @abc.abstractmethod
    async def recover(self, mode: str) -> list[Order]:
        """Orders an earlier run of the mandate left: ``"cancel"`` them or ``"adopt"``
        them as resting. Returns those found."""

    @abc.abstractmethod
    async def execute(
        self, desired: Sequence[DesiredQuote], reference: Decimal, risk: RiskCheck
    ) -> ExecutionReport:
        """Reconcile the resting orders with ``desired``; each placement passes ``risk``."""

    @abc.abstractmethod
    async def cancel_all(self) -> list[Order]:
        """Cancel every resting order of the mandate; returns those still resting after
        the attempts (empty when the venue holds none)."""

    def simulated_balances(self) -> Balances | None:
        """The account as this executor simulates it (paper trading), or None when the
        venue's balances are the account (the default)."""
        return None
