"""``prices.jupiter``: a pair's price from Jupiter's quote API, quote per one whole base.

Point ``venue`` at an ``exchanges.solana.jupiter`` component (no wallet needed). The price
is Jupiter's best route for selling exactly one whole base token (``10**decimals`` units,
decimals read from the mint): the output over the input, the route's fees inside, to 34
significant digits, stamped with the time it was read and the route's ``contextSlot``.
"""

from __future__ import annotations

from plugins.prices._pool import PoolPriceArgs, PoolPriceProvider

__all__ = ["JupiterPrice"]


class JupiterPrice(PoolPriceProvider[PoolPriceArgs]):
    """Jupiter's quote for one whole base token: route price at a slot (fees inside)."""
