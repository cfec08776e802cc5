"""A tripped switch's declared action applied to a tick's quotes (reduce-only, flatten).

Pure functions the market-making service calls while a kill switch that declares
``reduce_only`` or ``flatten`` (see :class:`schemas.risk.TripPolicy`) is tripped; a
``halt`` never reaches them (the service cancels and quotes nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from schemas import Side, money
from schemas.market_making import DesiredQuote
from schemas.risk import TripAction, TripPolicy

__all__ = ["restrict"]

_ONE = Decimal(1)


def restrict(
    desired: Sequence[DesiredQuote], policy: TripPolicy, inventory: Decimal | None,
    reference: Decimal,
) -> list[DesiredQuote]:
    """The quotes ``policy`` allows with ``inventory`` (base held; None: unknown, nothing).

    ``reduce_only``: only the quotes on the side that brings inventory towards
    ``policy.target``, best first, their total trimmed to the excess (never past the target).
    ``flatten``: one order on that side for the excess (at most ``max_amount``), priced
    ``max_slippage`` through ``reference`` so it trades now; nothing once at the target.
    """
    if inventory is None or policy.action is TripAction.HALT:
        return []
    excess = money.subtract(inventory, policy.target)
    if excess.is_zero():
        return []
    side = Side.SELL if excess > 0 else Side.BUY
    left = abs(excess)
    if policy.action is TripAction.FLATTEN:
        amount = left if policy.max_amount is None else min(left, policy.max_amount)
        through = -policy.max_slippage if side is Side.SELL else policy.max_slippage
        price = money.multiply(reference, money.add(_ONE, through))
        return [DesiredQuote(side, price, amount, "flatten")]
    chosen: list[DesiredQuote] = []
    same_side = sorted((q for q in desired if q.side is side),
                       key=lambda q: q.price if side is Side.SELL else -q.price)
    for quote in same_side:
        if left <= 0:
            break
        amount = min(quote.amount, left)
        chosen.append(quote._replace(amount=amount, tag=f"{quote.tag}reduce_only"))
        left = money.subtract(left, amount)
    return chosen
