"""Which placements a reconciliation sends, and when: each quote to place made a request,
checked, and sent with the cancels or after them.

Each quote the plan places becomes a limit request. A quote the service quantized is on
the market's grid already and is sent as it is; any other goes through
``market.check_order``, which quantizes and validates it (or refuses it). Then pre-trade
risk checks it against the book as it will stand: the orders kept plus the placements
approved so far, so the second order of a tick sees the first. An approved placement is
counted as sent at once (order-rate limits), and is held back until the cancels are done
when it would cross an order still being cancelled: sent at the same time, the two could
meet on the venue and the mandate would trade with itself. After the cancels, a held-back
placement that would still cross an order the venue kept is refused (:func:`after_cancels`).

Pure apart from the risk component's count of orders sent and the executor's ``refuse``,
told of each refusal with its reason as it happens.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from plugins.market_making._quoting import on_grid
from plugins.market_making._reconcile import Plan, crosses
from plugins.market_making.executors._requests import limit_request
from schemas import Market, Order, OrderRejected, OrderRequest, Side, TimeInForce
from schemas.market_making import RiskCheck, RiskContext

__all__ = ["Placements", "after_cancels", "placements"]

_INFINITY = Decimal("Infinity")
_ZERO = Decimal(0)

Refuse = Callable[[OrderRequest, str], None]


@dataclass(slots=True)
class Placements:
    """A tick's approved placements: those sent with the cancels, those sent after them."""

    immediate: list[OrderRequest] = field(default_factory=list)
    deferred: list[OrderRequest] = field(default_factory=list)


def placements(
    plan: Plan,
    market: Market,
    risk: RiskCheck,
    reference: Decimal,
    now: float,
    *,
    post_only: bool,
    next_client_id: Callable[[], str],
    refuse: Refuse,
) -> Placements:
    """The plan's quotes to place as requests, checked against ``reference`` and the
    book as it will stand at ``now`` (the clock's monotonic time)."""
    found = Placements()
    book: list[OrderRequest | Order] = list(plan.keep)
    # One context for the tick: ``book`` is the same list each check sees (it grows as
    # placements are approved), the reference and the time do not change within it.
    context = RiskContext(reference, book, now)
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
            symbol, side, quote.amount, price, time_in_force, next_client_id(), post_only
        )
        if not on_grid(market, quote):
            try:
                request = market.check_order(request)
            except OrderRejected as rejected:
                refuse(request, str(rejected))
                continue
            checked_price = request.price
            assert checked_price is not None
            price = checked_price
        reason = risk.refusal(request, context)
        if reason is not None:
            refuse(request, reason)
            continue
        book.append(request)
        risk.record_sent(request, now)  # counted now, so the next check of this tick sees it
        if (
            (price >= lowest_cancelled_sell)
            if side is buy
            else (price <= highest_cancelled_buy)
        ):  # it would cross an order still being cancelled: place it after the cancels
            found.deferred.append(request)
        else:
            found.immediate.append(request)
    return found


def after_cancels(
    deferred: Sequence[OrderRequest], resting: Sequence[Order], refuse: Refuse
) -> list[OrderRequest]:
    """The held-back placements that may go now; those that would still cross an order of
    the mandate whose cancel did not go through are refused."""
    late: list[OrderRequest] = []
    for request in deferred:
        crossing = next((o for o in resting if crosses(request, o)), None)
        if crossing is not None:
            refuse(
                request,
                f"would cross the mandate's own {crossing.side.value} at "
                f"{crossing.price}, whose cancel did not go through",
            )
        else:
            late.append(request)
    return late
