"""Benchmark: from a book change at the venue to the requote order on the wire, streamed vs
polled; and the REST requests a streamed mandate no longer makes.

    .venv/bin/python benchmarks/streams.py [--samples 20] [--rounds 3]

One market-making mandate (one bid, one ask around the book's mid, replaced on any
change: ``price_tolerance`` 0) runs on the wall clock against the binance stand-in of the
tests (REST and websockets on 127.0.0.1, the real ccxt and ccxt.pro clients), in two
modes that differ only in how it learns of the book:

- polled: ``stream`` off, a tick every ``INTERVAL`` (1 s): each tick reads the book,
  the open orders and the balances over REST;
- streamed: ``stream: {order_book, orders}``, ``requote_on: [book, fill]`` with
  ``min_requote_interval`` 10 ms, and the same 1 s tick.

A sample moves the stand-in's best bid (the mid moves, both quotes must be replaced) at a
random moment, then waits for the next order creation to reach the stand-in: the latency
is from the diff leaving the stand-in to that request arriving (``time.perf_counter``,
one process, so no clock skew). The modes are run in interleaved rounds (polled, streamed,
polled, ...), with a random pause between samples so a polled mandate is caught at every
phase of its tick. Median and p99 over all samples of each mode, and the ratio.

Then the REST requests: GET requests per minute per mandate by endpoint while the
samples run (start-up, the same in both modes, left out), in each mode; what streams save
is the difference. Order writes are REST in both modes and are not counted; balances are
read over REST on every quote in both modes (a streamed mandate quotes more often, so it
reads them more often: they are not streamed).

Prints figures and whether bytecode was cached; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import logging
import random
import statistics
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import structlog
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fortuna import start
from plugins.market_making.service import MarketMaking
from tests.ccxt.conftest import new_ledger
from tests.ccxt.standins.binance_ws import BinanceStreamStandIn

D = Decimal
SYMBOL = "BTC/USDT"
INTERVAL = "1s"
BUMP = D("30000.15")
"""A bid above the stand-in's best (30000.10): adding or removing it moves the mid."""


class TimedStandIn(BinanceStreamStandIn):
    """The stand-in, noting when each order creation arrives."""

    def __init__(self) -> None:
        super().__init__(new_ledger())
        self.created_at: list[float] = []
        self.created = asyncio.Event()

    async def h_create(self, request: web.Request) -> web.Response:
        self.created_at.append(time.perf_counter())
        self.created.set()
        return await super().h_create(request)

    async def next_creation(self, within: float) -> bool:
        """Wait for the next order creation; False when none came ``within`` seconds."""
        try:
            await asyncio.wait_for(self.created.wait(), within)
        except TimeoutError:
            return False
        return True


def mandate(url: str, standin: TimedStandIn, streamed: bool) -> dict[str, Any]:
    exchange: dict[str, Any] = {"api_key": standin.api_key, "secret": standin.secret,
                                "api_url": url, "enable_rate_limit": False}
    service: dict[str, Any] = {}
    if streamed:
        exchange["stream"] = {"order_book": True, "orders": True}
        service = {"requote_on": ["book", "fill"], "min_requote_interval": "10ms"}
    return {"service": "@mm", "components": {
        "binance": {"id": "exchanges.ccxt.binance", "args": exchange},
        "price": {"id": "prices.order_book", "args": {"exchange": "@binance",
                                                      "symbol": SYMBOL}},
        "strategy": {"id": "market_making.strategies.ladder", "args": {
            "levels": 1, "spread": "0.002", "step": "0.001", "amount": "0.001"}},
        "executor": {"id": "market_making.executors.exchange"},
        "mm": {"id": "market_making", "args": {
            "exchange": "@binance", "symbol": SYMBOL, "price": "@price",
            "strategy": "@strategy", "executor": "@executor", "mandate": "bench",
            "interval": INTERVAL, **service}},
    }}


async def run_mode(streamed: bool, samples: int, rng: random.Random
                   ) -> tuple[list[float], Counter[str], float]:
    """Latencies (ms) of ``samples`` book changes, GET requests by path, and minutes run."""
    standin = TimedStandIn()
    url = await standin.start()
    latencies: list[float] = []
    try:
        async with start(mandate(url, standin, streamed)) as graph:
            mm = graph["mm"]
            assert isinstance(mm, MarketMaking)
            task = asyncio.ensure_future(mm.run())
            await standin.next_creation(30)  # the first quotes are out
            await asyncio.sleep(1.5)  # streams live, first requotes settled
            began, counted_from = time.perf_counter(), len(standin.seen)
            bumped = False
            for _ in range(samples):
                await asyncio.sleep(rng.uniform(0.3, 1.3))
                before = len(standin.created_at)
                standin.created.clear()
                bumped = not bumped
                await standin.diff(bids=[(BUMP, D(1) if bumped else D(0))])
                sent = time.perf_counter()
                if await standin.next_creation(10):
                    latencies.append((standin.created_at[before] - sent) * 1000)
                await asyncio.sleep(0.2)  # let the replacement of the other side finish
            minutes = (time.perf_counter() - began) / 60
            counted = standin.seen[counted_from:]
            mm.request_stop()
            await task
    finally:
        await standin.stop()
    reads = Counter(seen.path for seen in counted
                    if seen.method == "GET" and not seen.path.startswith("/ws"))
    return latencies, reads, minutes


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def bytecode_cached() -> bool:
    import plugins.exchanges.ccxt.streams.hub as hub

    source = hub.__file__
    return not sys.dont_write_bytecode and Path(
        importlib.util.cache_from_source(source)).exists()


async def main(samples: int, rounds: int) -> None:
    logging.disable(logging.CRITICAL)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))
    rng = random.Random(2026)
    results: dict[bool, tuple[list[float], Counter[str], float]] = {
        False: ([], Counter(), 0.0), True: ([], Counter(), 0.0)}
    for _ in range(rounds):
        for streamed in (False, True):
            latencies, reads, minutes = await run_mode(streamed, samples, rng)
            total = results[streamed]
            total[0].extend(latencies)
            total[1].update(reads)
            results[streamed] = (total[0], total[1], total[2] + minutes)
    print(f"book change -> requote order on the wire, {rounds} interleaved rounds of "
          f"{samples} changes per mode, tick {INTERVAL} "
          f"(bytecode cached: {'yes' if bytecode_cached() else 'no'})")
    medians = {}
    for streamed, name in ((False, "polled REST"), (True, "streamed")):
        latencies = results[streamed][0]
        medians[streamed] = statistics.median(latencies)
        print(f"  {name:12} n={len(latencies):3}  median {medians[streamed]:8.1f} ms   "
              f"p99 {percentile(latencies, 0.99):8.1f} ms   max {max(latencies):8.1f} ms")
    print(f"  streamed / polled median: {medians[True] / medians[False]:.3f}")
    print("REST reads per minute per mandate (GET, by endpoint):")
    paths = sorted(set(results[False][1]) | set(results[True][1]))
    per_minute = {s: {p: results[s][1][p] / results[s][2] for p in paths} for s in results}
    for path in paths:
        print(f"  {path:24} polled {per_minute[False][path]:7.1f}   "
              f"streamed {per_minute[True][path]:7.1f}")
    polled, streamed_total = sum(per_minute[False].values()), sum(per_minute[True].values())
    print(f"  {'all reads':24} polled {polled:7.1f}   streamed {streamed_total:7.1f}   "
          f"saved {polled - streamed_total:7.1f} per minute per mandate")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    asyncio.run(main(options.samples, options.rounds))
