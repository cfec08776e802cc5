"""Checks of ``exchanges.sim`` (declared on the component): a symbol the venue does not list.

The sim's markets are known before the run, so a component asking it for another market
is found here instead of failing on the first call. Light: reads validated args only.
"""

from __future__ import annotations

from collections.abc import Iterator

from fortuna import Node, Problem, View

__all__ = ["listed"]


def listed(node: Node, view: View) -> Iterator[Problem]:
    """Every component using this venue for a market it does not list."""
    symbols = [str(market.symbol) for market in node.args.markets]
    shown = ", ".join(symbols[:10]) + (", ..." if len(symbols) > 10 else "")
    for user in view.referring(node.name):
        if view.node(getattr(user.args, "exchange", None)) is not node:
            continue
        wanted: list[tuple[tuple[str | int, ...], object]] = []
        symbol = getattr(user.args, "symbol", None)
        if isinstance(symbol, str):
            wanted.append((("symbol",), symbol))
        many = getattr(user.args, "symbols", None)
        if isinstance(many, list | tuple):
            wanted.extend((("symbols", index), item) for index, item in enumerate(many))
        for path, value in wanted:
            if isinstance(value, str) and value not in symbols:
                yield Problem(
                    f'"{node.name}" ({node.id}) does not list {value}; its markets are '
                    f"{shown}: add the market to its `markets`, or use one of these",
                    path, user.name)
