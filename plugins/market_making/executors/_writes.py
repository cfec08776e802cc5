"""Sending one placement or cancel and settling its outcome: done, refused, failed, or
unknown and looked up.

Every write an executor sends goes through :class:`OrderWrites`, the one place that
applies the policy of :mod:`~plugins.market_making.executors._outcome`: a write the
venue refused changed nothing and is reported; any other failure after the request may
have left is of *unknown outcome*. A placement of unknown outcome is remembered by its
client order id and looked up (:meth:`OrderWrites._resolved`) before anything else is
placed or cancelled; while the lookup fails, the executor trades no further. A cancel of
unknown outcome is read back by the order's id; while that fails the order stays
resting here, the conservative view (it may still trade).

The executor's resting orders (``_resting``, by venue id) change only here, in ``sync``
and in recovery. How orders are written (on the venue, virtually, on paper) is the
subclass's: :meth:`~OrderWrites.place`, :meth:`~OrderWrites.cancel` and the hooks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from plugins.market_making._concurrency import gather
from plugins.market_making.executors._outcome import refused
from schemas import Exchange, Order, OrderNotFound, OrderRequest
from schemas.market_making import ExecutionReport

if TYPE_CHECKING:
    from fortuna import Logger

__all__ = ["OrderWrites", "send_all"]


class OrderWrites:
    """Writes of one executor and their outcomes (a base of ``ExecutorBase``)."""

    _resting: dict[str, Order]
    _unknown: dict[str, OrderRequest]

    if TYPE_CHECKING:  # given by the executor (fortuna.Component and its binding)

        @property
        def log(self) -> Logger: ...

        @property
        def exchange(self) -> Exchange: ...

    # --- how orders are written (exchange or virtual) ----------------------------------

    async def place(self, request: OrderRequest) -> Order:
        raise NotImplementedError

    async def cancel(self, order: Order) -> Order | None:
        raise NotImplementedError

    async def find_placed(self, client_ids: list[str]) -> dict[str, Order]:
        """Placements of unknown outcome as the venue holds them, by client order id
        (``ExecutorBase`` reads them from the venue)."""
        raise NotImplementedError

    def outcome_unknown(self) -> None:
        """Hook: a write's outcome is unknown (it may have filled)."""

    def cancel_gone(self, error: Exception) -> bool:
        """Whether a failed cancel means the order is gone anyway (unknown to the venue)."""
        return isinstance(error, OrderNotFound)

    def placed(self, order: Order) -> None:
        """Hook: an order was placed (or would have been)."""

    def cancelled(self, order: Order, result: Order | None) -> None:
        """Hook: an order was cancelled (or would have been)."""

    # --- one write ----------------------------------------------------------------------

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


async def send_all(coroutines: list[Coroutine[Any, Any, None]]) -> None:
    """Await every coroutine concurrently, started in list order: the first in this task,
    the others as tasks (:func:`~plugins.market_making._concurrency.gather`). The
    coroutines are ``_place_one`` and ``_cancel_one``, which catch every ``Exception``;
    if this task is cancelled meanwhile, the others are cancelled too (as with
    ``asyncio.gather``)."""
    if coroutines:
        await gather(*coroutines)
