"""Reconciliation: which resting orders to keep, which to cancel, which quotes to place.

Pure and exact. A resting order satisfies a desired quote of the same side when its price
is within ``price_tolerance`` (a fraction of the quote's price) and its remaining amount
within ``amount_tolerance`` (a fraction of the quote's amount). Exact matches are paired
first, then the rest of each side in price order. Unpaired orders are cancelled, unpaired
quotes placed: an unchanged book costs nothing, a ladder that moved less than the
tolerance costs nothing either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from schemas import Order, OrderRequest, Side
from schemas.market_making import DesiredQuote

__all__ = ["Plan", "crosses", "reconcile"]

_ZERO = Decimal(0)


@dataclass(slots=True)
class Plan:
    keep: list[Order] = field(default_factory=list)
    cancel: list[Order] = field(default_factory=list)
    place: list[DesiredQuote] = field(default_factory=list)


def reconcile(
    desired: Sequence[DesiredQuote],
    resting: Sequence[Order],
    *,
    price_tolerance: Decimal = _ZERO,
    amount_tolerance: Decimal = _ZERO,
) -> Plan:
    plan = Plan()
    exact: dict[tuple[Side, Decimal | None, Decimal], list[Order]] = {}
    for order in resting:
        exact.setdefault((order.side, order.price, order.remaining), []).append(order)
    unmatched: list[DesiredQuote] = []
    for quote in desired:
        bucket = exact.get((quote.side, quote.price, quote.amount))
        if bucket:
            plan.keep.append(bucket.pop())
        else:
            unmatched.append(quote)
    left = [order for bucket in exact.values() for order in bucket]
    if unmatched and left and (price_tolerance > 0 or amount_tolerance > 0):
        kept = _within_tolerance(unmatched, left, price_tolerance, amount_tolerance, plan)
        left = [order for order in left if id(order) not in kept]
    else:
        plan.place.extend(unmatched)
    plan.cancel.extend(left)
    return plan


def _within_tolerance(
    unmatched: Sequence[DesiredQuote],
    left: Sequence[Order],
    price_tolerance: Decimal,
    amount_tolerance: Decimal,
    plan: Plan,
) -> set[int]:
    """Pair quotes and orders of each side in price order (a merge of the two sorted
    lists): a pair within both tolerances is kept, otherwise the lower of the two is left
    unpaired. Returns the ids of the orders kept."""
    kept: set[int] = set()
    for side in (Side.BUY, Side.SELL):
        quotes = sorted((q for q in unmatched if q.side is side), key=_price)
        orders = sorted((o for o in left if o.side is side and o.price is not None),
                        key=_price)
        i = j = 0
        while i < len(quotes) and j < len(orders):
            quote, order = quotes[i], orders[j]
            target, price = quote.price, order.price
            assert price is not None
            if abs(price - target) <= target * price_tolerance and (
                abs(order.remaining - quote.amount) <= quote.amount * amount_tolerance
            ):
                kept.add(id(order))
                plan.keep.append(order)
                i += 1
                j += 1
            elif price <= target:
                j += 1  # this order pairs with no quote: it will be cancelled
            else:
                plan.place.append(quote)
                i += 1
        plan.place.extend(quotes[i:])
    return kept


def _price(item: DesiredQuote | Order) -> Decimal:
    return item.price or _ZERO


def crosses(request: OrderRequest | Order, other: OrderRequest | Order) -> bool:
    """Whether two own orders would trade with each other (opposite sides, prices meet)."""
    if request.side is other.side or request.price is None or other.price is None:
        return False
    if request.side is Side.BUY:
        return request.price >= other.price
    return request.price <= other.price
