"""What an executor sends and says: limit requests built without a second validation,
and the log lines of a reconciliation.

A quote reaching the executor is already checked (finite, positive, on the market when
the service quantized it), so its request is built with :func:`schemas.trusted` rather
than validated again: the one place the executors skip validation, pinned by
tests/market_making/test_fast_paths.py against the validated model.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from schemas import OrderRequest, OrderType, Side, Symbol, TimeInForce, trusted
from schemas.market_making import ExecutionReport

__all__ = ["limit_request", "log_report"]



def limit_request(
    symbol: Symbol,
    side: Side,
    amount: Decimal,
    price: Decimal,
    time_in_force: TimeInForce,
    client_order_id: str,
    post_only: bool,
) -> OrderRequest:
    """A limit order built with :func:`schemas.trusted`, every field given,
    so the instance equals the validated one (tests/market_making/test_fast_paths.py
    pins that for the installed pydantic). Only for values already valid: a quote's side,
    price and amount (checked finite and positive), the market's symbol, the executor's
    own client id, and a time in force that agrees with ``post_only``."""
    return trusted(
        OrderRequest,
        symbol=symbol,
        side=side,
        type=OrderType.LIMIT,
        amount=amount,
        price=price,
        time_in_force=time_in_force,
        client_order_id=client_order_id,
        post_only=post_only,
    )


def log_report(log: Any, report: ExecutionReport) -> None:
    """Log what a reconciliation changed, at debug (every tick's chatter: the story at
    info is the fills, the status lines and the stops): a summary, then every order."""
    if not (report.placed or report.cancelled):
        return
    if _enabled(log, logging.DEBUG):
        bids = [o.price for o in report.placed if o.side.value == "buy" and o.price]
        asks = [o.price for o in report.placed if o.side.value == "sell" and o.price]
        log.debug(
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
