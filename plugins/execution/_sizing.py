"""How big a swap may be: the slippage budget and the gas, as pure arithmetic.

A pool has no book to read: what a swap costs is known only by quoting it. The cost of
a swap of size ``a`` against the reference price (the pool's mid, or the mandate's
reference) is its *excess*: how much worse its average price is, as a fraction. It is
the pool fee (about the same at any size) plus the price impact, which grows with ``a``
(linearly for small swaps in a constant-product pool, faster for large ones). So when a
quote's excess is over the budget, the size that would fit is estimated by extrapolating
the line from the fee-only excess at zero through the quote, :func:`shrunk`: impact grows
at least linearly, so the estimate errs small, and the next quote checks it.

Gas is a cost per swap, not per unit: a swap whose estimated gas (valued in quote) is
more than ``max_gas_share`` of its value is too small to be worth sending (:func:`gas_share`).

Every quantity is an exact ``Decimal`` through :mod:`schemas.money`; ratios are
34-digit quotients.
"""

from __future__ import annotations

from decimal import Decimal

from schemas import Side, money
from schemas.money import Rounding
from schemas.swap import Token

__all__ = ["excess", "gas_share", "shrunk", "whole_units", "worst_price"]

_ONE = Decimal(1)


def excess(side: Side, price: Decimal, reference: Decimal) -> Decimal:
    """How much worse than ``reference`` an average ``price`` is, as a fraction: a buy
    above it, a sell below it are positive."""
    worse = money.subtract(price, reference) if side is Side.BUY else \
        money.subtract(reference, price)
    return money.ratio(worse, reference)


def worst_price(side: Side, reference: Decimal, budget: Decimal,
                limit_price: Decimal | None) -> Decimal:
    """The worst average price a swap may get: ``budget`` past the reference, and never
    past ``limit_price``."""
    if side is Side.BUY:
        bound = money.multiply(reference, money.add(_ONE, budget))
        return bound if limit_price is None else min(bound, limit_price)
    bound = money.multiply(reference, money.subtract(_ONE, budget))
    return bound if limit_price is None else max(bound, limit_price)


def shrunk(amount: Decimal, quoted: Decimal, floor: Decimal, allowed: Decimal) -> Decimal:
    """The size whose excess would be ``allowed`` if excess grew along the line from
    ``floor`` (the excess of a swap of size zero: the pool fee) to ``quoted`` (the excess
    of a swap of ``amount``). Zero when ``allowed`` is not above ``floor``."""
    if allowed <= floor or quoted <= floor:
        return Decimal(0) if allowed <= floor else amount
    share = money.ratio(money.subtract(allowed, floor), money.subtract(quoted, floor))
    return money.multiply(amount, min(share, _ONE))


def whole_units(amount: Decimal, token: Token) -> Decimal:
    """``amount`` rounded down to the token's smallest unit."""
    return token.from_units(token.to_units(amount, Rounding.DOWN))


def gas_share(gas: Decimal, value: Decimal) -> Decimal:
    """Gas (in quote) as a fraction of a swap's ``value`` (in quote)."""
    return money.ratio(gas, value)
