"""``market_making.executors.dry_run``: the exchange executor's reasoning on virtual orders."""

from __future__ import annotations

from plugins.market_making.executors._base import ExecutorArgs, ExecutorBase
from schemas import Order, OrderRequest, OrderStatus

__all__ = ["DryRunExecutor"]


class DryRunExecutor(ExecutorBase[ExecutorArgs]):
    """Reasons like the exchange executor on virtual orders and logs it; sends nothing.

    It reads the venue (the mandate's orders left by an earlier run) but never writes to
    it: placements and cancels are logged as "would place" / "would cancel".
    """

    async def place(self, request: OrderRequest) -> Order:
        assert request.price is not None
        order = Order(
            id=f"dry-{request.client_order_id}",
            client_order_id=request.client_order_id,
            symbol=request.symbol,
            side=request.side,
            price=request.price,
            amount=request.amount,
            post_only=request.post_only,
            time_in_force=request.time_in_force,
            timestamp=self.clock.now(),
        )
        self.log.info("would place", side=order.side.value, price=order.price,
                      amount=order.amount, client_order_id=order.client_order_id)
        return order

    async def cancel(self, order: Order) -> Order | None:
        self.log.info("would cancel", order_id=order.id, side=order.side.value,
                      price=order.price, amount=order.remaining)
        return order.model_copy(update={"status": OrderStatus.CANCELED})

    async def sync(self) -> None:
        """Virtual orders change only when this executor changes them."""

    async def recover(self, mode: str) -> list[Order]:
        orders = await self.exchange.fetch_open_orders(self.market.symbol)
        found = [order for order in orders if self.owns(order)]
        if found and mode == "adopt":
            for order in found:
                self._resting[order.id] = order
            self.log.warning("would adopt orders of an earlier run", count=len(found))
        elif found:
            for order in found:
                self.log.warning("would cancel an order of an earlier run", order_id=order.id,
                                 side=order.side.value, price=order.price)
        return found

    async def cancel_all(self) -> list[Order]:
        for order in list(self._resting.values()):
            await self.cancel(order)
            self.tally.cancelled += 1
        self._resting.clear()
        return []
