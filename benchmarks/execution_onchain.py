"""The on-chain part of ``benchmarks/execution.py`` (section 3 of its docstring): the
ticks of ``execution.swap_twap`` and ``execution.swap_pov`` on a local anvil node.

Run through ``benchmarks/execution.py --onchain-ticks N`` (or alone:
``.venv/bin/python benchmarks/execution_onchain.py [--ticks 100] [--repeats 3]``).
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
from decimal import Decimal
from pathlib import Path
from typing import Any

import structlog

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fortuna import VirtualClock, start  # noqa: E402
from plugins.execution._swap_parent import SwapExecutionService  # noqa: E402
from tests.evm.chain import Anvil  # noqa: E402
from tests.evm.conftest import World, deploy  # noqa: E402
from tests.evm.execution import Trader, swap_mandate  # noqa: E402

VENUE_METHODS = ("quote", "mid_price", "swap", "receipt", "pool_trades")
"""The venue's entry points the services call (not those it calls itself: counted once)."""
INTERVAL = 10.0


def algorithms(ticks: int) -> dict[str, dict[str, Any]]:
    return {
        "swap_twap": {"amount": str(Decimal("0.1") * ticks), "window": f"{INTERVAL * ticks}s",
                      "slices": ticks, "interval": f"{INTERVAL}s", "max_gas_share": "0.05"},
        "swap_pov": {"amount": "1000", "rate": "0.1", "min_child": "0.01", "max_child": "1",
                     "interval": f"{INTERVAL}s", "max_gas_share": "0.05"},
    }


class CallTimer:
    """Times every call into the objects' methods: wraps the instances (measurement only)."""

    def __init__(self, targets: list[tuple[Any, tuple[str, ...]]]) -> None:
        self.seconds = 0.0
        self.calls: dict[str, int] = defaultdict(int)
        for target, names in targets:
            for name in names:
                setattr(target, name, self._wrap(name, getattr(target, name)))

    def _wrap(self, name: str, method: Callable[..., Awaitable[Any]]
              ) -> Callable[..., Awaitable[Any]]:
        @functools.wraps(method)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return await method(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - began
                self.calls[name] += 1

        return timed


async def per_tick(world: World, algorithm: str, ticks: int, trader: Trader) -> dict[str, float]:
    spec = swap_mandate(world, algorithm, **algorithms(ticks)[algorithm])
    async with start(spec) as graph:
        service = graph["algo"]
        assert isinstance(service, SwapExecutionService)
        clock = graph.clock
        assert isinstance(clock, VirtualClock)
        timer = CallTimer([(graph["pool"], VENUE_METHODS), (graph["eth_price"], ("price",))])
        await service.on_start()
        timer.seconds = 0.0
        timer.calls.clear()
        gc.collect()
        total = 0.0
        for _ in range(ticks):
            if algorithm == "swap_pov":
                trader.sell_weth(Decimal(1))
            began = time.perf_counter()
            await service.tick()
            total += time.perf_counter() - began
            await clock.advance(INTERVAL)
        sent = service.progress.sent
        await service.on_stop()
    return {"total_ms": total / ticks * 1e3, "venue_ms": timer.seconds / ticks * 1e3,
            "framework_ms": (total - timer.seconds) / ticks * 1e3,
            "calls": sum(timer.calls.values()) / ticks, "sent": sent / ticks}


async def baseline(world: World, ticks: int) -> dict[str, float]:
    """The reads every tick makes anyway: the pool's mid and its swap events since."""
    spec = swap_mandate(world, "swap_pov", **algorithms(ticks)["swap_pov"])
    async with start(spec) as graph:
        venue: Any = graph["pool"]
        weth, usdc = await venue.token(world.weth.address), await venue.token(world.usdc.address)
        last = (await venue.mid_price(weth, usdc)).block
        total = 0.0
        for _ in range(ticks):
            began = time.perf_counter()
            mid = await venue.mid_price(weth, usdc)
            await venue.pool_trades(weth, usdc, last + 1, mid.block)
            last = mid.block
            total += time.perf_counter() - began
    return {"total_ms": total / ticks * 1e3}


def onchain(ticks: int, repeats: int) -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    anvil = Anvil()
    try:
        world = deploy(anvil)
        trader = Trader(world)
        snapshot = anvil.rpc("evm_snapshot")
        results: dict[str, list[dict[str, float]]] = defaultdict(list)
        for _ in range(repeats):
            for algorithm in ("swap_twap", "swap_pov"):
                results[algorithm].append(asyncio.run(per_tick(world, algorithm, ticks, trader)))
                anvil.rpc("evm_revert", snapshot)
                snapshot = anvil.rpc("evm_snapshot")
            results["baseline"].append(asyncio.run(baseline(world, ticks)))
    finally:
        anvil.stop()
    base = statistics.median(r["total_ms"] for r in results["baseline"])
    print(f"on-chain execution ticks on anvil (Uniswap v2 pair), {ticks} ticks x {repeats} "
          f"interleaved runs, wall medians")
    print(f"  baseline (pool mid + Swap events, no service): {base:7.2f} ms/tick")
    for algorithm in ("swap_twap", "swap_pov"):
        runs = results[algorithm]

        def median(key: str, runs: list[dict[str, float]] = runs) -> float:
            return statistics.median(r[key] for r in runs)

        total, framework = median("total_ms"), median("framework_ms")
        print(f"  {algorithm:9s} total {total:7.2f} ms/tick -> {1e3 / total:6.1f} ticks/s "
              f"({total / base:.2f}x baseline); framework {framework:6.3f} ms/tick; venue "
              f"{median('venue_ms'):7.2f} ms ({median('calls'):.1f} calls/tick); swaps "
              f"{median('sent'):.2f}/tick")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--ticks", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    onchain(options.ticks, options.repeats)
