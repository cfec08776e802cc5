"""One quoted market of a run, watched for the summary: samples, fills and the figures.

A *book* is one executor's market (venue, symbol). The watcher reads only what the run
already keeps in memory (the executor's resting orders, its fill journal, the kill
switches' latches) plus one reference price per sample, so watching a live run costs no
extra order traffic; balances are read twice, at the start and at the end.

The figures reconcile by construction, and the summary says when they do not:

- P&L (mark-to-market, in quote, net of fees) is the change in value of the balances at
  the final mark: ``(quote_end - quote_start) + (base_end - base_start) * mark``. Exact.
- The same change is rebuilt from the fills (sells bring quote, buys cost it, fees are
  paid); the two must agree to the last digit. They do not when something else moved the
  balances (a deposit, another mandate on the account, a fee paid in a third currency,
  fills the journal no longer held): the summary lists the difference.
- Realised P&L is average-cost: the matched volume times (average sell - average buy), less
  every fee, rounded half-even to 1e-8 quote (an average is a quotient); unrealised is the
  exact remainder, so realised + unrealised = P&L exactly.

Sampling every tick of a day must cost next to nothing, so a sample does no arithmetic
that the previous one already did. The inventory moves only on fills (:class:`_Position`,
updated by :meth:`Book.add_fill`); the best quotes, their depth and their spread are worked
out only when the resting orders changed (orders are frozen: the same objects, in the same
order, are the same quotes), and each such *quote state* counts the samples that saw it.
The quoting figures are then sums over the states (a value times the samples that saw it),
exactly what the sums over every sample would be.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from schemas import Fill, Market, Side, money, same_objects
from schemas.money import Rounding

__all__ = ["Book", "Sample", "spread_bps"]

_ZERO = Decimal(0)
_BPS = Decimal(10_000)
_PNL_QUANTUM = Decimal("1E-8")
_BPS_QUANTUM = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Sample:
    """The book at one moment: reference, best own quotes and their depth, inventory."""

    t: float
    reference: Decimal | None
    bid: Decimal | None
    ask: Decimal | None
    bid_depth: Decimal
    ask_depth: Decimal
    base_change: Decimal
    quote_change: Decimal


class _Position:
    """What the fills did to the account, in the order they came: the base and quote
    changes (fees included), the fees paid in quote and in base, and the lowest and the
    highest the base change reached."""

    __slots__ = ("base", "base_fees", "fees", "highest", "lowest", "quote")

    def __init__(self) -> None:
        self.base = self.quote = self.fees = self.base_fees = self.lowest = self.highest = _ZERO


class _Quotes:
    """One quote state: the best own bid and ask, the depth on each side and the quoted
    spread (bps, rounded half-even to 0.01) of one set of resting orders, and the number
    of samples that saw it."""

    __slots__ = ("ask", "ask_depth", "bid", "bid_depth", "orders", "samples", "spread_bps")

    def __init__(self, orders: Sequence[Any]) -> None:
        bids = [o for o in orders if o.side is Side.BUY and o.price is not None]
        asks = [o for o in orders if o.side is Side.SELL and o.price is not None]
        self.orders = orders  # held, so that no other object can take their identities
        self.bid: Decimal | None = max((o.price for o in bids), default=None)
        self.ask: Decimal | None = min((o.price for o in asks), default=None)
        self.bid_depth = money.total(o.remaining for o in bids)
        self.ask_depth = money.total(o.remaining for o in asks)
        self.spread_bps = spread_bps(self.bid, self.ask)
        self.samples = 0

    def made_of(self, orders: Sequence[Any]) -> bool:
        """Whether ``orders`` are this state's orders: the same objects, in order."""
        return same_objects(orders, self.orders)


def spread_bps(bid: Decimal | None, ask: Decimal | None) -> Decimal | None:
    """The quoted spread in bps of the mid, rounded half-even to 0.01 (None: one-sided)."""
    if bid is None or ask is None:
        return None
    return money.divide(money.multiply(money.subtract(ask, bid), _BPS), money.mid(bid, ask),
                        _BPS_QUANTUM, Rounding.HALF_EVEN)


@dataclass
class Book:
    venue: str
    market: Market
    base_start: Decimal = _ZERO
    quote_start: Decimal = _ZERO
    base_end: Decimal | None = None
    quote_end: Decimal | None = None
    mark: Decimal | None = None
    target_spread_bps: Decimal | None = None
    target_bid_depth: Decimal | None = None
    target_ask_depth: Decimal | None = None
    interval: float = 1.0
    fills: list[Fill] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    missed_fills: int = 0
    orders: dict[str, int] | None = None
    other_fees: dict[str, Decimal] = field(default_factory=dict)
    _position: _Position = field(default_factory=_Position)
    _states: list[_Quotes] = field(default_factory=list)

    @property
    def symbol(self) -> str:
        return str(self.market.symbol)

    # --- recording ------------------------------------------------------------------------

    def add_fill(self, fill: Fill) -> None:
        """A fill of the mandate's order: it moves the inventory and the quote."""
        self.fills.append(fill)
        position = self._position
        notional = money.multiply(fill.amount, fill.price)
        if fill.side is Side.BUY:
            position.base = money.add(position.base, fill.amount)
            position.quote = money.subtract(position.quote, notional)
        else:
            position.base = money.subtract(position.base, fill.amount)
            position.quote = money.add(position.quote, notional)
        currency = fill.fee_currency or self.market.quote
        if currency == self.market.quote:
            position.quote = money.subtract(position.quote, fill.fee)
            position.fees = money.add(position.fees, fill.fee)
        elif currency == self.market.base:
            position.base = money.subtract(position.base, fill.fee)
            position.base_fees = money.add(position.base_fees, fill.fee)
        else:
            self.other_fees[currency] = money.add(self.other_fees.get(currency, _ZERO),
                                                  fill.fee)
        position.lowest = min(position.lowest, position.base)
        position.highest = max(position.highest, position.base)

    def sample(self, t: float, reference: Decimal | None, resting: Sequence[Any]) -> None:
        """The book at ``t``: ``resting`` is the executor's resting orders (frozen orders:
        the same objects as at the previous sample are the same quotes, not worked out
        again)."""
        states = self._states
        quotes = states[-1] if states else None
        if quotes is None or not quotes.made_of(resting):
            quotes = _Quotes(resting)
            states.append(quotes)
        quotes.samples += 1
        position = self._position
        self.samples.append(Sample(
            t=t, reference=reference, bid=quotes.bid, ask=quotes.ask,
            bid_depth=quotes.bid_depth, ask_depth=quotes.ask_depth,
            base_change=position.base, quote_change=position.quote,
        ))

    # --- figures -------------------------------------------------------------------------

    def pnl_at(self, sample: Sample) -> Decimal | None:
        """Mark-to-market P&L from the fills up to ``sample``, at its reference."""
        if sample.reference is None:
            return None
        return money.add(sample.quote_change, money.multiply(sample.base_change,
                                                             sample.reference))

    def changes(self) -> tuple[dict[str, Decimal], dict[str, Decimal | None]]:
        """(the fills' change, the balances' change) per currency of the market."""
        base, quote = self.market.base, self.market.quote
        balances: dict[str, Decimal | None] = {
            base: None if self.base_end is None
            else money.subtract(self.base_end, self.base_start),
            quote: None if self.quote_end is None
            else money.subtract(self.quote_end, self.quote_start)}
        return {base: self._position.base, quote: self._position.quote}, balances

    def figures(self, neighbours: list[Book] | None = None) -> dict[str, Any]:
        """The book's figures. ``neighbours``: the other books quoted on the same venue;
        their fills move the same balances, so the balances are reconciled with the fills
        of all of them, and this book's P&L is valued from its own fills."""
        market = self.market
        buys = [f for f in self.fills if f.side is Side.BUY]
        sells = [f for f in self.fills if f.side is Side.SELL]
        bought = money.total(f.amount for f in buys)
        sold = money.total(f.amount for f in sells)
        paid = money.total(money.multiply(f.amount, f.price) for f in buys)
        received = money.total(money.multiply(f.amount, f.price) for f in sells)
        mark = self.mark
        fees = self._position.fees
        if mark is not None and self._position.base_fees:
            fees = money.add(fees, money.multiply(self._position.base_fees, mark))
        result: dict[str, Any] = {
            "venue": self.venue,
            "symbol": self.symbol,
            "mark": mark,
            "volume": {
                "buy": {"fills": len(buys), "base": bought, "quote": paid},
                "sell": {"fills": len(sells), "base": sold, "quote": received},
            },
            "fees": fees,
            "orders": self.orders,
        }
        result["inventory"] = self._inventory()
        result["quoting"] = self._quoting()
        result["pnl"], result["reconciliation"] = self._pnl(
            bought, sold, paid, received, fees, neighbours or [])
        result["balances"] = {
            "start": {market.base: self.base_start, market.quote: self.quote_start},
            "end": {market.base: self.base_end, market.quote: self.quote_end},
        }
        return result

    def _inventory(self) -> dict[str, Decimal | None]:
        """Start and end, and the extremes the fills reached (every fill, in the order the
        executor saw them, not only at the samples)."""
        start, position = self.base_start, self._position
        end_from_fills = money.add(start, position.base)
        return {"start": start, "end": self.base_end if self.base_end is not None
                else end_from_fills, "min": money.add(start, position.lowest),
                "max": money.add(start, position.highest)}

    def _quoting(self) -> dict[str, Any]:
        """Averages over every sample, summed per quote state (its value times the samples
        that saw it: the same exact sums as sample by sample)."""
        count = len(self.samples)
        two_sided = [q for q in self._states if q.spread_bps is not None]
        two_sided_count = sum(q.samples for q in two_sided)

        def average(values: list[tuple[Decimal, int]], weight: int) -> Decimal | None:
            if not weight:
                return None
            summed = money.total(money.multiply(value, Decimal(n)) for value, n in values)
            return money.divide(summed, Decimal(weight), Decimal("1E-8"), Rounding.HALF_EVEN)

        return {
            "samples": count,
            "two_sided_fraction": None if not count else money.divide(
                Decimal(two_sided_count), Decimal(count), Decimal("0.0001"),
                Rounding.HALF_EVEN),
            "two_sided_seconds": two_sided_count * self.interval,
            "spread_bps": average([(q.spread_bps, q.samples) for q in two_sided
                                   if q.spread_bps is not None], two_sided_count),
            "target_spread_bps": self.target_spread_bps,
            "bid_depth": average([(q.bid_depth, q.samples) for q in self._states], count),
            "ask_depth": average([(q.ask_depth, q.samples) for q in self._states], count),
            "target_bid_depth": self.target_bid_depth,
            "target_ask_depth": self.target_ask_depth,
        }

    def _pnl(self, bought: Decimal, sold: Decimal, paid: Decimal, received: Decimal,
             fees: Decimal, neighbours: list[Book]
             ) -> tuple[dict[str, Decimal | None], dict[str, Any]]:
        base_end, quote_end, mark = self.base_end, self.quote_end, self.mark
        problems: list[str] = []
        if self.missed_fills:
            problems.append(f"{self.missed_fills} fill(s) were no longer held by the executor "
                            "when the summary read them")
        for currency, amount in self.other_fees.items():
            problems.append(f"fees of {amount} {currency} are not in {self.market.quote}")
        if base_end is None or quote_end is None or mark is None:
            problems.append("the final balances or mark could not be read")
            return {"total": None, "realised": None, "unrealised": None, "fees": fees}, {
                "ok": False, "problems": problems}
        filled, balanced = self.changes()
        for neighbour in neighbours:  # every book on the venue moves its balances
            for code, moved in neighbour.changes()[0].items():
                filled[code] = money.add(filled.get(code, _ZERO), moved)
                if code not in balanced:
                    balanced[code] = neighbour.changes()[1][code]
        for code, change in balanced.items():
            if change is not None and change != filled.get(code, _ZERO):
                problems.append(f"{code} changed by {change}, fills say {filled.get(code)}")
        base_change = money.subtract(base_end, self.base_start)
        quote_change = money.subtract(quote_end, self.quote_start)
        if neighbours:  # the balances are shared: this book's own change is its fills'
            base_change, quote_change = self._position.base, self._position.quote
        total = money.add(quote_change, money.multiply(base_change, mark))
        matched = min(bought, sold)
        realised = money.subtract(_ZERO, fees)
        if matched:
            average_buy = money.divide(paid, bought, _PNL_QUANTUM, Rounding.HALF_EVEN)
            average_sell = money.divide(received, sold, _PNL_QUANTUM, Rounding.HALF_EVEN)
            realised = money.round_to(money.add(realised, money.multiply(
                matched, money.subtract(average_sell, average_buy))), _PNL_QUANTUM,
                Rounding.HALF_EVEN)
        return {
            "total": total, "realised": realised,
            "unrealised": money.subtract(total, realised), "fees": fees,
        }, {"ok": not problems, "problems": problems, "balance_change": balanced,
            "fill_change": filled}
