"""What a ccxt venue's API key holds in the firm's book: a request rate, and its order ids.

**The rate.** ccxt spaces the requests of one client by the venue's ``rateLimit`` (the
milliseconds between two requests of cost 1), but every mandate runs its own process
and its own client: N mandates on one API key send N times what one does, and the venue
answers with rate-limit errors, then bans the key. So every ccxt venue component claims a
share of its key's budget, ``1000 / rateLimit`` requests per second, and the book fails
when the shares of the mandates on one key add up to more.

A mandate's share is an estimate of the requests of a *quiet* tick (no order moves):
for each component that ticks (an ``interval`` arg: services, listeners, collectors) and
reaches this venue,

- its own reads, when it references the venue itself: ``market_making`` 1 (its
  executor's open orders) + 1 (balances, when it respects them or reports them), any
  other 1 (a listener's poll, an execution algorithm's open orders, xemm's book);
- 1 for each component without an interval that reads the venue on its behalf, through
  any chain of such components (a ticker or order-book price, an inventory kill switch);

divided by its interval. Placing and cancelling orders come on top, so the estimate is a
floor: a finding means the key's budget is exceeded even before an order moves.

``rateLimit`` comes from ``rate_limits.txt`` beside this module, pinned like ``ids.txt``
(validation never imports ccxt); a test compares it with the installed ccxt, and
``python -m plugins.exchanges.ccxt.rates > plugins/exchanges/ccxt/rate_limits.txt``
regenerates it. A venue missing from the table claims no rate.

**Order ids.** The ids this component makes for orders that come without one
(``client_order_id_prefix`` and a random tail) are claimed like a mandate's prefix when
the venue's id format would give them to some mandate's prefix (on a venue whose ids are
letters and digits only, a mandate's ids are separated by a letter that the prefix may
contain too).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

from fortuna import Claim, Node, View
from plugins._book import PREFIX, account

__all__ = ["claims", "pinned_rate_limits", "rate_of", "reads_by_ticker", "reads_per_second"]

RATE = "request rate of one API key"
PINNED = Path(__file__).with_name("rate_limits.txt")
_MAX_DEPTH = 8


@functools.cache
def pinned_rate_limits() -> dict[str, float]:
    """ccxt's ``rateLimit`` (ms) by exchange id, from ``rate_limits.txt``."""
    table: dict[str, float] = {}
    for line in PINNED.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            venue, _, milliseconds = line.partition(" ")
            table[venue.strip()] = float(milliseconds)
    return table


def _ticking(node: Node) -> float | None:
    interval = getattr(node.args, "interval", None)
    if isinstance(interval, int | float) and not isinstance(interval, bool) and interval > 0:
        return float(interval)
    return None


def _own_reads(node: Node) -> int:
    if node.id == "market_making":
        balances = node.args.respect_balances or node.args.report_every is not None
        return 1 + int(balances)
    return 1


def reads_per_second(exchange: Node, view: View) -> float:
    """The requests per second a quiet tick of every ticking component sends to
    ``exchange`` (see the module's docstring)."""
    return rate_of(reads_by_ticker(exchange, view))


def rate_of(readers: dict[str, tuple[int, float]]) -> float:
    """Requests per second of ``readers`` (reads a tick, interval), together."""
    return sum(count / interval for count, interval in readers.values())


def reads_by_ticker(exchange: Node, view: View) -> dict[str, tuple[int, float]]:
    """For each ticking component that reaches ``exchange``: the requests one quiet tick
    of it sends there, and its interval in seconds. Nothing for a venue that streams any
    of its data: which reads then reach REST depends on the stream's health, so no floor
    can be stated."""
    settings = getattr(exchange.args, "stream", None)
    if any(getattr(settings, kind, False) is True
           for kind in ("order_book", "trades", "ticker", "orders")):
        return {}
    reads: dict[str, int] = {}
    for direct in view.referring(exchange.name):
        if _ticking(direct) is not None:
            reads[direct.name] = reads.get(direct.name, 0) + _own_reads(direct)
            continue
        seen = {direct.name}
        level = [direct]
        for _ in range(_MAX_DEPTH):
            above: list[Node] = []
            for node in level:
                for parent in view.referring(node.name):
                    if parent.name in seen:
                        continue
                    seen.add(parent.name)
                    if _ticking(parent) is not None:
                        reads[parent.name] = reads.get(parent.name, 0) + 1
                    else:
                        above.append(parent)
            if not above:
                break
            level = above
    found: dict[str, tuple[int, float]] = {}
    for name, count in reads.items():
        interval = _ticking(view.nodes[name])
        if interval is not None:
            found[name] = (count, interval)
    return found


def claims(node: Node, view: View) -> Iterator[Claim]:
    """The key's request rate this mandate spends, and the prefix of its generated ids."""
    found = account(node)
    if found is None:
        return
    key, label = found
    venue = str(getattr(node.cls, "exchange_id", ""))
    milliseconds = pinned_rate_limits().get(venue)
    if milliseconds:
        yield Claim(
            RATE, key, label, path=("api_key",), use=reads_per_second(node, view),
            limit=1000 / milliseconds, unit="requests/s",
            why=f"each mandate's ccxt spaces only its own requests (rateLimit {milliseconds:g} "
            "ms), so together they draw rate-limit errors, then a ban of the key: lengthen "
            "the intervals or give each mandate its own key (estimate: reads of a quiet tick, "
            "orders come on top)")
    form = node.cls.client_id_format
    kept = "".join(ch for ch in node.args.client_order_id_prefix if ch.isalnum())
    owner = form.owner((kept + "0" * form.max_length)[: form.max_length])
    if owner is not None:
        yield Claim(
            PREFIX, (key, owner), f'client order ids "{owner}..." on {label}',
            path=("client_order_id_prefix",),
            why=f'{node.id} makes the ids of orders placed without one from this prefix, '
            f'and the venue\'s format gives them to the mandate named "{owner}": its '
            "startup would cancel them")


if __name__ == "__main__":  # pragma: no cover
    import ccxt

    from plugins.exchanges.ccxt.family import pinned_exchange_ids

    print("# ccxt's rateLimit (ms between requests of cost 1) of each exchange id, pinned so")
    print("# validation never imports ccxt. To follow a new release:")
    print("#   .venv/bin/python -m plugins.exchanges.ccxt.rates > "
          "plugins/exchanges/ccxt/rate_limits.txt")
    for venue in pinned_exchange_ids():
        print(f"{venue} {getattr(ccxt, venue)().rateLimit:g}")
