"""``prices.xexchange``: an xExchange pair's mid price from its reserves, quote per base.

Point ``venue`` at an ``exchanges.multiversx.xexchange`` component (no wallet needed);
``base`` and ``quote`` are the pair's ESDT identifiers (e.g. ``WEGLD-bd4d79``). The
reserves come from the pair's ``getReservesAndTotalSupply`` view, each scaled by its
token's decimals (read from the token's properties); :mod:`plugins.prices._pool` says how
the price is stamped. The block is the latest nonce of the pair's shard when it was read.
"""

from __future__ import annotations

from plugins.prices._pool import PoolPriceArgs, PoolPriceProvider

__all__ = ["XExchangePrice"]


class XExchangePrice(PoolPriceProvider[PoolPriceArgs]):
    """xExchange pair's mid price from its reserves (contract view), exact, at a block."""
