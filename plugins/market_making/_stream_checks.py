"""Checks of ``requote_on`` (declared on ``market_making``): it needs a venue that streams.

A service asked to requote on book changes or fills whose venue streams neither would
keep to its tick without saying so until run time: validation says it first, at the arg,
naming the venue setting that would make it work. Light: reads validated args only.
"""

from __future__ import annotations

from collections.abc import Iterator

from fortuna import WARNING, Node, Problem, View

__all__ = ["requote_on"]


def _streamed(exchange: Node) -> set[str] | None:
    """The updates ``exchange`` streams as its args stand, or None for a venue these
    checks do not know."""
    if exchange.id == "exchanges.sim":
        return {"book", "fill"} if getattr(exchange.args, "stream", False) else set()
    stream = getattr(exchange.args, "stream", None)
    if not exchange.id.startswith("exchanges.ccxt.") or stream is None:
        return None
    return {kind for kind, on in (("book", stream.order_book), ("fill", stream.orders)) if on}


_SETTING = {"exchanges.sim": {"book": "stream: true", "fill": "stream: true"},
            "ccxt": {"book": "stream.order_book: true", "fill": "stream.orders: true"}}


def requote_on(node: Node, view: View) -> Iterator[Problem]:
    kinds = list(getattr(node.args, "requote_on", None) or ())
    exchange = view.node(node.args.exchange) if kinds else None
    if exchange is None:
        return
    streamed = _streamed(exchange)
    if streamed is None:
        return
    missing = [kind for kind in kinds if kind not in streamed]
    if not missing:
        return
    settings = _SETTING["exchanges.sim" if exchange.id == "exchanges.sim" else "ccxt"]
    needed = sorted({settings[kind] for kind in missing})
    yield Problem(
        f"requote_on {', '.join(missing)}: the venue \"{exchange.name}\" does not stream "
        f"{'them' if len(missing) > 1 else 'it'}, so the service keeps to its tick "
        f"(give {exchange.name} {' and '.join(needed)})",
        path=("requote_on",), severity=WARNING)
