"""Benchmark: the market-making tick on the simulated venue, and a 24-hour rehearsal.

    .venv/bin/python benchmarks/market_making.py [--ticks 20000] [--hours 24]

1. Framework time per tick: a 10-level two-sided ladder (20 orders) on ``exchanges.sim``
   with zero latency, built by the real container from a mandate, ticked by hand. The
   venue's own methods are timed separately (a timing wrapper on the instance), so the
   figure reported as *framework* is the tick minus the time spent inside the venue: kill
   switch, price, strategy, quantizing, funding, reconciliation, risk and the executor's
   bookkeeping. Two cases:
   - steady: the clock does not move, so the book and the reference do not either; each
     tick reads the venue and finds nothing to change (the common case between moves).
   - moving: one virtual second between ticks; the market walks and trades, and the ladder
     is re-quoted whenever its levels move beyond the executor's tolerance: zero (every
     level that moved by a tick is replaced, the worst case) or 2 bps (a usual setting).
   Targets: framework <= 200 us per tick, >= 5,000 ticks per second.
2. A rehearsal: the same mandate with a kill switch, on the virtual clock at one-second
   ticks for 24 hours (86,400 ticks), run by ``fortuna.run`` exactly as ``fortuna run``
   does, logging at warning level. Target: <= 60 s wall.

Tick figures are CPU time of this process (``time.process_time``), steadier than wall time
on a shared machine; the rehearsal reports wall and CPU. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import logging
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import structlog

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fortuna import run, start
from plugins.market_making.service import MarketMaking

SYMBOL = "BTC/USDT"
VENUE_METHODS = (
    "fetch_ticker", "fetch_order_book", "fetch_balances", "fetch_open_orders",
    "fetch_my_trades", "create_order", "cancel_order", "market", "markets",
)


def mandate(*, tolerance: str = "0", duration: str | None = None) -> dict[str, Any]:
    mm_args: dict[str, Any] = {
        "exchange": "@sim", "symbol": SYMBOL, "price": "@price", "strategy": "@ladder",
        "executor": "@executor", "risk": "@risk", "kill_switches": ["@halt"],
        "mandate": "bench", "interval": "1s",
    }
    if duration is not None:
        mm_args["duration"] = duration
    return {
        "service": "@mm",
        "components": {
            "clock": {"id": "clock.virtual"},
            "sim": {"id": "exchanges.sim", "args": {
                "markets": [{"symbol": SYMBOL, "price": "65000", "price_increment": "0.01",
                             "amount_increment": "0.0001"}],
                "balances": {"BTC": "1000", "USDT": "100000000"},
                "latency": 0, "seed": 1, "trade_rate": "0.5"}},
            "price": {"id": "prices.order_book", "args": {"exchange": "@sim",
                                                          "symbol": SYMBOL}},
            "ladder": {"id": "market_making.strategies.ladder", "args": {
                "levels": 10, "spread": "0.0005", "step": "0.0005", "amount": "0.01",
                "amount_step": "0.005"}},
            "executor": {"id": "market_making.executors.exchange",
                         "args": {"price_tolerance": tolerance}},
            "risk": {"id": "market_making.risk", "args": {
                "collar": "0.02", "max_amount": "1", "max_notional": "100000",
                "max_open_orders": 40}},
            "halt": {"id": "kill_switches.manual_halt", "args": {"path": "/nonexistent/HALT"}},
            "mm": {"id": "market_making", "args": mm_args},
        },
    }


class VenueTimer:
    """Times every call into the venue: wraps the instance's methods (measurement only)."""

    def __init__(self, venue: Any) -> None:
        self.seconds = 0.0
        self.calls: dict[str, int] = defaultdict(int)
        for name in VENUE_METHODS:
            setattr(venue, name, self._wrap(name, getattr(venue, name)))

    def _wrap(self, name: str, method: Callable[..., Awaitable[Any]]
              ) -> Callable[..., Awaitable[Any]]:
        @functools.wraps(method)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.process_time()
            try:
                return await method(*args, **kwargs)
            finally:
                self.seconds += time.process_time() - began
                self.calls[name] += 1

        return timed


async def per_tick(ticks: int, *, moving: bool, tolerance: str = "0") -> dict[str, float]:
    async with start(mandate(tolerance=tolerance)) as graph:
        mm = graph["mm"]
        assert isinstance(mm, MarketMaking)
        timer = VenueTimer(graph["sim"])
        await mm.on_start()
        clock: Any = graph.clock
        for _ in range(200):  # warm up: the ladder rests, caches fill
            await mm.tick()
            if moving:
                await clock.advance(1.0)
        timer.seconds = 0.0
        timer.calls.clear()
        placed = cancelled = 0
        gc.collect()
        began = time.process_time()
        elapsed_clock = 0.0
        for _ in range(ticks):
            await mm.tick()
            report = mm.last_report
            if report is not None:
                placed += len(report.placed)
                cancelled += len(report.cancelled)
            if moving:
                moved = time.process_time()
                await clock.advance(1.0)
                elapsed_clock += time.process_time() - moved
        total = time.process_time() - began - elapsed_clock
        await mm.on_stop()
    return {
        "total_us": total / ticks * 1e6,
        "venue_us": timer.seconds / ticks * 1e6,
        "framework_us": (total - timer.seconds) / ticks * 1e6,
        "venue_calls_per_tick": sum(timer.calls.values()) / ticks,
        "placed_per_tick": placed / ticks,
        "cancelled_per_tick": cancelled / ticks,
    }


async def rehearsal(hours: float) -> tuple[float, float, int, int]:
    began, cpu = time.perf_counter(), time.process_time()
    graph = await run(mandate(tolerance="0.0002", duration=f"{hours * 3600:g}s"))
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    mm = graph["mm"]
    assert isinstance(mm, MarketMaking)
    executor: Any = graph["executor"]
    fills = executor.journal.next_cursor
    return wall, cpu, mm.ticks, fills


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ticks", type=int, default=20_000)
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

    print(f"market-making tick: 10-level two-sided ladder on exchanges.sim, zero latency, "
          f"{options.ticks} ticks, best of {options.repeats}")
    cases = (
        ("steady market", False, "0"),
        ("moving market, 1 s between ticks, every moved level replaced", True, "0"),
        ("moving market, 1 s between ticks, 2 bps tolerance", True, "0.0002"),
    )
    for label, moving, tolerance in cases:
        runs = [asyncio.run(per_tick(options.ticks, moving=moving, tolerance=tolerance))
                for _ in range(options.repeats)]
        best = min(runs, key=lambda r: r["framework_us"])
        median = statistics.median(r["framework_us"] for r in runs)
        print(f"  {label}:")
        print(f"    framework {best['framework_us']:7.1f} us/tick (median {median:.1f})"
              f" -> {1e6 / best['framework_us']:,.0f} ticks/s   [target <= 200 us, "
              f">= 5,000/s]")
        print(f"    venue     {best['venue_us']:7.1f} us/tick "
              f"({best['venue_calls_per_tick']:.1f} calls/tick)")
        print(f"    total     {best['total_us']:7.1f} us/tick -> "
              f"{1e6 / best['total_us']:,.0f} ticks/s; placed {best['placed_per_tick']:.2f}, "
              f"cancelled {best['cancelled_per_tick']:.2f} orders per tick")

    wall, cpu, ticks, fills = asyncio.run(rehearsal(options.hours))
    print(f"rehearsal: {options.hours:g} h at 1 s ticks on the virtual clock: {ticks:,} ticks, "
          f"{fills:,} fills, {wall:.1f} s wall ({cpu:.1f} s CPU)   [target <= 60 s wall]")


if __name__ == "__main__":
    main()
