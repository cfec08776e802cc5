"""What every executor shares: its binding to one mandate's market, and a tick's
reconciliation in order (plan, placements, writes, outcomes).

A tick's plan (:func:`~plugins.market_making._reconcile.reconcile`) keeps the orders that
already match, cancels the others and places the missing quotes. Each placement is
quantized by the market and checked by the risk component against the book as it will
stand (:mod:`~plugins.market_making.executors._placing`). Cancels and placements go out
concurrently, except a placement that would cross an order still being cancelled: it waits
for the cancels and is checked again, so the mandate never trades with itself.

A write that fails is either refused (nothing changed on the venue) or of unknown outcome
(:mod:`~plugins.market_making.executors._outcome`, the one policy for every order sent,
applied by :mod:`~plugins.market_making.executors._writes`): an order of unknown outcome
is looked up before anything else is placed or cancelled, and while it cannot be found
the executor trades no further.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, TypeVar

from pydantic import Field

from fortuna import Component, ComponentArgs, ExactDecimal
from plugins.market_making._reconcile import reconcile
from plugins.market_making.executors._outcome import find_by_client_id
from plugins.market_making.executors._placing import after_cancels, placements
from plugins.market_making.executors._requests import log_report
from plugins.market_making.executors._writes import OrderWrites, send_all
from schemas import Exchange, Market, Order, OrderRequest, same_objects
from schemas.market_making import (
    DesiredQuote,
    ExecutionReport,
    Executor,
    OrderTally,
    RiskCheck,
)
from schemas.metrics import FillJournal, FillPage

__all__ = ["ExecutorArgs", "ExecutorBase"]

class ExecutorArgs(ComponentArgs):
    price_tolerance: Annotated[ExactDecimal, Field(ge=0, lt=1)] = Field(
        default=Decimal(0),
        description="keep a resting order whose price is within this fraction of the "
        "desired price (0.0005 = 5 bps) instead of replacing it",
    )
    amount_tolerance: Annotated[ExactDecimal, Field(ge=0, lt=1)] = Field(
        default=Decimal(0),
        description="keep a resting order whose remaining amount is within this fraction "
        "of the desired amount",
    )
    post_only: bool = Field(
        default=False, description="send maker-only orders (refused by the venue if they take)"
    )
    keep_fills: int = Field(
        default=100_000, ge=1, description="fills remembered for metrics.fills"
    )


ArgsT = TypeVar("ArgsT", bound=ExecutorArgs)


@dataclass(frozen=True, slots=True)
class _Settled:
    """Quotes and resting orders (these very objects) that reconcile kept as they were:
    nothing to place, nothing to cancel."""

    quotes: tuple[DesiredQuote, ...]
    orders: tuple[Order, ...]


class ExecutorBase(Component[ArgsT], OrderWrites, Executor):
    """Reconciles desired quotes with resting orders; subclasses say how orders are written."""

    _exchange: Exchange | None = None
    _market: Market | None = None
    _prefix = ""
    _mandate = ""
    _venue = ""
    _journal: FillJournal | None = None
    _settled: _Settled | None = None

    # --- binding ------------------------------------------------------------------------

    def bind(self, *, exchange: Exchange, market: Market, prefix: str, venue: str) -> None:
        if self._exchange is not None and (
            self._exchange is not exchange or self._market != market
            or self._prefix != f"{prefix}-"
        ):
            raise RuntimeError(
                f"{self.name}: an executor serves one market_making service; it is bound to "
                f"{self._prefix[:-1]!r} on {self._market.symbol if self._market else '?'}"
            )
        # Client order ids in the format the venue takes (schemas.ClientIdFormat): refused
        # here, with the venue's reason, when the mandate's name cannot prefix them there.
        self._id_format = exchange.client_id_format
        self._run = int(self.clock.time() * 1000)
        self._id_format.issue(prefix, self._run, 1, venue)
        self._exchange = exchange
        self._market = market
        self._prefix = f"{prefix}-"
        self._mandate = prefix
        self._venue = venue
        self._resting: dict[str, Order] = {}
        self._unknown: dict[str, OrderRequest] = {}
        self._sequence = itertools.count(1)

    @property
    def exchange(self) -> Exchange:
        if self._exchange is None:
            raise RuntimeError(f"{self.name}: not bound to a market_making service")
        return self._exchange

    @property
    def market(self) -> Market:
        if self._market is None:
            raise RuntimeError(f"{self.name}: not bound to a market_making service")
        return self._market

    @property
    def tally(self) -> OrderTally:
        """Orders placed, cancelled, refused and failed over the run (the run summary)."""
        found: OrderTally | None = self.__dict__.get("_tally")
        if found is None:
            found = self.__dict__["_tally"] = OrderTally()
        return found

    @property
    def journal(self) -> FillJournal:
        if self._journal is None:
            self._journal = FillJournal(self.args.keep_fills)
        return self._journal

    def owns(self, order: Order) -> bool:
        """Whether an order belongs to this mandate (by its client-order-id prefix)."""
        return self.owns_client_id(order.client_order_id)

    def owns_client_id(self, client_order_id: str | None) -> bool:
        """Whether a client order id was issued for this mandate (by any of its runs)."""
        return self._id_format.owns(self._mandate, client_order_id)

    def next_client_id(self) -> str:
        return self._id_format.issue(self._mandate, self._run, next(self._sequence),
                                     self._venue)

    @property
    def resting(self) -> Sequence[Order]:
        return list(self._resting.values())

    @property
    def unresolved(self) -> Sequence[OrderRequest]:
        """Placements of unknown outcome not found yet: until they are, nothing is sent."""
        return list(self._unknown.values())

    async def find_placed(self, client_ids: list[str]) -> dict[str, Order]:
        """Placements of unknown outcome as the venue holds them, by client order id (the
        open orders first, then the final ones); venue errors propagate."""
        return await find_by_client_id(self.exchange, self.market.symbol, client_ids)

    # --- FillSource ---------------------------------------------------------------------

    @property
    def fill_venue(self) -> str:
        return self._venue

    async def fills_since(self, cursor: int, limit: int = 1000) -> FillPage:
        return self.journal.since(cursor, limit)

    # --- reconciliation -----------------------------------------------------------------

    async def execute(
        self, desired: Sequence[DesiredQuote], reference: Decimal, risk: RiskCheck
    ) -> ExecutionReport:
        report = ExecutionReport()
        if not await self._resolved(report):
            self.tally.count(report)
            return report
        resting = list(self._resting.values())
        settled = self._settled
        if (
            settled is not None and same_objects(desired, settled.quotes)
            and same_objects(resting, settled.orders)
        ):  # what reconcile found last tick, for the very same quotes and orders
            report.kept = len(resting)
            return report
        plan = reconcile(
            desired,
            resting,
            price_tolerance=self.args.price_tolerance,
            amount_tolerance=self.args.amount_tolerance,
        )
        report.kept = len(plan.keep)
        if not plan.place and not plan.cancel:
            self._settled = _Settled(tuple(desired), tuple(resting))
            return report
        refuse = functools.partial(self._refuse, report)  # logged and reported as they come
        sending = placements(
            plan, self.market, risk, reference, self.clock.monotonic(),
            post_only=self.args.post_only, next_client_id=self.next_client_id, refuse=refuse,
        )
        await send_all(
            [self._cancel_one(order, report) for order in plan.cancel]
            + [self._place_one(request, report) for request in sending.immediate]
        )
        deferred = sending.deferred
        if not await self._resolved(report):
            deferred = []  # trade no further until the unknown outcomes are known
        if deferred:
            late = after_cancels(deferred, list(self._resting.values()), refuse)
            await send_all([self._place_one(r, report) for r in late])
            await self._resolved(report)
        self.tally.count(report)
        log_report(self.log, report)
        return report
