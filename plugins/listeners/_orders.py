"""The record of an order, open or closed: one conversion for both listeners."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from schemas import Order
from schemas.listeners import ClosedOrderRecord, OpenOrderRecord

__all__ = ["order_record"]


def order_record(
    kind: type[OpenOrderRecord] | type[ClosedOrderRecord], order: Order, *, id: UUID,
    mandate: str, venue: str, timestamp: datetime,
) -> OpenOrderRecord | ClosedOrderRecord:
    return kind(
        id=id, mandate=mandate, venue=venue, timestamp=timestamp, symbol=str(order.symbol),
        order_id=order.id, client_order_id=order.client_order_id, side=order.side.value,
        type=order.type.value, status=order.status.value, price=order.price,
        amount=order.amount, filled=order.filled, remaining=order.remaining,
        average=order.average, fee=order.fee, fee_currency=order.fee_currency,
        created=order.timestamp, updated=order.updated,
    )
