"""The run summary: what a mandate did, printed at the end of every run.

Registered in the entry-point group ``fortuna.observers``; ``fortuna run`` and ``fortuna
rehearse`` create one per run (see :class:`fortuna._internal.runtime.RunObserver`). It
finds what to watch in the loaded graph: every executor bound to a market (a *book*), the
kill switches, and the reference price of the service that drives each executor. It
samples on the graph's clock at the service's interval, reads balances at the start and
at the end (before anything unloads), and hands the figures to the text or JSON renderer
(:mod:`plugins.rehearsal._render`) and to the HTML report (:mod:`plugins.rehearsal.report`).

The reference of each sample is the service's own last one (``market_making`` keeps it),
so watching costs no call to a venue; for a service that keeps none, a rehearsal asks the
price provider, a live run does not (its plots then have no reference, and the mark is
read once at the end). Beyond that, a live run costs two balance reads and one price. A
summary that cannot read something says so in its figures; it never fails the run.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from decimal import Decimal
from typing import Any

from plugins.rehearsal._book import Book, spread_bps
from schemas import Balances, Exchange, PriceProvider, money
from schemas.market_making import Executor, QuoteContext, Strategy
from schemas.risk import KillSwitch

__all__ = ["RunSummary"]



class RunSummary:
    """Watches one run and renders its summary (text, JSON, HTML)."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.rehearsal = bool(options.get("rehearsal"))
        self.substitutions = [str(line).strip() for line in options.get("substitutions", ())]
        self.books: list[Book] = []
        self.trips: list[dict[str, Any]] = []
        self.source = ""
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self._watch: list[tuple[Book, Executor, PriceProvider | None]] = []
        self._drivers: dict[int, Any] = {}
        self.venues: dict[str, dict[str, dict[str, Decimal]]] = {}
        self._venues: dict[str, Exchange] = {}
        self._switches: list[tuple[str, KillSwitch]] = []
        self._tripped: set[str] = set()
        self._cursors: dict[int, int] = {}
        self._task: asyncio.Task[None] | None = None
        self._clock: Any = None

    # --- RunObserver ---------------------------------------------------------------------

    async def started(self, graph: Any) -> None:
        self._clock = graph.clock
        self.source = graph.plan.source
        self.started_at = graph.clock.time()
        components = {name: graph[name] for name in graph}
        for name, component in components.items():
            if isinstance(component, KillSwitch):
                self._switches.append((name, component))
        for component in components.values():
            if isinstance(component, Executor):
                try:
                    await self._watch_executor(component, components, graph)
                except Exception as error:  # one venue failing hides only its own book
                    graph.log.warning("summary: a quoted market is not watched",
                                      executor=getattr(component, "name", "?"),
                                      error=f"{type(error).__name__}: {error}")
        quoted = {book.venue for book in self.books}  # the executors' venues, by name
        for name, component in components.items():
            if isinstance(component, Exchange) and name not in quoted:
                with contextlib.suppress(Exception):
                    start = await component.fetch_balances()
                    self._venues[name] = component
                    self.venues[name] = {"start": _totals(start)}
        if self._watch:
            self._task = asyncio.ensure_future(self._sample_forever())

    async def _watch_executor(self, executor: Executor, components: dict[str, Any],
                              graph: Any) -> None:
        """Start watching the market ``executor`` is bound to (none: nothing to watch)."""
        market = _bound_market(executor)
        exchange = _bound_exchange(executor)
        if market is None or exchange is None:
            return
        driver = next((c for c in components.values() if _arg(c, "executor") is executor),
                      None)
        price = _arg(driver, "price")
        interval = _arg(driver, "interval")
        book = Book(venue=executor.fill_venue, market=market,
                    interval=float(interval) if isinstance(interval, int | float) else 1.0)
        balances = await _account(executor, exchange)
        book.base_start = balances.total(market.base)
        book.quote_start = balances.total(market.quote)
        reference = await _price(price, exchange, market.symbol)
        _targets(book, _arg(driver, "strategy"), reference, balances, graph.clock.now())
        self.books.append(book)
        self._drivers[id(book)] = driver
        self._watch.append((book, executor, price if isinstance(price, PriceProvider)
                            else None))

    async def finished(self, graph: Any) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._sample()
        self.ended_at = graph.clock.time()
        for book, executor, price in self._watch:
            exchange = _bound_exchange(executor)
            assert exchange is not None
            tally = getattr(executor, "tally", None)
            if tally is not None:
                book.orders = {"placed": tally.placed, "cancelled": tally.cancelled,
                               "refused": tally.refused, "failed": tally.failed}
            try:
                balances = await _account(executor, exchange)
                book.base_end = balances.total(book.market.base)
                book.quote_end = balances.total(book.market.quote)
            except Exception as error:
                graph.log.warning("summary: final balances not read", error=str(error))
            book.mark = await _price(price, exchange, book.market.symbol)
        for name, venue in self._venues.items():
            try:
                self.venues[name]["end"] = _totals(await venue.fetch_balances())
            except Exception as error:
                graph.log.warning("summary: final balances not read", venue=name,
                                  error=str(error))

    # --- sampling ------------------------------------------------------------------------

    async def _sample_forever(self) -> None:
        interval = min(book.interval for book, _, _ in self._watch)
        while True:
            await self._sample()
            await self._clock.sleep(interval)

    async def _sample(self) -> None:
        now = self._clock.time()
        for book, executor, price in self._watch:
            page = await executor.fills_since(self._cursors.get(id(executor), 0), 100_000)
            self._cursors[id(executor)] = page.next_cursor
            book.missed_fills += page.missed
            for fill in page.fills:
                book.add_fill(fill)
            # The service's own last reference when it keeps one (no extra call), else
            # the provider asked again, in a rehearsal only (a live venue gets no extra load).
            reference = getattr(self._drivers.get(id(book)), "reference", None)
            if not isinstance(reference, Decimal):
                reference = None
                if self.rehearsal and price is not None:
                    with contextlib.suppress(Exception):
                        reference = (await price.quote()).price
            book.sample(now, reference, executor.resting)
        for name, switch in self._switches:
            if switch.tripped and name not in self._tripped:
                self._tripped.add(name)
                self.trips.append({"time": now, "switch": name, "reason": switch.reason})
            elif not switch.tripped:
                self._tripped.discard(name)

    # --- output --------------------------------------------------------------------------

    def figures(self) -> dict[str, Any]:
        return {
            "mandate": self.source,
            "rehearsal": self.rehearsal,
            "substitutions": self.substitutions,
            "started": self.started_at,
            "ended": self.ended_at,
            "started_utc": _iso(self.started_at),
            "ended_utc": _iso(self.ended_at),
            "books": [book.figures([other for other in self.books if other is not book
                                    and other.venue == book.venue]) for book in self.books],
            "venues": {name: _changes(balances) for name, balances in self.venues.items()},
            "kill_switch_trips": self.trips,
        }

    def render(self, output_format: str = "text") -> str:
        if self.started_at is None or not (self.books or self.venues or self.trips):
            return ""  # the run never got going, or it touched no venue: nothing to say
        from plugins.rehearsal._render import as_json, as_text

        figures = self.figures()
        return as_json(figures) if output_format == "json" else as_text(figures)

    def write_report(self, path: str) -> None:
        from plugins.rehearsal.report import write_report

        write_report(self, path)


def _iso(epoch: float | None) -> str | None:
    """A time of the mandate's clock as ISO 8601 UTC."""
    if epoch is None:
        return None
    from datetime import UTC

    return datetime.fromtimestamp(epoch, UTC).isoformat()


async def _account(executor: Executor, exchange: Any) -> Balances:
    """The account the executor trades: its own when it simulates one (paper trading),
    else the venue's balances."""
    simulated = executor.simulated_balances()
    return simulated if simulated is not None else await exchange.fetch_balances()


def _totals(balances: Balances) -> dict[str, Decimal]:
    return {code: balance.total for code, balance in balances.balances.items()}


def _changes(balances: dict[str, dict[str, Decimal]]) -> dict[str, dict[str, Decimal | None]]:
    """Per currency: start, end and change (None when the end could not be read)."""
    start, end = balances.get("start", {}), balances.get("end")
    found: dict[str, dict[str, Decimal | None]] = {}
    for code in sorted(set(start) | set(end or {})):
        before = start.get(code, Decimal(0))
        after = None if end is None else end.get(code, Decimal(0))
        found[code] = {"start": before, "end": after,
                       "change": None if after is None else money.subtract(after, before)}
    return found


def _arg(component: Any, name: str) -> Any:
    args = getattr(component, "args", None)
    return getattr(args, name, None) if args is not None else None


def _bound_market(executor: Executor) -> Any:
    try:
        return getattr(executor, "market", None)
    except RuntimeError:  # an executor no service bound
        return None


def _bound_exchange(executor: Executor) -> Exchange | None:
    try:
        found = getattr(executor, "exchange", None)
    except RuntimeError:
        return None
    return found if isinstance(found, Exchange) else None


async def _price(provider: Any, exchange: Exchange, symbol: Any) -> Decimal | None:
    """The reference (the service's price provider), else the venue's mid or last."""
    if isinstance(provider, PriceProvider):
        with contextlib.suppress(Exception):
            return (await provider.quote()).price
    try:
        ticker = await exchange.fetch_ticker(symbol)
    except Exception:
        return None
    if ticker.bid is not None and ticker.ask is not None:
        return money.mid(ticker.bid, ticker.ask)
    return ticker.last


def _targets(book: Book, strategy: Any, reference: Decimal | None,
             balances: Balances, now: datetime) -> None:
    """The mandate's own targets: what its strategy quotes around the starting reference
    (its spread between best bid and ask, and the amount on each side)."""
    if not isinstance(strategy, Strategy) or reference is None:
        return
    try:
        quotes = strategy.quotes(QuoteContext(reference=reference, market=book.market,
                                              now=now, balances=balances))
    except Exception:
        return
    bids = [q for q in quotes if q.side.value == "buy"]
    asks = [q for q in quotes if q.side.value == "sell"]
    book.target_bid_depth = money.total(q.amount for q in bids)
    book.target_ask_depth = money.total(q.amount for q in asks)
    if bids and asks:
        book.target_spread_bps = spread_bps(max(q.price for q in bids),
                                            min(q.price for q in asks))
