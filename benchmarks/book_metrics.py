"""Benchmark: what ``fortuna run --http`` costs a market-making tick, and one scrape.

    .venv/bin/python benchmarks/book_metrics.py [--ticks 3000] [--rounds 5] [--every 0.05]

The 10-level ladder of ``benchmarks/market_making.py`` on ``exchanges.sim`` (zero latency),
with three kill switches, on the virtual clock (ticks back to back, as fast as the CPU
allows). The graph is loaded by ``fortuna.start`` and the service run by hand, so the wall
time covers the ticks only, not loading or the server's start. Two cases, interleaved
round by round so that both see the same machine load, each figure the median over the
rounds:

- ``off``: no HTTP server (the default);
- ``on``: the server ``fortuna run --http`` starts (``fortuna._internal.status``) and a
  scraper in *another process* (as Prometheus is) reading ``/metrics`` every ``--every``
  seconds of wall time: 300 times more often than a usual 15-second scrape interval, so
  the cost shows.

Reported per case: wall time per tick (the loop also serves the scrapes, so this is where
their cost lands) and the tick's own mean duration as ``fortuna_tick_duration_seconds``
sees it. Then, separately, the CPU time of one scrape of this graph (``generate_latest``
on its registry, the work the loop does per request, median of 200): the cost per tick at
a scrape interval S and tick interval I is that figure times I / S. Prints figures and
whether bytecode was cached; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import logging
import socket
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import structlog

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from market_making import mandate as ladder

from fortuna import start
from fortuna._internal.status import Status, serving
from plugins.market_making.service import MarketMaking

SCRAPER = """
import sys, time, urllib.request
url, every = sys.argv[1], float(sys.argv[2])
done = 0
while True:
    try:
        urllib.request.urlopen(url, timeout=5).read()
        done += 1
    except OSError:
        pass
    time.sleep(every)
"""


def mandate(ticks: int) -> dict[str, Any]:
    """``benchmarks/market_making.py``'s ladder, two more kill switches, ``ticks`` long."""
    spec = ladder(tolerance="0.0002", duration=f"{ticks}s")
    components = spec["components"]
    for i in (1, 2):
        components[f"halt{i}"] = {"id": "kill_switches.manual_halt",
                                  "args": {"path": f"/nonexistent/HALT{i}"}}
    components["mm"]["args"]["kill_switches"] = ["@halt", "@halt1", "@halt2"]
    return spec


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def one_round(ticks: int, every: float | None) -> tuple[float, float, int]:
    """Wall seconds per tick from the first tick to the last (loading and the server's
    start left out), the tick's own mean duration, ticks run."""
    async with start(mandate(ticks)) as graph, contextlib.AsyncExitStack() as stack:
        status = Status()
        status.graph, status.phase = graph, "running"
        if every is not None:
            port = free_port()
            await stack.enter_async_context(serving(status, "127.0.0.1", port, graph.log))
            scraper = await asyncio.create_subprocess_exec(
                sys.executable, "-c", SCRAPER, f"http://127.0.0.1:{port}/metrics", str(every))
            stack.push_async_callback(scraper.wait)
            stack.callback(scraper.kill)
            await asyncio.sleep(0.5)  # the scraper's interpreter starts
        service = graph.service
        assert isinstance(service, MarketMaking)
        began = time.perf_counter()
        await service.run()
        wall = time.perf_counter() - began
    timings = service.tick_timings
    assert timings is not None
    return wall / service.ticks, timings.total / timings.count, service.ticks


async def scrape_cost(samples: int) -> float:
    """CPU seconds of one ``generate_latest`` over a loaded, ticked graph."""
    from prometheus_client import CollectorRegistry, generate_latest

    async with start(mandate(100)) as graph:
        status = Status()
        status.graph, status.phase = graph, "running"
        service = graph.service
        assert isinstance(service, MarketMaking)
        for _ in range(20):
            await service.tick()
        registry = CollectorRegistry(auto_describe=False)
        registry.register(status)
        costs = []
        for _ in range(samples):
            began = time.process_time()
            generate_latest(registry)
            costs.append(time.process_time() - began)
        return statistics.median(costs)


def bytecode_cached() -> bool:
    spec = importlib.util.find_spec("fortuna._internal.status")
    source = spec.origin if spec is not None else None
    return bool(source) and not sys.dont_write_bytecode and Path(
        importlib.util.cache_from_source(str(source))).exists()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--every", type=float, default=0.05,
                        help="seconds between two scrapes of the on case")
    options = parser.parse_args()
    logging.disable(logging.CRITICAL)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))
    cases: dict[str, list[tuple[float, float, int]]] = {"off": [], "on": []}
    asyncio.run(one_round(200, 1.0))  # warm-up: imports, caches
    for _ in range(options.rounds):
        cases["off"].append(asyncio.run(one_round(options.ticks, None)))
        cases["on"].append(asyncio.run(one_round(options.ticks, options.every)))
    print(f"{options.ticks} ticks a round, {options.rounds} interleaved rounds, "
          f"scrape every {options.every:g} s in the on case "
          f"(bytecode cached: {'yes' if bytecode_cached() else 'no'})")
    medians = {}
    for name, rounds in cases.items():
        wall = statistics.median(r[0] for r in rounds) * 1e6
        own = statistics.median(r[1] for r in rounds) * 1e6
        medians[name] = wall
        print(f"  {name:>3}: {wall:8.1f} us wall per tick   tick itself {own:8.1f} us")
    print(f"  on / off: {medians['on'] / medians['off']:.3f}")
    cost = asyncio.run(scrape_cost(200))
    print(f"one scrape of this graph: {cost * 1e6:.0f} us CPU; at a 15 s scrape interval and "
          f"1 s ticks that is {cost * 1e6 / 15:.1f} us per tick")


if __name__ == "__main__":
    main()
