"""What ``market_making`` reports to ``fortuna run --http``: its metrics and its readiness.

The service keeps these figures anyway, tick by tick (a few additions per tick); the
Prometheus families are built only when ``/metrics`` is scraped. Every series carries the
mandate's name (``mandate``), so a firm's Prometheus tells its mandates apart.

- ``fortuna_quotes_live{side}``: the mandate's resting orders per side;
  ``fortuna_quoted_depth{side}``: their remaining base amount; ``fortuna_quoted_spread_bps``:
  best own ask minus best own bid, in basis points of the reference (absent unless both
  sides rest);
- ``fortuna_inventory{currency}``: base and quote totals at the last balance read;
  ``fortuna_pnl``: the marked value (base at the reference, plus quote) now minus at the
  first tick, in quote currency;
- ``fortuna_fills_total{side}``, ``fortuna_orders_sent_total``,
  ``fortuna_orders_refused_total``, ``fortuna_errors_total{kind}`` (the error's type:
  a venue error in a report, a failed tick);
- the tick duration histogram comes from the tick service itself, the kill switches' state
  from each switch, the venue latency from the exchange.

Prometheus samples are floats: money is converted at this edge only, for display, never
computed on as a float.

Readiness: not ready while no reference price has been read for three intervals (at least
five seconds of the clock): market data is stale, or never came.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from schemas import Balances, Market, Order, Side, money
from schemas.market_making import ExecutionReport, Executor
from schemas.metrics import ratio_metric

__all__ = ["MarketMakingStats", "error_kind"]

STALE_INTERVALS = 3
MIN_STALE_SECONDS = 5.0
_KIND = re.compile(r"\b([A-Z][A-Za-z0-9]+): ")


def error_kind(error: str) -> str:
    """The error type a report's error line names (``... (ExchangeUnavailable: down)``
    is ``ExchangeUnavailable``); ``other`` when it names none."""
    found = _KIND.search(error)
    return found.group(1) if found else "other"


class MarketMakingStats:
    """The running figures of one market-making service."""

    def __init__(self, mandate: str, market: Market, interval: float) -> None:
        self.mandate = mandate
        self.market = market
        self.stale_after = max(STALE_INTERVALS * interval, MIN_STALE_SECONDS)
        self.sent = 0
        self.refused = 0
        self.errors: Counter[str] = Counter()
        self.fills: Counter[str] = Counter()
        self.reference: Decimal | None = None
        self.reference_at: float | None = None
        self.balances: Balances | None = None
        self.start_value: Decimal | None = None
        self.value: Decimal | None = None
        self._fill_cursor = 0

    def saw(self, reference: Decimal, balances: Balances | None, now: float) -> None:
        """A tick read the reference (and maybe the balances) at ``now`` (clock seconds)."""
        self.reference, self.reference_at = reference, now
        if balances is not None:
            self.balances = balances
            base, quote = self.market.base, self.market.quote
            self.value = money.add(money.multiply(balances.total(base), reference),
                                   balances.total(quote))
            if self.start_value is None:
                self.start_value = self.value

    def ticked(self, report: ExecutionReport | None, failure: BaseException | None) -> None:
        """What one tick did: orders sent and refused, errors by kind."""
        if failure is not None:
            self.errors[type(failure).__name__] += 1
        if report is not None:
            self.sent += len(report.placed)
            self.refused += len(report.refused)
            for error in report.errors:
                self.errors[error_kind(error)] += 1

    async def read_fills(self, executor: Executor) -> None:
        """Count the fills the executor saw since the last tick, by side."""
        page = await executor.fills_since(self._fill_cursor)
        for fill in page.fills:
            self.fills[fill.side.value] += 1
        self._fill_cursor = page.next_cursor

    def not_ready(self, now: float) -> str | None:
        if self.reference_at is None:
            return "no reference price read yet"
        age = now - self.reference_at
        if age > self.stale_after:
            return f"market data stale: last reference price {age:.1f} s ago"
        return None

    def families(self, resting: Iterable[Order]) -> Iterable[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        mandate = self.mandate
        live = {side: [o for o in resting if o.side is side] for side in (Side.BUY, Side.SELL)}
        quotes = GaugeMetricFamily("fortuna_quotes_live", "the mandate's resting orders",
                                   labels=["mandate", "side"])
        depth = GaugeMetricFamily("fortuna_quoted_depth",
                                  "remaining base amount of the resting orders",
                                  labels=["mandate", "side"])
        for side, orders in live.items():
            quotes.add_metric([mandate, side.value], len(orders))
            depth.add_metric([mandate, side.value], float(money.total(o.remaining for o in orders)))
        yield quotes
        yield depth
        bids = [o.price for o in live[Side.BUY] if o.price is not None]
        asks = [o.price for o in live[Side.SELL] if o.price is not None]
        if bids and asks and self.reference:
            spread = GaugeMetricFamily("fortuna_quoted_spread_bps",
                                       "best own ask minus best own bid, in bps of the reference",
                                       labels=["mandate"])
            width = money.multiply(money.subtract(min(asks), max(bids)), Decimal(10_000))
            spread.add_metric([mandate], float(ratio_metric(width, self.reference)))
            yield spread
        if self.balances is not None:
            inventory = GaugeMetricFamily("fortuna_inventory",
                                          "total balance at the last read, by currency",
                                          labels=["mandate", "currency"])
            for currency in (self.market.base, self.market.quote):
                inventory.add_metric([mandate, currency], float(self.balances.total(currency)))
            yield inventory
        if self.value is not None and self.start_value is not None:
            pnl = GaugeMetricFamily("fortuna_pnl", "marked value now minus at the first tick, "
                                    "in quote currency", labels=["mandate", "currency"])
            pnl.add_metric([mandate, self.market.quote],
                           float(money.subtract(self.value, self.start_value)))
            yield pnl
        fills = CounterMetricFamily("fortuna_fills", "fills of the mandate's orders",
                                    labels=["mandate", "side"])
        for side in (Side.BUY, Side.SELL):
            fills.add_metric([mandate, side.value], self.fills[side.value])
        yield fills
        sent = CounterMetricFamily("fortuna_orders_sent", "orders sent to the venue",
                                   labels=["mandate"])
        sent.add_metric([mandate], self.sent)
        yield sent
        refused = CounterMetricFamily("fortuna_orders_refused",
                                      "orders refused by pre-trade risk or the venue",
                                      labels=["mandate"])
        refused.add_metric([mandate], self.refused)
        yield refused
        errors = CounterMetricFamily("fortuna_errors", "errors by kind (the error's type)",
                                     labels=["mandate", "kind"])
        for kind, count in sorted(self.errors.items()):
            errors.add_metric([mandate, kind], count)
        yield errors
