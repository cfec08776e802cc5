"""Checks of a market-making mandate that its types cannot make (declared on the service).

- sizes: the strategy's orders against the risk caps, the simulated market's minimum and
  maximum amount and minimum notional (at a price known before the run: ``prices.fixed``
  or the sim market's ``price``), and the starting balances of the sim (or of a paper
  executor);
- markets: kill switches and the reference price on a market or venue other than the
  service's.

Light: reads validated args only, imports nothing at run time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, NamedTuple

from fortuna import WARNING, Node, Problem, View
from schemas.checks import venue_of

__all__ = ["PRICE_HINT", "maker_post_only", "markets", "sizes", "venue"]

_MAX_DEPTH = 8

PRICE_HINT = "reference_price"
"""A var of this name tells the size checks the price to expect when nothing else in the
mandate knows it before the run (a live ticker): ``vars: {reference_price: 65000}``."""


class _Order(NamedTuple):
    """One order a strategy will place, before the reference is known."""

    strategy: str  # the strategy node that sets its amount
    buy: bool
    factor: Decimal  # its price over the reference
    amount: Decimal


def _orders(view: View, strategy: Node | None, depth: int = 0) -> Iterator[_Order]:
    """The orders a strategy places each tick, as far as its args say (unknown
    strategies say nothing)."""
    if strategy is None or depth > _MAX_DEPTH:
        return
    args = strategy.args
    if callable(getattr(args, "shape", None)):
        sides = getattr(args, "sides", "both")
        try:
            rungs = args.shape(tag="", sides=sides)
        except (TypeError, ValueError, ArithmeticError):
            return
        for rung in rungs:
            if rung.sized:
                yield _Order(strategy.name, rung.side.value == "buy", rung.factor, rung.amount)
    elif isinstance(getattr(args, "amount", None), Decimal) and isinstance(
        getattr(args, "spread", None), Decimal
    ):
        yield _Order(strategy.name, True, 1 - args.spread, args.amount)
        yield _Order(strategy.name, False, 1 + args.spread, args.amount)
    for inner in getattr(args, "strategies", None) or ():
        yield from _orders(view, view.node(inner), depth + 1)


def _sim_market(exchange: Node | None, symbol: str) -> Any | None:
    if exchange is None or exchange.id != "exchanges.sim":
        return None
    for market in exchange.args.markets:
        if market.symbol == symbol:
            return market
    return None


def _reference(view: View, service: Node, market: Any | None) -> tuple[Decimal, str] | None:
    """A price known before the run, and where it comes from."""
    price = view.node(service.args.price)
    if price is not None and price.id == "prices.fixed":
        return price.args.price, f'the fixed price "{price.name}"'
    if market is not None and market.price is not None and service.args.exchange is not None:
        return market.price, "the sim market's price"
    hint = view.vars.get(PRICE_HINT)
    if isinstance(hint, int) and not isinstance(hint, bool):
        hint = Decimal(hint)
    if isinstance(hint, Decimal) and hint.is_finite() and hint > 0:
        return hint, f"the var {PRICE_HINT}"
    return None


def _where(order: _Order) -> tuple[str, tuple[str | int, ...]]:
    return order.strategy, ("amount",)


def _limit(
    orders: list[_Order], refused: Callable[[_Order], bool], shown: _Order, what: str,
    who: str,
) -> Iterator[Problem]:
    """One problem when ``refused`` holds for some order: an error when it holds for
    every order (the mandate could never trade), a warning when only for some."""
    count = sum(1 for order in orders if refused(order))
    if not count:
        return
    name, path = _where(shown)
    if count == len(orders):
        yield Problem(f"{what}: {who} would refuse every order the strategy makes, on every "
                      "tick; make the orders or the limit fit", path, name)
    else:
        yield Problem(f"{what}: {who} would refuse {count} of the {len(orders)} orders the "
                      "strategy makes, on every tick", path, name, WARNING)


def sizes(node: Node, view: View) -> Iterator[Problem]:
    """Orders the mandate's own limits, or the market, would refuse every time."""
    args = node.args
    orders = list(_orders(view, view.node(args.strategy)))
    if not orders:
        return
    symbol = str(args.symbol)
    base, _, rest = symbol.partition("/")
    quote = rest.split(":")[0]
    exchange = view.node(args.exchange)
    market = _sim_market(exchange, symbol)
    reference = _reference(view, node, market)
    largest = max(orders, key=lambda o: o.amount)
    smallest = min(orders, key=lambda o: o.amount)
    risk = view.node(args.risk)
    if risk is not None and risk.id == "market_making.risk":
        cap = risk.args.max_amount
        if cap is not None:
            yield from _limit(orders, lambda o: o.amount > cap, largest,
                              f"an order of {largest.amount} {base} is over the risk cap "
                              f'max_amount {cap} of "{risk.name}"', "the mandate")
        cap = risk.args.max_notional
        if cap is not None and reference is not None:
            price = reference[0]
            worst = max(orders, key=lambda o: o.amount * o.factor)
            notional = worst.amount * worst.factor * price
            yield from _limit(orders, lambda o: o.amount * o.factor * price > cap, worst,
                              f"an order of {worst.amount} {base} is worth about {notional:f} "
                              f"{quote} at {reference[1]} {price}, over the risk cap "
                              f'max_notional {cap} of "{risk.name}"', "the mandate")
    if market is None or exchange is None:
        return
    venue = f'on "{exchange.name}"'
    low = market.min_amount
    yield from _limit(orders, lambda o: o.amount < low, smallest,
                      f"an order of {smallest.amount} {base} is under the market's min_amount "
                      f"{low} {venue}", "the venue")
    high = market.max_amount
    if high is not None:
        yield from _limit(orders, lambda o: o.amount > high, largest,
                          f"an order of {largest.amount} {base} is over the market's "
                          f"max_amount {high} {venue}", "the venue")
    least_notional = market.min_notional
    if least_notional is not None and reference is not None:
        price = reference[0]
        least = min(orders, key=lambda o: o.amount * o.factor)
        notional = least.amount * least.factor * price
        yield from _limit(orders, lambda o: o.amount * o.factor * price < least_notional, least,
                          f"an order of {least.amount} {base} is worth about {notional:f} "
                          f"{quote} at {reference[1]} {price}, under the market's "
                          f"min_notional {least_notional} {venue}", "the venue")
    executor = view.node(args.executor)
    if executor is not None and executor.id == "market_making.executors.paper":
        yield from _balances(executor, "the paper account", orders, base, quote, reference)
    elif executor is None or executor.id != "market_making.executors.dry_run":
        yield from _balances(exchange, "the sim", orders, base, quote, reference)


def _balances(
    holder: Node, who: str, orders: list[_Order], base: str, quote: str,
    reference: tuple[Decimal, str] | None,
) -> Iterator[Problem]:
    """Starting balances (of the sim, or of a paper executor) too small for any order."""
    balances = holder.args.balances
    sells = [o for o in orders if not o.buy]
    buys = [o for o in orders if o.buy]
    if sells:
        least = min(sells, key=lambda o: o.amount)
        held = balances.get(base, Decimal(0))
        if least.amount > held:
            yield Problem(
                f'{who} starts with {held} {base}, less than the smallest sell order '
                f"({least.amount} {base}): no sell can be placed",
                ("balances",), holder.name, WARNING)
    if buys and reference is not None:
        least = min(buys, key=lambda o: o.amount * o.factor)
        cost = least.amount * least.factor * reference[0]
        held = balances.get(quote, Decimal(0))
        if cost > held:
            yield Problem(
                f"{who} starts with {held} {quote}, less than the smallest buy order costs "
                f"(about {cost:f} {quote} at {reference[1]} {reference[0]}): no buy can be "
                "placed", ("balances",), holder.name, WARNING)


def markets(node: Node, view: View) -> Iterator[Problem]:
    """Kill switches and the reference price watching a market other than the service's."""
    args = node.args
    symbol = str(args.symbol)
    venue = venue_of(view, node)
    price = view.node(args.price)
    if price is not None:
        other = getattr(price.args, "symbol", None)
        if isinstance(other, str) and other != symbol:
            yield Problem(
                f'the reference price "{price.name}" is for {other}, but "{node.name}" quotes '
                f"{symbol}: use the same symbol", ("symbol",), price.name)
    for switch in args.kill_switches:
        watched = view.node(switch)
        if watched is None:
            continue
        other = getattr(watched.args, "symbol", None)
        if isinstance(other, str) and other != symbol:
            yield Problem(
                f'the kill switch "{watched.name}" watches {other}, but "{node.name}" quotes '
                f"{symbol}: use the same symbol", ("symbol",), watched.name)
        other_venue = venue_of(view, watched)
        if other_venue is not None and venue is not None and other_venue != venue:
            yield Problem(
                f'the kill switch "{watched.name}" watches the venue "{other_venue}", but '
                f'"{node.name}" trades on "{venue}": point it at the same venue',
                ("exchange",), watched.name)


def _profile_cell(exchange: Node, capability: str) -> str | None:
    """What the venue's capability table says of ``capability`` ("native", "emulated
    locally", "none", ...), for a venue that declares a profile (the tuned ccxt venues);
    None when it declares none (the sim, a venue whose profile is known only at load)."""
    profile = getattr(exchange.cls, "profile", None)
    cell = getattr(profile, capability, None)
    value = getattr(cell, "value", None)
    return value if isinstance(value, str) else None


def _post_only(
    exchange: Node, path: tuple[str, ...], name: str | None, advice: str
) -> Iterator[Problem]:
    if _profile_cell(exchange, "post_only") == "none":
        yield Problem(
            f'"{exchange.name}" ({exchange.id}) does not take post-only orders, so every '
            f"post-only order would be refused before it is sent: {advice}", path, name)


def maker_post_only(node: Node, view: View) -> Iterator[Problem]:
    """Cross-venue quoting rests post-only quotes: its maker venue must take them."""
    maker = view.node(node.args.maker)
    if maker is not None:
        yield from _post_only(maker, ("maker",), None, "quote on a venue that does")


def venue(node: Node, view: View) -> Iterator[Problem]:
    """What the service and its executor need of the venue, against its capability table
    and its client-order-id format."""
    args = node.args
    exchange = view.node(args.exchange)
    executor = view.node(args.executor)
    if exchange is None or executor is None or executor.id == "market_making.executors.dry_run":
        return
    ids = _profile_cell(exchange, "client_ids")
    if args.on_start == "adopt" and ids is not None and ids != "native":
        yield Problem(
            f'on_start: adopt finds an earlier run\'s orders by their client order ids, but '
            f'"{exchange.name}" ({exchange.id}) keeps client order ids only in memory '
            f"({ids}): use on_start: cancel", ("on_start",))
    closed = _profile_cell(exchange, "closed_orders")
    if closed == "none" and executor.id == "market_making.executors.exchange":
        yield Problem(
            f'"{exchange.name}" ({exchange.id}) cannot list closed orders, so the executor '
            "cannot read the mandate's fills from the venue: fills go unreported",
            ("executor",), severity=WARNING)
    if getattr(executor.args, "post_only", False) is True:
        yield from _post_only(exchange, ("post_only",), executor.name,
                              "set post_only: false, or quote on a venue that takes them")
    form = getattr(exchange.cls, "client_id_format", None)
    issue = getattr(form, "issue", None)
    if callable(issue):
        try:
            issue(str(args.mandate), 0, 1, f'"{exchange.name}" ({exchange.id})')
        except ValueError as exc:
            yield Problem(
                f"the mandate name prefixes every client order id, and the venue refuses "
                f"it: {exc}", ("mandate",))
