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

Then the service's own CPU cost (process CPU time, not wall time: the machine may be
shared), with no latency at all (``latency: 0``, on the mandate's
virtual clock, which stands still between ticks here, so the simulated venues have no
market to replay and the figure is the service's work plus the venue's matching): a
quoting tick and a trading tick (quotes, checks, both legs settled and recorded)
of the same mandate pair, timed in interleaved rounds of ``ROUND`` ticks each, the median
over rounds of a round's CPU time per tick, and the trading tick's ratio to the quoting
tick of the same run (the baseline: it holds everything but the orders and their
settlement).

Prints figures (median, p90, max over the ticks) and whether bytecode was cached; asserts
nothing.
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
ROUND = 20
ROUNDS = 25


def mandate(offset: str, btc: str, latency: str = LATENCY, *, wall: bool = True) -> str:
    """sim.yaml on the wall clock (or its virtual one), ``latency`` per venue call, with the
    given gap and balances."""
    text = CONFIG.read_text()
    replacements = {
        "  clock:\n    id: clock.virtual\n": "" if wall else "  clock:\n    id: clock.virtual\n",
        "      venue: alpha\n": f"      venue: alpha\n      latency: {latency}\n",
        "      venue: beta\n": f"      venue: beta\n      latency: {latency}\n",
        "price_offset: 0.006": f"price_offset: {offset}",
        # Still prices: a price step between a quote and its legs (100 ms later) would
        # make a protected leg miss and the unwind add round trips to the figure.
        "volatility: 0.5": "volatility: 0",
        "balances: { BTC: 1, USDT: 100000 }": f"balances: {{ BTC: {btc}, USDT: 1000000000 }}",
        "balances: { BTC: 1, USDC: 100000 }": f"balances: {{ BTC: {btc}, USDC: 1000000000 }}",
    }
    for old, new in replacements.items():
        if old not in text:
            raise SystemExit(f"benchmark out of date with {CONFIG}: {old!r} not found")
        text = text.replace(old, new)
    return text


async def timed(step: Callable[[], Awaitable[object]], ticks: int,
                clock: Callable[[], float] = time.perf_counter) -> list[float]:
    """Milliseconds of each of ``ticks`` calls of ``step``, on ``clock``."""
    times = []
    for _ in range(ticks):
        started = clock()
        await step()
        times.append((clock() - started) * 1000)
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


async def cpu_cost(directory: Path) -> tuple[list[float], list[float], int]:
    """(quoting tick ms, trading tick ms, trades) with no latency, interleaved rounds."""
    quiet_path, trading_path = directory / "quiet.yaml", directory / "trading.yaml"
    quiet_path.write_text(mandate("0", "10", latency="0ms", wall=False))
    # Deep synthetic books: every tick finds the gap, however many trades came before.
    deep = mandate("0.006", "1000000", latency="0ms", wall=False).replace(
        "{ symbol: BTC/USDT, taker_fee: 0.001 }",
        "{ symbol: BTC/USDT, taker_fee: 0.001, level_amount: 1000000 }",
    ).replace(
        "{ symbol: BTC/USDC, series: BTC/USDT, taker_fee: 0.001 }",
        "{ symbol: BTC/USDC, series: BTC/USDT, taker_fee: 0.001, level_amount: 1000000 }",
    )
    trading_path.write_text(deep)
    async with start(quiet_path) as quiet_graph, start(trading_path) as trading_graph:
        quiet, trading = quiet_graph.service, trading_graph.service
        assert isinstance(quiet, Arbitrage)
        assert isinstance(trading, Arbitrage)
        for service in (quiet, trading):  # warm up
            await timed(service.tick, 5)
        quoting_ms: list[float] = []
        trading_ms: list[float] = []
        for _ in range(ROUNDS):  # a round's CPU time, per tick
            quoting_ms += [sum(await timed(quiet.tick, ROUND, time.process_time)) / ROUND]
            trading_ms += [sum(await timed(trading.tick, ROUND, time.process_time)) / ROUND]
        return quoting_ms, trading_ms, len(trading.executions)


def bytecode_cached() -> bool:
    """Whether the arbitrage modules were imported from cached bytecode."""
    import importlib.util

    import plugins.arbitrage.service as module

    source = module.__file__
    assert source is not None
    return not sys.dont_write_bytecode and Path(importlib.util.cache_from_source(source)).exists()


def line(label: str, times: list[float], places: int = 1) -> str:
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    width = 6 + places
    return (f"  {label:<44} median {statistics.median(times):{width}.{places}f} ms   "
            f"p90 {p90:{width}.{places}f} ms   max {max(times):{width}.{places}f} ms   "
            f"(n={len(times)})")


async def main() -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        quiet, one_by_one, quiet_trades = await measure(mandate("0", "10"), directory)
        trading, _, executions = await measure(mandate("0.006", "100"), directory)
        cpu_quoting, cpu_trading, cpu_trades = await cpu_cost(directory)
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
    print(f"service CPU cost, no latency, {ROUNDS} interleaved rounds of {ROUND} ticks, per tick "
          f"(bytecode cached: {'yes' if bytecode_cached() else 'no'})")
    print(line("quoting tick (baseline), CPU", cpu_quoting, 3))
    print(line("trading tick (+ checks, legs, settlement), CPU", cpu_trading, 3))
    ratio = statistics.median(cpu_trading) / statistics.median(cpu_quoting)
    print(f"  trading / quoting: {ratio:.2f}x   trades taken: {cpu_trades} "
          f"of {ROUNDS * ROUND + 5} ticks")


if __name__ == "__main__":
    asyncio.run(main())
