"""What both executors share: reconciliation, pre-trade risk, ordering of the writes.

A tick's plan (:func:`~plugins.market_making._reconcile.reconcile`) keeps the orders that
already match, cancels the others and places the missing quotes. Each placement is
quantized by the market and checked by the risk component against the book as it will
stand (orders kept plus placements approved so far). Cancels and placements go out
concurrently, except a placement that would cross an order still being cancelled: it waits
for the cancels and is checked again, so the mandate never trades with itself.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Coroutine, Sequence
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import Field

from fortuna import Component, ComponentArgs, ExactDecimal
from plugins.market_making._concurrency import gather
from plugins.market_making._quoting import grid_of, on_grid
from plugins.market_making._reconcile import crosses, reconcile
from schemas import (
    Exchange,
    Market,
    Order,
    OrderNotFound,
    OrderRejected,
    OrderRequest,
    OrderType,
    Side,
    TimeInForce,
)
from schemas.market_making import (
    DesiredQuote,
    ExecutionReport,
    Executor,
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
        grid = grid_of(market)
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
            request = _limit_request(
                symbol, side, quote.amount, price, time_in_force, self.next_client_id(), post_only
            )
            if not on_grid(market, quote, grid=grid):
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
        self._log_report(report)
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
        except Exception as exc:
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
            return
        if result is not None and result.is_open:
            return  # the venue still holds it; the next sync tells
        self._resting.pop(order.id, None)
        report.cancelled.append(order.id)
        self.cancelled(order, result)

    def cancel_gone(self, error: Exception) -> bool:
        """Whether a failed cancel means the order is gone anyway (unknown to the venue)."""
        return isinstance(error, OrderNotFound)

    def placed(self, order: Order) -> None:
        """Hook: an order was placed (or would have been)."""

    def cancelled(self, order: Order, result: Order | None) -> None:
        """Hook: an order was cancelled (or would have been)."""

    def _log_report(self, report: ExecutionReport) -> None:
        if not (report.placed or report.cancelled):
            return
        log = self.log
        if _enabled(log, logging.INFO):
            bids = [o.price for o in report.placed if o.side.value == "buy" and o.price]
            asks = [o.price for o in report.placed if o.side.value == "sell" and o.price]
            log.info(
                "quotes updated",
                placed=len(report.placed),
                cancelled=len(report.cancelled),
                kept=report.kept,
                refused=len(report.refused),
                best_new_bid=max(bids) if bids else None,
                best_new_ask=min(asks) if asks else None,
            )
        if _enabled(log, logging.DEBUG):  # formats every order: only when it is written
            log.debug(
                "quotes placed",
                orders=[f"{o.side.value} {o.amount} @ {o.price}" for o in report.placed],
            )


def _enabled(log: Any, level: int) -> bool:
    """Whether ``log`` writes events of ``level`` (a structlog filtering logger says; any
    other logger is assumed to write everything, so its events are built as before)."""
    is_enabled_for = getattr(log, "is_enabled_for", None)
    return is_enabled_for is None or bool(is_enabled_for(level))


_set = object.__setattr__
_REQUEST_FIELDS = frozenset(
    ("symbol", "side", "type", "amount", "price", "time_in_force", "client_order_id",
     "post_only")
)


def _limit_request(
    symbol: str,
    side: Side,
    amount: Decimal,
    price: Decimal,
    time_in_force: TimeInForce,
    client_order_id: str,
    post_only: bool,
) -> OrderRequest:
    """``OrderRequest.model_construct(...)`` of a limit order with every field given: the
    same instance (field values, fields set, no extras, no private state) without
    model_construct's walk over aliases and defaults. Only for values already valid: a
    quote's side, price and amount (checked finite and positive), the market's symbol, the
    executor's own client id, and a time in force that agrees with ``post_only``."""
    request = OrderRequest.__new__(OrderRequest)
    _set(request, "__dict__", {
        "symbol": symbol,
        "side": side,
        "type": OrderType.LIMIT,
        "amount": amount,
        "price": price,
        "time_in_force": time_in_force,
        "client_order_id": client_order_id,
        "post_only": post_only,
    })
    _set(request, "__pydantic_fields_set__", set(_REQUEST_FIELDS))
    _set(request, "__pydantic_extra__", None)
    _set(request, "__pydantic_private__", None)
    return request


async def _all(coroutines: list[Coroutine[Any, Any, None]]) -> None:
    """Await every coroutine concurrently, started in list order: the first in this task,
    the others as tasks (:func:`~plugins.market_making._concurrency.gather`). The
    coroutines are ``_place_one`` and ``_cancel_one``, which catch every ``Exception``;
    if this task is cancelled meanwhile, the others are cancelled too (as with
    ``asyncio.gather``)."""
    if coroutines:
        await gather(*coroutines)
