"""What a trading mandate holds in the firm's book: its name, its markets, its order ids.

Claim functions (``book_claims``, see ``fortuna._internal.book``), declared by the
services and the components that carry a mandate name; the core compares them across
every mandate validated together. Light: reads validated args only.

- **mandate name** (every component with a ``mandate`` arg): the name is the mandate's
  identity outside its file. It prefixes its client order ids, stamps its records in the
  sinks (metrics, fills), keys its listeners' cursors and its execution journal, and
  names its run lease. Two mandates of one book with one name mix all of these, on any
  venue.
- **account and market** (``market_making``, ``market_making.xemm``'s maker, the
  execution algorithms): two mandates resting orders on one market of one account quote
  one order book with one balance. They can trade with each other, each one's inventory
  and balance limits count the other's holdings, and ``xemm`` cancels every order of its
  market when it starts.
- **client-order-id prefix** (the same services): a mandate finds its own orders, also
  those of an earlier run, by the prefix of their client order ids in the venue's format
  (``schemas.ClientIdFormat.owner``); on one account, a prefix two mandates share makes
  each one's startup cancel (or adopt) the other's orders and count its fills.

An account is a venue reached with credentials: a ccxt venue and its API key (the same
``!env`` variable, or the same value), live or sandbox. A simulated venue
(``exchanges.sim``) lives inside its mandate's process, so two mandates never share one.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator

from fortuna import Claim, Node, View

__all__ = ["account", "hedged_quoting", "names", "quoting"]

NAME = "mandate name"
MARKET = "quoting on one market of one account"
PREFIX = "client-order-id prefix on one account"


def account(exchange: Node | None) -> tuple[Hashable, str] | None:
    """The account an exchange component trades on (a key, a label), or None when it has
    none another mandate could share (a simulated venue, a venue without an API key)."""
    if exchange is None:
        return None
    venue = getattr(exchange.cls, "exchange_id", "")
    if not (exchange.id.startswith("exchanges.ccxt.") and venue):
        return None
    key = exchange.identity("api_key")
    if key is None:
        return None
    sandbox = bool(getattr(exchange.args, "sandbox", False))
    label = f"the {venue}{' sandbox' if sandbox else ''} account of {key.label}"
    return ("ccxt", venue, sandbox, key.key), label


def names(node: Node, view: View) -> Iterator[Claim]:
    """The mandate name a component carries (services, collectors, listeners)."""
    name = getattr(node.args, "mandate", None)
    if isinstance(name, str) and name:
        yield Claim(
            NAME, name, f'mandate name "{name}"', path=("mandate",),
            why="it prefixes client order ids and keys sink records, listener cursors, "
            "execution journals and the run lease, so the two would mix them")


def _market(node: Node, view: View, exchange_arg: str, *, ids: bool) -> Iterator[Claim]:
    """Account-and-market and client-id claims of a service resting orders through the
    exchange in ``exchange_arg`` on ``symbol``, its ids prefixed with ``mandate``."""
    exchange = view.node(getattr(node.args, exchange_arg, None))
    found = account(exchange)
    if found is None or exchange is None:
        return
    key, label = found
    symbol = str(node.args.symbol)
    yield Claim(
        MARKET, (key, symbol), f"{symbol} on {label}", path=("symbol",),
        why="both rest orders on one book with one balance: they can trade with each other, "
        "and each one's inventory and balance limits count the other's")
    form = getattr(exchange.cls, "client_id_format", None)
    owner = getattr(form, "owner", None)
    mandate = str(node.args.mandate)
    if ids and callable(owner):
        prefix = owner(f"{mandate}{form.separator}0{form.separator}1")  # type: ignore[union-attr]
        if prefix is not None:
            yield Claim(
                PREFIX, (key, prefix), f'client order ids "{mandate}..." on {label}',
                path=("mandate",),
                why="each one's startup cancels (or adopts) the other's orders on a market "
                "both trade, and counts its fills as its own")


def quoting(node: Node, view: View) -> Iterator[Claim]:
    """``market_making`` and the execution algorithms: ``exchange``, ``symbol``."""
    yield from _market(node, view, "exchange", ids=True)


def hedged_quoting(node: Node, view: View) -> Iterator[Claim]:
    """``market_making.xemm``: it quotes on ``maker`` (and cancels every order of the
    market there when it starts); the taker only takes. Its client order ids
    (``<mandate>-q<run>n<count>``) are of a form no other mandate's prefix claims."""
    yield from _market(node, view, "maker", ids=False)
