"""Checks of a ccxt venue a service trades on (declared on the services that trade:
``market_making``, the execution algorithms): a spot symbol on a venue that lists only
derivatives; ticks that read the venue faster than ccxt paces it.

Declared on the services rather than on the venue so that a mandate whose venue is only
read (prices, arbitrage adapters) stays on validation's fast path, which proves a file
valid from the catalog index for components that declare no check.

Light: reads validated args and the pinned id list only, never imports ccxt.
"""

from __future__ import annotations

from collections.abc import Iterator

from fortuna import Node, Problem, View
from plugins.exchanges.ccxt.rates import pinned_rate_limits, rate_of, reads_by_ticker

__all__ = ["request_rate", "spot_symbols", "traded_venue"]


def traded_venue(node: Node, view: View) -> Iterator[Problem]:
    """Both checks below, on the ccxt venue the service trades (its ``exchange``)."""
    exchange = view.node(getattr(node.args, "exchange", None))
    if exchange is not None and isinstance(getattr(exchange.cls, "exchange_id", None), str):
        yield from spot_symbols(exchange, view)
        yield from request_rate(exchange, view)


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


def _seconds(value: float) -> str:
    return f"{value:.3g} s"


def request_rate(node: Node, view: View) -> Iterator[Problem]:
    """The reads one quiet tick of the mandate sends to the venue, per second, against the
    pace ccxt keeps for it (``rateLimit``): over it, every tick waits on ccxt's throttle
    and the mandate falls behind its own intervals (before a single order is sent)."""
    milliseconds = pinned_rate_limits().get(str(getattr(node.cls, "exchange_id", "")))
    if not milliseconds:
        return
    budget = 1000 / milliseconds
    readers = reads_by_ticker(node, view)
    used = rate_of(readers)
    if used <= budget:
        return
    name, (count, interval) = max(readers.items(), key=lambda item: item[1][0] / item[1][1])
    others = used - count / interval
    advice = (f"make its interval at least {_seconds(count / (budget - others))}"
              if others < budget else "lengthen the intervals of the components reading it")
    yield Problem(
        f'"{name}" reads "{node.name}" {count} time{"s" if count > 1 else ""} a tick, every '
        f"{_seconds(interval)}: with the mandate's other readers that is about {used:.3g} "
        f"requests/s, more than the {budget:.3g}/s ccxt paces {node.id} at (rateLimit "
        f"{milliseconds:g} ms), so every tick would wait on the throttle and fall behind; "
        f"{advice} (an estimate of a quiet tick: orders come on top)",
        ("interval",), name)
