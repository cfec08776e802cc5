"""Checks of the on-chain execution services (declared on them): a slippage budget that
leaves no room past the pool's fee, so no swap could ever be sent.

Light: reads validated args only (the venue's ``fee`` for Uniswap v2 and its forks,
``fee_tier`` for Uniswap v3); a venue whose fee is not in its args (Algebra's dynamic
fee, an aggregator) is not checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from fortuna import Node, Problem, View

__all__ = ["budget_above_fee"]


def budget_above_fee(node: Node, view: View) -> Iterator[Problem]:
    """``max_slippage`` at or under the pool's fee: every swap costs at least the fee over
    the mid, so none would fit the budget."""
    venue = view.node(node.args.venue)
    if venue is None:
        return
    fee = getattr(venue.args, "fee", None)
    tier = getattr(venue.args, "fee_tier", None)
    if isinstance(tier, int):
        fee = Decimal(tier).scaleb(-6).normalize()
    budget = node.args.max_slippage
    if isinstance(fee, Decimal) and budget <= fee:
        yield Problem(
            f'max_slippage {budget} is not above the fee {fee} of "{venue.name}"\'s pool: every '
            "swap costs at least the fee over the mid, so none would fit; make max_slippage "
            f"larger than {fee} (the fee plus the price impact you accept)",
            ("max_slippage",))
