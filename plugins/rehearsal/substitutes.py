"""What ``fortuna rehearse`` puts in place of each live part of a mandate.

Declared per id in the entry-point group ``fortuna.rehearsal`` (the core's hook,
:mod:`fortuna._internal.rehearsal`); this module is the plugins' knowledge of which ids
are venues and what simulates them:

- a ccxt exchange becomes ``exchanges.sim`` listing the markets the mandate trades there,
  with the venue's name kept (client order ids, logs and metrics read the same); every
  simulated venue follows one shared price process, so two venues of an arbitrage see one
  market: ``exchanges.sim.prices`` (seeded) or, with ``--data``, ``exchanges.sim.replay``;
- an ``exchanges.sim`` already in the mandate stays, with ``--seed`` applied, and with
  ``--data`` follows the recording (its own random walk and random trades replaced);
- on-chain venues and pool prices cannot be simulated here: the rehearsal is refused,
  naming each, rather than run a mandate with a part missing.

Starting prices come from ``--price SYMBOL=PRICE``, else the recording; starting balances
from ``--balance CURRENCY=AMOUNT``, else 100,000 of each quote currency and the same value
of each base currency at the starting price.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fortuna import Node, View
from schemas import money

__all__ = ["database_sink", "exchange", "on_chain", "price_process", "simulated_venue"]

_DEFAULT_QUOTE = Decimal(100_000)


def _symbols(name: str, view: View) -> list[str]:
    """The markets the mandate trades on component ``name``: the ``symbol`` args of the
    components that reference it."""
    found: dict[str, None] = {}
    for node in view.referring(name):
        args = node.args
        value = args.get("symbol") if isinstance(args, dict) else None
        if isinstance(value, str) and "/" in value:
            found[value] = None
    return list(found)


def _decimal(text: Any) -> Decimal | None:
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        return None
    return value if value.is_finite() and value > 0 else None


def _recording(rehearsal: Any) -> Any:
    """The recording of ``--data`` (read once), or None; a bad file refuses the rehearsal."""
    path = rehearsal.options.get("data")
    if not path:
        return None
    rehearsal.use("data")
    if "recording" not in rehearsal.shared:
        from plugins.exchanges.sim.recording import RecordingError
        from plugins.exchanges.sim.replay import recording_at

        try:
            recording = recording_at(path)
        except (RecordingError, OSError) as error:
            rehearsal.shared["recording"] = None
            rehearsal.refuse(None, f"--data: {error}")
            return None
        from datetime import UTC, datetime

        rehearsal.shared["recording"] = recording
        rehearsal.clock_start = datetime.fromtimestamp(recording.start, UTC).isoformat()
        rehearsal.span = max(recording.end - recording.start, 1.0)
    return rehearsal.shared["recording"]


def _process(rehearsal: Any, symbols: list[str]) -> str | None:
    """The shared price process's name, created on first use, with ``symbols`` in it."""
    recording = _recording(rehearsal)
    if rehearsal.options.get("data") and recording is None:
        return None
    name = rehearsal.shared.get("process")
    if name is None:
        if recording is not None:
            name = rehearsal.add("rehearsal_market", "exchanges.sim.replay",
                                 {"path": rehearsal.options["data"]},
                                 f"replays {', '.join(recording.files)}")
        else:
            name = rehearsal.add("rehearsal_prices", "exchanges.sim.prices",
                                 {"series": {}, "seed": rehearsal.options.get("seed") or 0},
                                 "one seeded market for every simulated venue")
        rehearsal.shared["process"] = name
    if recording is None:
        series = rehearsal.components[name]["args"]["series"]
        for symbol in symbols:
            if symbol not in series:
                price = _start_price(rehearsal, symbol)
                if price is not None:
                    series[symbol] = {"price": str(price)}
    return str(name)


def _start_price(rehearsal: Any, symbol: str) -> Decimal | None:
    prices = rehearsal.options.get("prices") or {}
    found = _decimal(prices.get(symbol)) if symbol in prices else None
    if found is None:
        recording = _recording(rehearsal)
        if recording is not None:
            found = recording.first_price(symbol)
    return found


def _balances(rehearsal: Any, symbols: list[str]) -> dict[str, str]:
    given = {k: str(v) for k, v in (rehearsal.options.get("balances") or {}).items()}
    balances: dict[str, str] = {}
    for symbol in symbols:
        base, quote = symbol.split("/", 1)
        price = _start_price(rehearsal, symbol)
        balances.setdefault(quote, given.get(quote, str(_DEFAULT_QUOTE)))
        if price is not None:
            worth = money.divide(_DEFAULT_QUOTE, price, Decimal("0.0001"), money.Rounding.DOWN)
            balances.setdefault(base, given.get(base, str(worth)))
    for currency, amount in given.items():
        balances.setdefault(currency, amount)
    return balances


def exchange(node: Node, view: View, rehearsal: Any) -> None:
    """A live exchange (ccxt) becomes the simulated venue, its markets those it trades
    (and each ``--price`` market that shares a currency with them: conversions)."""
    symbols = _symbols(node.name, view)
    currencies = {c for s in symbols for c in s.split("/", 1)}
    for extra in rehearsal.options.get("prices") or {}:
        if extra not in symbols and "/" in extra and currencies & set(extra.split("/", 1)):
            symbols.append(extra)
    if not symbols:
        rehearsal.refuse(node.name, f"{node.id}: no component trades a symbol on it, so "
                         "there is no market to simulate")
        return
    if not _recorded(node, rehearsal, symbols):
        return
    missing = [s for s in symbols if _start_price(rehearsal, s) is None]
    if missing:
        rehearsal.refuse(node.name, f"{node.id}: the starting price of {', '.join(missing)} "
                         f"is unknown: give --price {missing[0]}=PRICE or --data")
        return
    process = _process(rehearsal, symbols)
    if process is None:
        return
    markets = [{"symbol": s, "price_increment": str(_increment(_start_price(rehearsal, s)))}
               for s in symbols]
    venue = node.id.rsplit(".", 1)[-1]
    args: dict[str, Any] = {"venue": venue, "markets": markets,
                            "balances": _balances(rehearsal, symbols), "prices": f"@{process}"}
    if rehearsal.options.get("seed") is not None:
        args["seed"] = rehearsal.options["seed"]
    if rehearsal.options.get("data"):
        args["trade_rate"] = 0
    rehearsal.replace(node.name, "exchanges.sim", args,
                      f"{', '.join(symbols)}; balances {_short(args['balances'])}")


def _recorded(node: Node, rehearsal: Any, symbols: list[str]) -> bool:
    """Without ``--data``, True; with it, whether the recording has every symbol (the
    rehearsal is refused, naming what is missing, when it has not or cannot be read)."""
    if not rehearsal.options.get("data"):
        return True
    recording = _recording(rehearsal)
    if recording is None:
        return False  # the data's own error is reported
    absent = [s for s in symbols if s not in recording.mids]
    if absent:
        rehearsal.refuse(node.name, f"--data: no recorded prices of {', '.join(absent)} "
                         f"(the data has {', '.join(recording.symbols)})")
    return not absent


def _increment(price: Decimal | None) -> Decimal:
    """A tick that the starting price is a multiple of: about a millionth of it."""
    assert price is not None
    exponent = price.normalize().as_tuple().exponent
    own = exponent if isinstance(exponent, int) else 0
    return Decimal(1).scaleb(min(own, max(price.adjusted() - 6, -8)))


def _short(balances: dict[str, str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in balances.items())


def simulated_venue(node: Node, view: View, rehearsal: Any) -> None:
    """``exchanges.sim`` stays; ``--seed`` and ``--data`` apply to it."""
    args = _written(node.args)
    seed = rehearsal.options.get("seed")
    data = rehearsal.options.get("data")
    if seed is None and not data:
        rehearsal.keep(node.name, "already simulated")
        return
    notes = []
    if seed is not None:
        args["seed"] = seed
        notes.append(f"seed {seed}")
    if data:
        symbols = [str(m.get("symbol")) for m in args.get("markets", [])
                   if isinstance(m, dict)]
        if not _recorded(node, rehearsal, symbols):
            return
        process = _process(rehearsal, symbols)
        if process is None:
            return
        args["prices"] = f"@{process}"
        args["trade_rate"] = 0
        args.pop("price_offset", None)
        for market in args.get("markets", []):
            if isinstance(market, dict):
                market.pop("price", None)
                market.pop("series", None)
        notes.append("follows the recorded market")
    rehearsal.replace(node.name, "exchanges.sim", args, "; ".join(notes))


def _written(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _written(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_written(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def on_chain(node: Node, view: View, rehearsal: Any) -> None:
    """On-chain venues and pool prices: no simulated stand-in exists; refuse, naming it."""
    rehearsal.refuse(node.name, f"{node.id} trades or reads on a chain, which a rehearsal "
                     "cannot simulate yet; rehearse the exchange legs in a mandate of their "
                     "own, or run this one against a local chain (docs/evm.md, docs/solana.md)")


def price_process(node: Node, view: View, rehearsal: Any) -> None:
    """A shared simulated price process: ``--seed`` applies to it; with ``--data`` the
    venues follow the recording instead, and it is left as written (unused)."""
    seed = rehearsal.options.get("seed")
    if seed is None or rehearsal.options.get("data"):
        return
    args = _written(node.args)
    args["seed"] = seed
    rehearsal.replace(node.name, node.id, args, f"seed {seed}")
    rehearsal.simulated.discard(node.name)


_POSTGRES_ONLY = ("dsn", "db_schema", "application_name", "pool_size", "connect_timeout",
                  "statement_timeout")


def database_sink(node: Node, view: View, rehearsal: Any) -> None:
    """A PostgreSQL sink writes to a local SQLite file instead: a rehearsal's simulated
    fills and balances must not land in the live metrics tables beside the real ones."""
    args = {k: v for k, v in _written(node.args).items() if k not in _POSTGRES_ONLY}
    args["path"] = f"rehearsal-{node.name}.sqlite"
    rehearsal.replace(node.name, "sinks.sqlite", args,
                      f"{args['path']}: the live database is not written")
    rehearsal.simulated.discard(node.name)
