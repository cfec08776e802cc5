"""Benchmark: order operations per second on the simulated venue (``exchanges.sim``).

    .venv/bin/python benchmarks/sim.py

One venue, one market, on the virtual clock, no latency or faults; every call is a real
``await venue.<method>(...)`` through the public ``Exchange`` API (requests are built
before timing, as a strategy would hold them). Measured, each as operations per second:

- place:  limit orders that rest (alternating buys and sells, 2 000 price levels deep);
- cancel: cancelling those resting orders one by one;
- match:  marketable limit orders that take liquidity (each one a placement, a walk of
          the synthetic book, a fill, balance moves and an order that closes);
- market: the synthetic market replayed while time moves (price steps and public trade
          arrivals, 50 a second, walking into 2 000 resting orders and filling them as
          maker), as market events processed per second.

Target: at least 50 000 operations per second on one core for place, cancel and match.
Times are CPU time of this process (``time.process_time``), so other work on a shared
machine does not count against the venue; everything runs on one thread. Prints figures;
asserts nothing.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fortuna import Context
from fortuna._internal.clock import VirtualClock, VirtualClockArgs
from plugins.exchanges.sim import SimArgs, SimExchange
from schemas import OrderRequest, OrderStatus, Side

N = 20_000
REPEATS = 5
SYMBOL = "BTC/USDT"


def make_venue(trade_rate: str = "0", history: int = 10_000
               ) -> tuple[SimExchange, VirtualClock]:
    clock = VirtualClock(VirtualClockArgs(), Context(name="clock"))
    args = SimArgs(
        markets=[{
            "symbol": SYMBOL, "price": Decimal("60000"), "price_increment": Decimal("0.01"),
            "amount_increment": Decimal("0.0001"), "min_amount": Decimal("0.0001"),
            "min_notional": Decimal("1"), "level_amount": Decimal("1000000"),
        }],
        balances={"USDT": Decimal("10000000000"), "BTC": Decimal("1000000")},
        volatility=Decimal("0.5"), trade_rate=Decimal(trade_rate), seed=1, history=history,
    )
    return SimExchange(args, Context(name="sim", clock=clock)), clock


def resting_requests(n: int) -> list[OrderRequest]:
    requests = []
    for i in range(n):
        side = Side.BUY if i % 2 else Side.SELL
        away = Decimal(100 + (i % 2000)) / 100
        price = Decimal(60000) - 100 - away if side is Side.BUY else Decimal(60000) + 100 + away
        requests.append(OrderRequest(symbol=SYMBOL, side=side, amount=Decimal("0.01"),
                                     price=price))
    return requests


def taking_requests(n: int) -> list[OrderRequest]:
    return [
        OrderRequest(symbol=SYMBOL, side=Side.BUY if i % 2 else Side.SELL,
                     amount=Decimal("0.01"),
                     price=Decimal("60100") if i % 2 else Decimal("59900"))
        for i in range(n)
    ]


async def place_and_cancel() -> tuple[float, float]:
    sim, _ = make_venue()
    await sim.load()
    requests = resting_requests(N)
    start = time.process_time()
    orders = [await sim.create_order(r) for r in requests]
    placed = time.process_time() - start
    start = time.process_time()
    for order in orders:
        await sim.cancel_order(order.id, SYMBOL)
    cancelled = time.process_time() - start
    return N / placed, N / cancelled


async def match() -> tuple[float, int]:
    sim, _ = make_venue()
    await sim.load()
    requests = taking_requests(N)
    start = time.process_time()
    closed = 0
    for request in requests:
        order = await sim.create_order(request)
        closed += order.status is OrderStatus.CLOSED
    elapsed = time.process_time() - start
    return N / elapsed, closed


async def maker_fills() -> tuple[float, int, int]:
    sim, clock = make_venue(trade_rate="50", history=100_000)
    await sim.load()
    for request in resting_requests(2_000):
        await sim.create_order(request)
    start = time.process_time()
    for _ in range(600):
        await clock.advance(1)
        await sim.fetch_balances()
    elapsed = time.process_time() - start
    fills = len(await sim.fetch_my_trades())
    events = 600 + len(await sim.fetch_trades(SYMBOL, limit=None))
    return events / elapsed, events, fills


def best(runs: list[float]) -> str:
    return f"{max(runs):>10,.0f}/s (median {statistics.median(runs):,.0f})"


def main() -> None:
    gc.collect()
    places, cancels, matches, makers = [], [], [], []
    for _ in range(REPEATS):
        placed, cancelled = asyncio.run(place_and_cancel())
        places.append(placed)
        cancels.append(cancelled)
        rate, filled = asyncio.run(match())
        matches.append(rate)
        rate, events, fills = asyncio.run(maker_fills())
        makers.append(rate)
    print(f"exchanges.sim, {N:,} orders per run, best of {REPEATS} (one core, Python "
          f"{sys.version.split()[0]}, CPU time)")
    print(f"  place  (resting limit orders)      {best(places)}")
    print(f"  cancel (resting orders)            {best(cancels)}")
    print(f"  match  (marketable, taker fills)   {best(matches)}   [{filled:,} of {N:,} "
          "orders filled and closed]")
    print(f"  market (steps and public trades)   {best(makers)}   [{events:,} events, "
          f"{fills:,} maker fills of 2,000 resting orders, in 600 s of virtual time]")


if __name__ == "__main__":
    main()
