"""``market_making.executors.exchange``: reconcile desired quotes with orders on the venue."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import datetime
from typing import Any

from pydantic import Field

from plugins.market_making.executors._base import ExecutorArgs, ExecutorBase
from schemas import Exchange, Fill, Market, Order, OrderRequest

__all__ = ["ExchangeExecutor", "ExchangeExecutorArgs"]


class ExchangeExecutorArgs(ExecutorArgs):
    cancel_attempts: int = Field(
        default=3, ge=1, description="rounds of cancels on stop or halt before giving up"
    )


class ExchangeExecutor(ExecutorBase[ExchangeExecutorArgs]):
    """Places and cancels the mandate's orders on the venue, replacing only beyond tolerance.

    Client order ids carry the mandate's prefix, so a later run finds what this one left.
    Fills of the mandate's orders are read from the venue and reported to ``metrics.fills``.
    """

    _fills_since: datetime | None = None
    _fills_due = True
    _owned: dict[str | None, bool]
    """Whether each client order id is the mandate's: those of the last sync's open
    orders, and those issued since (an id issued for the mandate is its own)."""

    def bind(self, *, exchange: Exchange, market: Market, prefix: str, venue: str) -> None:
        super().bind(exchange=exchange, market=market, prefix=prefix, venue=venue)
        self._owned = {}

    def next_client_id(self) -> str:
        issued = super().next_client_id()
        self._owned[issued] = True  # schemas.ClientIdFormat: the prefix owns what it issues
        return issued

    def place(self, request: OrderRequest) -> Coroutine[Any, Any, Order]:
        return self.exchange.create_order(request)  # the venue's coroutine: one layer less

    def placed(self, order: Order) -> None:
        if order.filled > 0:
            self._fills_due = True

    def outcome_unknown(self) -> None:
        self._fills_due = True  # whatever it was, it may have filled

    async def cancel(self, order: Order) -> Order | None:
        result = await self.exchange.cancel_order(order.id, order.symbol)
        if result is None or result.filled > order.filled:
            self._fills_due = True
        return result

    def cancel_gone(self, error: Exception) -> bool:
        gone = super().cancel_gone(error)
        if gone:
            self._fills_due = True  # it may have filled before the cancel arrived
        return gone

    async def _own_open_orders(self) -> list[Order]:
        orders = await self.exchange.fetch_open_orders(self.market.symbol)
        return [order for order in orders if self.owns(order)]

    async def sync(self) -> None:
        """Resting orders from the venue; fills read whenever an order filled or vanished.

        Whose an order is depends on its client order id alone, so the verdicts of the
        last sync are kept for the ids it saw (no more: the memory is the venue's open
        orders and the ids issued since) and such an id is not parsed again."""
        orders = await self.exchange.fetch_open_orders(self.market.symbol)
        seen = self._owned
        owned: dict[str | None, bool] = {}
        current: dict[str, Order] = {}
        for order in orders:
            cid = order.client_order_id
            mine = seen.get(cid)
            if mine is None:
                mine = self.owns_client_id(cid)
            owned[cid] = mine
            if mine:
                current[order.id] = order
        self._owned = owned
        previous = self._resting
        if not self._fills_due:
            if len(current) != len(previous):
                self._fills_due = True
            else:
                for order_id, order in current.items():
                    before = previous.get(order_id)
                    if before is None or before.filled != order.filled:
                        self._fills_due = True
                        break
        self._resting = current
        if self._fills_due:
            await self._read_fills()

    async def _read_fills(self) -> None:
        fills = await self.exchange.fetch_my_trades(self.market.symbol, since=self._fills_since)
        self._fills_due = False
        for fill in fills:
            if not self._owns_fill(fill):
                continue
            if self.journal.append(fill):
                self.log.info(
                    "fill",
                    side=fill.side.value,
                    price=fill.price,
                    amount=fill.amount,
                    fee=fill.fee,
                    fee_currency=fill.fee_currency,
                    order_id=fill.order_id,
                )
            if self._fills_since is None or fill.timestamp > self._fills_since:
                self._fills_since = fill.timestamp

    def _owns_fill(self, fill: Fill) -> bool:
        return self.owns_client_id(fill.client_order_id)

    async def recover(self, mode: str) -> list[Order]:
        found = await self._own_open_orders()
        if not found:
            return []
        if mode == "adopt":
            for order in found:
                self._resting[order.id] = order
            self.log.warning("adopted orders of an earlier run", count=len(found),
                             orders=[o.client_order_id for o in found])
        else:
            self.log.warning("cancelling orders of an earlier run", count=len(found),
                             orders=[o.client_order_id for o in found])
            await self._cancel_orders(found)
        return found

    async def cancel_all(self) -> list[Order]:
        """Cancel rounds until the venue shows no order of the mandate; a round that hits
        a venue error is logged and the next one tries again."""
        remaining: list[Order] = list(self._resting.values())
        for attempt in range(1, self.args.cancel_attempts + 1):
            try:
                remaining = await self._own_open_orders()
                if not remaining:
                    break
                self._fills_due = True  # a cancelled order may have filled first
                await self._cancel_orders(remaining)
                remaining = await self._own_open_orders()
                if not remaining:
                    break
            except Exception as exc:
                self.log.warning("cancel round failed", attempt=attempt,
                                 error=f"{type(exc).__name__}: {exc}")
        self._resting = {order.id: order for order in remaining}
        try:
            if self._fills_due:
                await self._read_fills()
        except Exception as exc:
            self._fills_due = True
            self.log.warning("fills not read", error=f"{type(exc).__name__}: {exc}")
        if remaining:
            self.log.error("orders still resting after cancelling", count=len(remaining),
                           orders=[o.id for o in remaining])
        return remaining

    async def _cancel_orders(self, orders: list[Order]) -> None:
        results = await asyncio.gather(
            *(self.exchange.cancel_order(o.id, o.symbol) for o in orders), return_exceptions=True
        )
        cancelled = 0
        for order, result in zip(orders, results, strict=True):
            if isinstance(result, BaseException):
                if isinstance(result, asyncio.CancelledError):
                    raise result
                if isinstance(result, Exception) and self.cancel_gone(result):
                    continue
                self.log.error("cancel failed", order_id=order.id,
                               error=f"{type(result).__name__}: {result}")
            else:
                cancelled += 1
        self.tally.cancelled += cancelled
        if cancelled:
            self.log.info("orders cancelled", count=cancelled)
