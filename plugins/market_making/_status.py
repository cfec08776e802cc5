"""What the market-making service tells the operator: the periodic status line, and each
order a stop may have left resting, described so it can be found on the venue."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from fortuna import Component, Logger
from schemas import Balances, Exchange, Market, Order, Side

__all__ = ["described", "log_status"]


def log_status(log: Logger, market: Market, resting: Sequence[Order], reference: Decimal,
               balances: Balances | None) -> None:
    """One ``status`` line: the reference, the best three quotes a side, the balances."""
    log.info(
        "status",
        reference=reference,
        bids=sorted((o.price for o in resting if o.side is Side.BUY and o.price),
                    reverse=True)[:3],
        asks=sorted(o.price for o in resting if o.side is Side.SELL and o.price)[:3],
        resting=len(resting),
        **(
            {
                market.base: balances.total(market.base),
                market.quote: balances.total(market.quote),
            }
            if balances is not None
            else {}
        ),
    )


def described(order: Order, exchange: Exchange) -> dict[str, object]:
    """An order as the operator needs it to find it on the venue: exact strings."""
    return {
        "venue": exchange.name if isinstance(exchange, Component) else exchange.venue,
        "symbol": str(order.symbol),
        "id": order.id,
        "client_order_id": order.client_order_id,
        "side": order.side.value,
        "price": None if order.price is None else str(order.price),
        "amount": str(order.amount),
        "remaining": str(order.remaining),
    }
