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
from operator import attrgetter

from schemas import Order, OrderRequest, Side, money
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
    # Resting orders grouped by (side, price, remaining), the groups in order of first
    # appearance. Looked up by (side, price), then by remaining among the few groups at
    # that price: the same groups as a dict keyed by all three, without hashing each
    # remaining and each quote's amount (a Decimal's hash is computed on first use, and
    # these are new objects every tick). ``is`` first, as dict and tuple comparison do.
    groups: list[list[Order]] = []
    by_price: dict[tuple[Side, Decimal | None], list[tuple[Decimal, list[Order]]]] = {}
    for order in resting:
        remaining = order.remaining
        at_price = by_price.get((order.side, order.price))
        if at_price is None:
            group = [order]
            by_price[(order.side, order.price)] = [(remaining, group)]
            groups.append(group)
            continue
        for amount, group in at_price:
            if amount is remaining or amount == remaining:
                group.append(order)
                break
        else:
            group = [order]
            at_price.append((remaining, group))
            groups.append(group)
    unmatched: list[DesiredQuote] = []
    keep = plan.keep
    for quote in desired:
        found: list[Order] | None = None
        at_price = by_price.get((quote.side, quote.price))
        if at_price is not None:
            wanted = quote.amount
            for amount, group in at_price:
                if amount is wanted or amount == wanted:
                    found = group
                    break
        if found:
            keep.append(found.pop())
        else:
            unmatched.append(quote)
    left = [order for group in groups for order in group]
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
    buy, sell = Side.BUY, Side.SELL
    buy_quotes: list[DesiredQuote] = []
    sell_quotes: list[DesiredQuote] = []
    for quote in unmatched:
        side = quote.side
        if side is buy:
            buy_quotes.append(quote)
        elif side is sell:
            sell_quotes.append(quote)
    buy_orders: list[Order] = []
    sell_orders: list[Order] = []
    for order in left:
        side = order.side
        if order.price is None:
            continue
        if side is buy:
            buy_orders.append(order)
        elif side is sell:
            sell_orders.append(order)
    keep, place = plan.keep, plan.place
    for quotes, orders in ((buy_quotes, buy_orders), (sell_quotes, sell_orders)):
        # In price order; a quote's price is a Decimal and an order's is not None here,
        # so the price itself is the key (stable sorts: equal prices keep their order).
        quotes.sort(key=_PRICE)
        orders.sort(key=_PRICE)
        i = j = 0
        quote_count, order_count = len(quotes), len(orders)
        while i < quote_count and j < order_count:
            quote, order = quotes[i], orders[j]
            target, price = quote.price, order.price
            assert price is not None
            if _within(price, target, price_tolerance) and _within(
                order.remaining, quote.amount, amount_tolerance
            ):
                kept.add(id(order))
                keep.append(order)
                i += 1
                j += 1
            elif price <= target:
                j += 1  # this order pairs with no quote: it will be cancelled
            else:
                place.append(quote)
                i += 1
        place.extend(quotes[i:])
    return kept


def _within(value: Decimal, target: Decimal, tolerance: Decimal) -> bool:
    """``|value - target| <= target * tolerance``, exactly (equality for no tolerance)."""
    if not tolerance:
        return value == target
    return abs(money.subtract(value, target)) <= money.multiply(target, tolerance)


_PRICE = attrgetter("price")


def crosses(request: OrderRequest | Order, other: OrderRequest | Order) -> bool:
    """Whether two own orders would trade with each other (opposite sides, prices meet)."""
    if request.side is other.side or request.price is None or other.price is None:
        return False
    if request.side is Side.BUY:
        return request.price >= other.price
    return request.price <= other.price
