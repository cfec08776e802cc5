"""Checks of the ccxt family (declared on the exchange component): a spot symbol on a
venue that lists only derivatives.

Light: reads validated args and the pinned id list only, never imports ccxt.
"""

from __future__ import annotations

from collections.abc import Iterator

from fortuna import Node, Problem, View

__all__ = ["spot_symbols"]


def spot_symbols(node: Node, view: View) -> Iterator[Problem]:
    """A component trading or reading a spot symbol (no ``:settle``) through a venue whose
    ccxt exchange lists perpetuals and futures only: every call would name a market the
    venue does not have."""
    if not getattr(node.cls, "derivatives_only", False):
        return
    for user in view.referring(node.name):
        symbol = getattr(user.args, "symbol", None)
        if isinstance(symbol, str) and ":" not in symbol:
            quote = symbol.partition("/")[2]
            yield Problem(
                f'"{node.name}" ({node.id}) lists derivatives only, no spot market, so '
                f"{symbol} is not one of its markets: a perpetual settled in {quote} is "
                f"written {symbol}:{quote}", ("symbol",), user.name)
