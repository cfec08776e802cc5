"""Benchmark: tick latency of the ``arbitrage`` service with two venues answering in 100 ms.

    .venv/bin/python benchmarks/arbitrage.py

The mandate is ``configs/arbitrage/sim.yaml`` on the WALL clock (its virtual clock
removed), with ``latency: 100ms`` on both simulated venues: every call to either venue
(book, ticker, balances, order) takes 100 ms of real time. Three figures:

- quoting tick (no opportunity: the venues quote at the same price): both venues' books on
  both sides and the conversion rate. Target <= 130 ms, i.e. one round trip: the quotes run
  concurrently (one by one they would take 300 ms).
- the same quotes and rate awaited one after the other (four book fetches and a ticker),
  the reference a sequential bot pays: about 500 ms.
- trading tick (a 0.6 % gap): quotes, then balances and order checks, then both legs:
  three concurrent round trips, about 300 ms (one by one: nine calls, about 900 ms).

Prices are held still (volatility 0): on a moving price, a leg limited at the quote's worst
price can miss when the book steps between quote and order, and the unwind that follows
adds round trips; that path is covered by the tests, not timed here.

Prints figures (median, p90, max over the ticks); asserts nothing.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import structlog

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fortuna import start
from plugins.arbitrage.service import Arbitrage
from schemas import Side

CONFIG = Path(__file__).resolve().parents[1] / "configs" / "arbitrage" / "sim.yaml"
LATENCY = "100ms"
TICKS = 30
TARGET_MS = 130.0


def mandate(offset: str, btc: str) -> str:
    """sim.yaml on the wall clock, 100 ms per venue call, with the given gap and balances."""
    text = CONFIG.read_text()
    replacements = {
        "  clock:\n    id: clock.virtual\n": "",
        "      venue: alpha\n": f"      venue: alpha\n      latency: {LATENCY}\n",
        "      venue: beta\n": f"      venue: beta\n      latency: {LATENCY}\n",
        "price_offset: 0.006": f"price_offset: {offset}",
        # Still prices: a price step between a quote and its legs (100 ms later) would
        # make a protected leg miss and the unwind add round trips to the figure.
        "volatility: 0.5": "volatility: 0",
        "balances: { BTC: 1, USDT: 100000 }": f"balances: {{ BTC: {btc}, USDT: 100000000 }}",
        "balances: { BTC: 1, USDC: 100000 }": f"balances: {{ BTC: {btc}, USDC: 100000000 }}",
    }
    for old, new in replacements.items():
        if old not in text:
            raise SystemExit(f"benchmark out of date with {CONFIG}: {old!r} not found")
        text = text.replace(old, new)
    return text


async def timed(step: Callable[[], Awaitable[object]], ticks: int) -> list[float]:
    """Milliseconds of each of ``ticks`` calls of ``step``."""
    times = []
    for _ in range(ticks):
        started = time.perf_counter()
        await step()
        times.append((time.perf_counter() - started) * 1000)
    return times


async def measure(text: str, directory: Path) -> tuple[list[float], list[float], int]:
    """(tick ms, sequential ms, executions) for one mandate text."""
    path = directory / "arbitrage_bench.yaml"
    path.write_text(text)
    async with start(path) as graph:
        service = graph.service
        assert isinstance(service, Arbitrage)
        args = service.args
        amount = args.trade_amount

        async def sequential() -> None:
            a, b = args.exchange_a, args.exchange_b
            for adapter in (a, b):
                await adapter.quote(Side.BUY, amount)
                await adapter.quote(Side.SELL, amount)
            await args.converter.rate(b.symbol.quote, a.symbol.quote)

        await service.tick()  # warm up (first-call costs, pydantic, imports)
        ticks = await timed(service.tick, TICKS)
        one_by_one = await timed(sequential, 5)
        return ticks, one_by_one, len(service.executions)


def line(label: str, times: list[float]) -> str:
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return (f"  {label:<44} median {statistics.median(times):7.1f} ms   p90 {p90:7.1f} ms   "
            f"max {max(times):7.1f} ms   (n={len(times)})")


async def main() -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        quiet, one_by_one, quiet_trades = await measure(mandate("0", "10"), directory)
        trading, _, executions = await measure(mandate("0.006", "100"), directory)
    print(f"arbitrage tick latency, two simulated venues answering every call in {LATENCY} "
          "(wall clock)")
    print(line("quoting tick (4 quotes + rate, concurrent)", quiet))
    print(line("same quotes and rate, one call after another", one_by_one))
    print(line("trading tick (quotes, checks, both legs)", trading))
    verdict = "met" if statistics.median(quiet) <= TARGET_MS else "NOT met"
    print(f"  target: quoting tick <= {TARGET_MS:.0f} ms: {verdict} "
          f"(median {statistics.median(quiet):.1f} ms)")
    print(f"  trades taken: quoting run {quiet_trades}, trading run {executions} "
          f"of {TICKS + 1} ticks")


if __name__ == "__main__":
    asyncio.run(main())
