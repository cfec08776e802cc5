"""What both executors share: reconciliation, pre-trade risk, ordering of the writes.

A tick's plan (:func:`~plugins.market_making._reconcile.reconcile`) keeps the orders that
already match, cancels the others and places the missing quotes. Each placement is
quantized by the market and checked by the risk component against the book as it will
stand (orders kept plus placements approved so far). Cancels and placements go out
concurrently, except a placement that would cross an order still being cancelled: it waits
for the cancels and is checked again, so the mandate never trades with itself.

A write that fails is either refused (nothing changed on the venue) or of unknown outcome
(:mod:`~plugins.market_making.executors._outcome`, the one policy for every order sent):
an order of unknown outcome is looked up before anything else is placed or cancelled, and
while it cannot be found the executor trades no further.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Coroutine, Sequence
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import Field

from fortuna import Component, ComponentArgs, ExactDecimal
from plugins.market_making._concurrency import gather
from plugins.market_making._quoting import on_grid
from plugins.market_making._reconcile import crosses, reconcile
from plugins.market_making.executors._outcome import find_by_client_id, refused
from plugins.market_making.executors._requests import limit_request, log_report
from schemas import (
    Exchange,
    Market,
    Order,
    OrderNotFound,
    OrderRejected,
    OrderRequest,
    Side,
    TimeInForce,
)
from schemas.market_making import (
    DesiredQuote,
    ExecutionReport,
    Executor,
    OrderTally,
    RiskCheck,
    RiskContext,
)
from schemas.metrics import FillJournal, FillPage

__all__ = ["ExecutorArgs", "ExecutorBase"]

_INFINITY = Decimal("Infinity")
_ZERO = Decimal(0)


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


class ExecutorBase(Component[ArgsT], Executor):
    """Reconciles desired quotes with resting orders; subclasses say how orders are written."""

    _exchange: Exchange | None = None
    _market: Market | None = None
    _prefix = ""
    _venue = ""
    _journal: FillJournal | None = None

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
        return self._id_format.owns(self._prefix[:-1], client_order_id)

    def next_client_id(self) -> str:
        return self._id_format.issue(self._prefix[:-1], self._run, next(self._sequence),
                                     self._venue)

    @property
    def resting(self) -> Sequence[Order]:
        return list(self._resting.values())

    @property
    def unresolved(self) -> Sequence[OrderRequest]:
        """Placements of unknown outcome not found yet: until they are, nothing is sent."""
        return list(self._unknown.values())

    # --- FillSource ---------------------------------------------------------------------

    @property
    def fill_venue(self) -> str:
        return self._venue

    async def fills_since(self, cursor: int, limit: int = 1000) -> FillPage:
        return self.journal.since(cursor, limit)

    # --- how orders are written (exchange or virtual) ----------------------------------

    async def place(self, request: OrderRequest) -> Order:
        raise NotImplementedError

    async def cancel(self, order: Order) -> Order | None:
        raise NotImplementedError

    # --- reconciliation -----------------------------------------------------------------

    async def execute(
        self, desired: Sequence[DesiredQuote], reference: Decimal, risk: RiskCheck
    ) -> ExecutionReport:
        report = ExecutionReport()
        if not await self._resolved(report):
            self.tally.count(report)
            return report
        plan = reconcile(
            desired,
            list(self._resting.values()),
            price_tolerance=self.args.price_tolerance,
            amount_tolerance=self.args.amount_tolerance,
        )
        report.kept = len(plan.keep)
        if not plan.place and not plan.cancel:
            return report
        market = self.market
        book: list[OrderRequest | Order] = list(plan.keep)
        now = self.clock.monotonic()
        # One context for the tick: ``book`` is the same list each check sees (it grows as
        # placements are approved), the reference and the time do not change within it.
        context = RiskContext(reference, book, now)
        immediate: list[OrderRequest] = []
        deferred: list[OrderRequest] = []
        post_only = self.args.post_only
        time_in_force = TimeInForce.PO if post_only else TimeInForce.GTC
        symbol = market.symbol
        buy = Side.BUY
        cancelled_sells = [o.price for o in plan.cancel if o.side is Side.SELL and o.price]
        cancelled_buys = [o.price for o in plan.cancel if o.side is buy and o.price]
        lowest_cancelled_sell = min(cancelled_sells) if cancelled_sells else _INFINITY
        highest_cancelled_buy = max(cancelled_buys) if cancelled_buys else _ZERO
        for quote in plan.place:
            side, price = quote.side, quote.price
            # Every field is already valid (a checked quote, the market's symbol, the
            # executor's own id), so the request is built without a validation pass. A quote
            # the service has quantized is on the grid already; any other goes through
            # check_order, which validates it.
            request = limit_request(
                symbol, side, quote.amount, price, time_in_force, self.next_client_id(), post_only
            )
            if not on_grid(market, quote):
                try:
                    request = market.check_order(request)
                except OrderRejected as rejected:
                    self._refuse(report, request, str(rejected))
                    continue
                checked_price = request.price
                assert checked_price is not None
                price = checked_price
            reason = risk.refusal(request, context)
            if reason is not None:
                self._refuse(report, request, reason)
                continue
            book.append(request)
            risk.record_sent(request, now)  # counted now, so the next check of this tick sees it
            if (
                (price >= lowest_cancelled_sell)
                if side is buy
                else (price <= highest_cancelled_buy)
            ):  # it would cross an order still being cancelled: place it after the cancels
                deferred.append(request)
            else:
                immediate.append(request)
        await _all(
            [self._cancel_one(order, report) for order in plan.cancel]
            + [self._place_one(request, report) for request in immediate]
        )
        if not await self._resolved(report):
            deferred = []  # trade no further until the unknown outcomes are known
        if deferred:
            still = list(self._resting.values())
            late: list[OrderRequest] = []
            for request in deferred:
                crossing = next((o for o in still if crosses(request, o)), None)
                if crossing is not None:
                    self._refuse(
                        report,
                        request,
                        f"would cross the mandate's own {crossing.side.value} at "
                        f"{crossing.price}, whose cancel did not go through",
                    )
                else:
                    late.append(request)
            await _all([self._place_one(r, report) for r in late])
            await self._resolved(report)
        self.tally.count(report)
        log_report(self.log, report)
        return report

    def _refuse(self, report: ExecutionReport, request: OrderRequest, reason: str) -> None:
        report.refused.append((request, reason))
        self.log.warning(
            "order refused",
            side=request.side.value,
            price=request.price,
            amount=request.amount,
            reason=reason,
        )

    async def _place_one(self, request: OrderRequest, report: ExecutionReport) -> None:
        try:
            order = await self.place(request)
        except asyncio.CancelledError:
            self._unknown_outcome(request)  # the request may have left: cancel_all finds it
            raise
        except Exception as exc:
            if not refused(exc):
                self._unknown_outcome(request)
                report.errors.append(
                    f"place {request.side.value} {request.amount} at {request.price}: outcome "
                    f"unknown ({type(exc).__name__}: {exc}); looked up by client order id "
                    f"{request.client_order_id}"
                )
                self.log.warning(
                    "order outcome unknown",
                    client_order_id=request.client_order_id,
                    side=request.side.value,
                    price=request.price,
                    amount=request.amount,
                    error=f"{type(exc).__name__}: {exc}",
                )
                return
            report.errors.append(f"place {request.side.value} {request.amount} at "
                                 f"{request.price}: {type(exc).__name__}: {exc}")
            self.log.error(
                "order failed",
                side=request.side.value,
                price=request.price,
                amount=request.amount,
                error=f"{type(exc).__name__}: {exc}",
            )
            return
        report.placed.append(order)
        if order.is_open:
            self._resting[order.id] = order
        self.placed(order)

    async def _cancel_one(self, order: Order, report: ExecutionReport) -> None:
        try:
            result = await self.cancel(order)
        except Exception as exc:
            if self.cancel_gone(exc):
                self._resting.pop(order.id, None)
                report.cancelled.append(order.id)
                return
            report.errors.append(f"cancel {order.id}: {type(exc).__name__}: {exc}")
            self.log.error("cancel failed", order_id=order.id, error=f"{type(exc).__name__}: {exc}")
            if not refused(exc):  # outcome unknown: the order is read back by its id
                await self._resolve_cancel(order, report)
            return
        if result is not None and result.is_open:
            return  # the venue still holds it; the next sync tells
        self._resting.pop(order.id, None)
        report.cancelled.append(order.id)
        self.cancelled(order, result)

    # --- outcomes unknown ---------------------------------------------------------------

    def _unknown_outcome(self, request: OrderRequest) -> None:
        assert request.client_order_id is not None  # the executor names every order
        self._unknown[request.client_order_id] = request
        self.outcome_unknown()

    async def _resolved(self, report: ExecutionReport) -> bool:
        """Look up every placement of unknown outcome by its client order id; True when
        none is left unknown. An order found is taken as placed (resting if open); one
        the venue lists neither open nor final was not placed."""
        unknown = self._unknown
        if not unknown:
            return True
        try:
            found = await self.find_placed(list(unknown))
        except Exception as exc:
            report.errors.append(
                f"{len(unknown)} order(s) of unknown outcome not looked up "
                f"({type(exc).__name__}: {exc}); nothing is sent until they are: "
                f"{', '.join(unknown)}"
            )
            self.log.error("orders of unknown outcome not looked up", orders=list(unknown),
                           error=f"{type(exc).__name__}: {exc}")
            return False
        for cid in list(unknown):
            del unknown[cid]
            order = found.get(cid)
            if order is None:
                self.log.info("order of unknown outcome was not placed", client_order_id=cid)
                continue
            self.log.warning("order of unknown outcome was placed", client_order_id=cid,
                             order_id=order.id, status=order.status.value, filled=order.filled)
            report.placed.append(order)
            if order.is_open:
                self._resting[order.id] = order
            self.placed(order)
        return True

    async def _resolve_cancel(self, order: Order, report: ExecutionReport) -> None:
        """A cancel of unknown outcome: the order as the venue now holds it. While the
        lookup fails it stays resting here (the conservative view: it may still trade)."""
        try:
            current = await self.exchange.fetch_order(order.id, order.symbol)
        except OrderNotFound:
            current = None
        except Exception as exc:
            self.log.warning("order of unknown cancel outcome not looked up", order_id=order.id,
                             error=f"{type(exc).__name__}: {exc}")
            return
        if current is not None and current.is_open:
            self._resting[order.id] = current
            return
        self._resting.pop(order.id, None)
        report.cancelled.append(order.id)
        self.cancelled(order, current)

    async def find_placed(self, client_ids: list[str]) -> dict[str, Order]:
        """Placements of unknown outcome as the venue holds them, by client order id (the
        open orders first, then the final ones); venue errors propagate."""
        return await find_by_client_id(self.exchange, self.market.symbol, client_ids)

    def outcome_unknown(self) -> None:
        """Hook: a write's outcome is unknown (it may have filled)."""

    def cancel_gone(self, error: Exception) -> bool:
        """Whether a failed cancel means the order is gone anyway (unknown to the venue)."""
        return isinstance(error, OrderNotFound)

    def placed(self, order: Order) -> None:
        """Hook: an order was placed (or would have been)."""

    def cancelled(self, order: Order, result: Order | None) -> None:
        """Hook: an order was cancelled (or would have been)."""


async def _all(coroutines: list[Coroutine[Any, Any, None]]) -> None:
    """Await every coroutine concurrently, started in list order: the first in this task,
    the others as tasks (:func:`~plugins.market_making._concurrency.gather`). The
    coroutines are ``_place_one`` and ``_cancel_one``, which catch every ``Exception``;
    if this task is cancelled meanwhile, the others are cancelled too (as with
    ``asyncio.gather``)."""
    if coroutines:
        await gather(*coroutines)
