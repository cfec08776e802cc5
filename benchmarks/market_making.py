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
import gc
import logging
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import structlog

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _venue_timer import VenueTimer

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


async def per_tick(ticks: int, *, moving: bool, tolerance: str = "0") -> dict[str, float]:
    async with start(mandate(tolerance=tolerance)) as graph:
        mm = graph["mm"]
        assert isinstance(mm, MarketMaking)
        timer = VenueTimer(graph["sim"], VENUE_METHODS)
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
    parser.add_argument("--strategies-only", action="store_true",
                        help="only the strategy and xemm costs (issue 21)")
    options = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    if options.strategies_only:
        strategies_main()
        return

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
    strategies_main()


# --- strategy cost (issue 21: avellaneda_stoikov, grid; xemm's tick) --------------------


def strategy_cases() -> dict[str, Any]:
    """Each strategy built from its args, pure: ``quotes(context)`` is its whole tick cost."""
    from datetime import UTC, datetime
    from decimal import Decimal

    from plugins.market_making.strategies.avellaneda_stoikov import AvellanedaStoikovStrategy
    from plugins.market_making.strategies.grid import GridStrategy
    from plugins.market_making.strategies.ladder import LadderStrategy
    from plugins.market_making.strategies.skewed import SkewedStrategy
    from schemas import Balance, Balances, Market
    from schemas.market_making import QuoteContext

    market = Market(symbol=SYMBOL, price_increment=Decimal("0.01"),
                    amount_increment=Decimal("0.0001"))
    balances = Balances.of([Balance(currency="BTC", free=Decimal("3.2")),
                            Balance(currency="USDT", free=Decimal(200000))])
    context = QuoteContext(reference=Decimal("65000.5"), market=market,
                           now=datetime(2026, 1, 1, tzinfo=UTC), balances=balances)
    ladder = {"levels": 10, "spread": "0.001", "step": "0.0005", "amount": "0.01"}
    strategies = {
        "ladder, 10 levels (baseline)": LadderStrategy(LadderStrategy.Args.model_validate(ladder)),
        "skewed, 10 levels": SkewedStrategy(SkewedStrategy.Args.model_validate(
            {**ladder, "target": "3", "range": "1", "max_skew": "0.001"})),
        "avellaneda_stoikov, given estimates": AvellanedaStoikovStrategy(
            AvellanedaStoikovStrategy.Args.model_validate(
                {"risk_aversion": "0.0001", "volatility": "3", "liquidity": "0.05",
                 "horizon": "5m", "amount": "0.01", "target": "3", "max_spread": "0.01"})),
        "grid, static, 101 levels": GridStrategy(GridStrategy.Args.model_validate(
            {"lower": "60000", "upper": "70000", "step": "100", "amount": "0.01"})),
        "grid, recentred, 10 a side": GridStrategy(GridStrategy.Args.model_validate(
            {"lower": "60000", "upper": "70000", "step": "100", "amount": "0.01",
             "mode": "recentred", "levels": 10})),
    }
    return {"context": context, "strategies": strategies}


def strategy_costs(calls: int, repeats: int) -> None:
    """Median CPU per ``quotes()`` call of each strategy over interleaved runs (one run of
    every strategy per round, ``repeats`` rounds), with its ratio to the ladder's median
    measured in the same rounds."""
    built = strategy_cases()
    context, strategies = built["context"], built["strategies"]
    samples: dict[str, list[float]] = defaultdict(list)
    for _ in range(repeats):
        for label, strategy in strategies.items():
            quotes = strategy.quotes
            gc.collect()
            began = time.process_time()
            for _ in range(calls):
                quotes(context)
            samples[label].append((time.process_time() - began) / calls * 1e6)
    baseline = statistics.median(samples["ladder, 10 levels (baseline)"])
    print(f"strategy quotes() per tick: median of {repeats} interleaved runs of {calls} calls, "
          f"CPU time; modules imported (and bytecode compiled) before timing; "
          f"sys.dont_write_bytecode={sys.dont_write_bytecode}")
    for label, runs in samples.items():
        median = statistics.median(runs)
        print(f"  {label:40s} {median:8.1f} us   x{median / baseline:5.2f} ladder")


async def xemm_tick(ticks: int) -> float:
    """CPU per XEMM tick on two exchanges.sim venues (venue time included), moving market."""
    from plugins.market_making.xemm import Xemm

    venue = {"markets": [{"symbol": SYMBOL, "amount_increment": "0.0001"}],
             "prices": "@prices", "history": 1000}
    spec = {"service": "@xemm", "components": {
        "clock": {"id": "clock.virtual"},
        "prices": {"id": "exchanges.sim.prices",
                   "args": {"seed": 3, "volatility": "0.8",
                            "series": {SYMBOL: {"price": 65000}}}},
        "maker": {"id": "exchanges.sim", "args": {**venue, "venue": "maker", "seed": 1,
                                                  "balances": {"BTC": 10, "USDT": 10**6}}},
        "taker": {"id": "exchanges.sim", "args": {**venue, "venue": "taker", "seed": 2,
                                                  "balances": {"BTC": 10, "USDT": 10**6}}},
        "xemm": {"id": "market_making.xemm", "args": {
            "maker": "@maker", "taker": "@taker", "symbol": SYMBOL, "amount": "0.01",
            "min_profitability": "0.0025", "mandate": "bench", "interval": "1s"}},
    }}
    async with start(spec) as graph:
        xemm = graph["xemm"]
        assert isinstance(xemm, Xemm)
        clock: Any = graph.clock
        await xemm.on_start()
        for _ in range(100):
            await xemm.tick()
            await clock.advance(1.0)
        spent = 0.0
        for _ in range(ticks):
            began = time.process_time()
            await xemm.tick()
            spent += time.process_time() - began
            await clock.advance(1.0)
        await xemm.on_stop()
    return spent / ticks * 1e6


def strategies_main(calls: int = 20_000, repeats: int = 5, xemm_ticks: int = 2000) -> None:
    strategy_costs(calls, repeats)
    runs = [asyncio.run(xemm_tick(xemm_ticks)) for _ in range(repeats)]
    print(f"xemm tick (maker + taker exchanges.sim, 1 s moving market, venue time included): "
          f"median {statistics.median(runs):.1f} us over {repeats} runs of {xemm_ticks} ticks")


if __name__ == "__main__":
    main()
