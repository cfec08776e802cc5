"""What the families' semantic checks share: where a component trades, and the check that
records describe the mandate they are stamped with.

Light, like every check: reads validated args (:class:`fortuna.Node`) only.
"""

from __future__ import annotations

from collections.abc import Iterator

from fortuna import WARNING, Node, Problem, View

__all__ = ["records_market", "venue_of"]

_MAX_DEPTH = 8


def venue_of(view: View, node: Node | None) -> str | None:
    """The venue a node reaches through its ``exchange`` args (a listener's venue is its
    exchange's, a price's the venue it reads), or None when it has none."""
    depth = 0
    while node is not None and depth <= _MAX_DEPTH:
        target = view.node(getattr(node.args, "exchange", None))
        if target is None:
            return node.name if depth else None
        node, depth = target, depth + 1
    return None


def records_market(node: Node, view: View) -> Iterator[Problem]:
    """A component writing records (a listener, a metrics collector) about another market
    of the service's own venue, or stamping them with another mandate's name."""
    service = view.service_node
    if service is None:
        return
    label = getattr(node.args, "mandate", None)
    own = getattr(service.args, "mandate", None)
    if isinstance(label, str) and isinstance(own, str) and label != own:
        yield Problem(
            f'the records are stamped with the mandate "{label}", but the service '
            f'"{service.name}" runs the mandate "{own}": they would be filed under another '
            f"mandate; use {own}", ("mandate",), severity=WARNING)
    symbol = getattr(node.args, "symbol", None)
    traded = getattr(service.args, "symbol", None)
    if not isinstance(symbol, str) or not isinstance(traded, str) or str(symbol) == str(traded):
        return
    venue = venue_of(view, node)
    if venue is not None and venue == venue_of(view, service):
        yield Problem(
            f'follows {symbol} on "{venue}", where the service "{service.name}" trades '
            f"{traded}: its records will not describe this mandate's market; use {traded} "
            "(or give the other market a mandate of its own)", ("symbol",),
            severity=WARNING)
