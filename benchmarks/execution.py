"""Benchmark: the execution services' tick on the simulated venue, and a 6-hour TWAP.

    .venv/bin/python benchmarks/execution.py [--ticks 5000] [--repeats 5]

1. Time per tick of ``execution.twap`` (one-minute slices, marketable children),
   ``execution.pov`` (10 % of the volume) and ``execution.pegger`` (at the touch, every
   move), each on ``exchanges.sim`` with zero latency, built by the real container from a
   mandate and ticked by hand with one virtual second between ticks (the market walks and
   trades). The venue's methods are timed separately (a timing wrapper on the instance), so
   *framework* is the tick minus the time inside the venue. The baseline, measured in the
   same run, is the venue reads every tick makes anyway (the order book and the public
   trades since the last tick) without any service: the ratio says what the service adds.
2. A rehearsal: ``configs/execution/twap.yaml`` as shipped (50 BTC over 6 hours, 360
   slices, 5-second ticks, journaled in SQLite) run by ``fortuna.run`` exactly as
   ``fortuna run`` does, on the virtual clock, logging at warning level: seconds of wall.
3. The on-chain variants (``--onchain-ticks N``, 0 to skip; needs the test node, installed
   by ``scripts/bootstrap --tests``): ``execution.swap_twap`` (one slice per tick: every
   tick quotes, swaps 0.1 WETH in the Uniswap v2 pair and accounts the receipt) and
   ``execution.swap_pov`` (another account sells 1 WETH in the pair before every tick,
   outside the timing: every tick reads the pool's Swap events and swaps its 10 %), on a
   local anvil with the tests' deployment, the chain reverted to its snapshot before each
   run. Wall time (the node answers over HTTP); *framework* is the tick minus the time
   inside the venue and price calls; the baseline is the reads every tick makes anyway
   (the pool's mid and its swap events since the last block) without a service.

Runs are interleaved (twap, pov, pegger, baseline, then again) and medians reported. Tick
figures are CPU time of this process (``time.process_time``), on-chain ones wall time; the
rehearsal reports wall and CPU. Prints figures; asserts nothing. Says whether bytecode was
cached beforehand.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _venue_timer import VenueTimer  # noqa: E402

from fortuna import run, start  # noqa: E402
from plugins.execution._parent import ExecutionService  # noqa: E402

SYMBOL = "BTC/USDT"
VENUE_METHODS = (
    "fetch_ticker", "fetch_order_book", "fetch_trades", "fetch_open_orders",
    "fetch_closed_orders", "fetch_order", "fetch_my_trades", "create_order", "cancel_order",
)
ALGORITHMS: dict[str, dict[str, Any]] = {
    "twap": {"window": "400000s", "slices": 6666, "amount": "100000"},
    "pov": {"rate": "0.1", "min_child": "0.01", "max_child": "1", "amount": "100000"},
    "pegger": {"amount": "100000"},
}


def mandate(algorithm: str) -> dict[str, Any]:
    return {
        "service": "@algo",
        "components": {
            "clock": {"id": "clock.virtual"},
            "sim": {"id": "exchanges.sim", "args": {
                "markets": [{"symbol": SYMBOL, "price": "65000", "price_increment": "0.01",
                             "amount_increment": "0.0001", "level_amount": "2"}],
                "balances": {"BTC": "0", "USDT": "100000000000"},
                "latency": 0, "seed": 1, "trade_rate": "0.5"}},
            "risk": {"id": "market_making.risk", "args": {"collar": "0.05"}},
            "algo": {"id": f"execution.{algorithm}", "args": {
                "exchange": "@sim", "symbol": SYMBOL, "side": "buy", "mandate": "bench",
                "interval": "1s", "risk": "@risk", **ALGORITHMS[algorithm]}},
        },
    }


async def per_tick(algorithm: str, ticks: int) -> dict[str, float]:
    async with start(mandate(algorithm)) as graph:
        service = graph["algo"]
        assert isinstance(service, ExecutionService)
        timer = VenueTimer(graph["sim"], VENUE_METHODS)
        await service.on_start()
        clock: Any = graph.clock
        for _ in range(100):  # warm up
            await service.tick()
            await clock.advance(1.0)
        timer.seconds = 0.0
        timer.calls.clear()
        sent = service.progress.sent
        gc.collect()
        advancing = 0.0
        began = time.process_time()
        for _ in range(ticks):
            await service.tick()
            moved = time.process_time()
            await clock.advance(1.0)
            advancing += time.process_time() - moved
        total = time.process_time() - began - advancing
        sent = service.progress.sent - sent
        await service.on_stop()
    return {
        "total_us": total / ticks * 1e6,
        "venue_us": timer.seconds / ticks * 1e6,
        "framework_us": (total - timer.seconds) / ticks * 1e6,
        "calls": sum(timer.calls.values()) / ticks,
        "sent": sent / ticks,
    }


async def baseline(ticks: int) -> dict[str, float]:
    """The reads every tick makes anyway, without a service."""
    async with start(mandate("pegger")) as graph:
        venue: Any = graph["sim"]
        clock: Any = graph.clock
        since: datetime = clock.now()
        advancing = 0.0
        gc.collect()
        began = time.process_time()
        for _ in range(ticks):
            await venue.fetch_order_book(SYMBOL, 5)
            trades = await venue.fetch_trades(SYMBOL, since=since)
            if trades:
                since = trades[-1].timestamp
            moved = time.process_time()
            await clock.advance(1.0)
            advancing += time.process_time() - moved
        total = time.process_time() - began - advancing
    return {"total_us": total / ticks * 1e6}


async def rehearsal() -> tuple[float, float, Any]:
    with tempfile.TemporaryDirectory() as folder:
        # a copy: the journal lands beside the mandate file (new each time)
        mandate = Path(folder) / "twap.yaml"
        mandate.write_bytes((ROOT / "configs" / "execution" / "twap.yaml").read_bytes())
        began, cpu = time.perf_counter(), time.process_time()
        graph = await run(mandate)
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    service = graph.service
    assert isinstance(service, ExecutionService)
    return wall, cpu, service.report


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--ticks", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--onchain-ticks", type=int, default=100)
    options = parser.parse_args()
    cached = (ROOT / "plugins" / "execution" / "__pycache__").is_dir()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    print(f"execution ticks on exchanges.sim, zero latency, 1 virtual second between ticks, "
          f"{options.ticks} ticks x {options.repeats} interleaved runs, medians "
          f"(bytecode cached beforehand: {'yes' if cached else 'no'})")
    results: dict[str, list[dict[str, float]]] = defaultdict(list)
    walls: list[float] = []
    cpus: list[float] = []
    report: Any = None
    for _ in range(options.repeats):
        for algorithm in ALGORITHMS:
            results[algorithm].append(asyncio.run(per_tick(algorithm, options.ticks)))
        results["baseline"].append(asyncio.run(baseline(options.ticks)))
        wall, cpu, report = asyncio.run(rehearsal())
        walls.append(wall)
        cpus.append(cpu)
    base = statistics.median(r["total_us"] for r in results["baseline"])
    print(f"  baseline (order book + public trades, no service): {base:7.1f} us/tick")
    for algorithm in ALGORITHMS:
        runs = results[algorithm]

        def median(key: str, runs: list[dict[str, float]] = runs) -> float:
            return statistics.median(r[key] for r in runs)

        total, framework = median("total_us"), median("framework_us")
        print(f"  {algorithm:7s} total {total:7.1f} us/tick -> {1e6 / total:8,.0f} ticks/s "
              f"({total / base:.2f}x baseline); framework {framework:6.1f} us/tick -> "
              f"{1e6 / framework:8,.0f} ticks/s; venue {median('venue_us'):6.1f} us "
              f"({median('calls'):.1f} calls/tick); children {median('sent'):.3f}/tick")
    print(f"rehearsal: configs/execution/twap.yaml (50 BTC, 6 h, 360 slices, 5 s ticks, "
          f"SQLite journal) on the virtual clock: median {statistics.median(walls):.2f} s "
          f"wall ({statistics.median(cpus):.2f} s CPU) over {len(walls)} runs; last run "
          f"{report.state}, filled {report.filled}, {report.sent} children")
    if options.onchain_ticks > 0:
        from execution_onchain import onchain  # beside this script

        onchain(options.onchain_ticks, options.repeats)


if __name__ == "__main__":
    main()
