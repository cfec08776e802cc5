"""Benchmark: EVM swap venues on a local anvil node (tests/evm's deployment).

    .venv/bin/python benchmarks/dex.py

Figures, each the median of interleaved rounds (so drift in machine load hits both sides
of a comparison alike), with the ratio to the baseline measured in the same run:

- quote latency, Uniswap v3: the local computation (slot0, liquidity, tick spacing read at
  one block, then the pool's integer math) against one QuoterV2 ``eth_call``, for a swap
  inside the current range and for one crossing ticks; Uniswap v2 (reserves + math) too.
- swaps per second on the local node: one wallet, sequential swaps (quote, swap, receipt)
  and 8 concurrent swaps (the nonce manager and allowance lock in play). Anvil mines each
  transaction at once, so this measures our client path plus the node, not a real chain.
- import cost of the on-chain components: ``import web3`` and the venue modules in a fresh
  interpreter (bytecode cached: the second of two runs; the first run compiles).

Needs the npm packages of tests/evm/node (scripts/bootstrap). Prints; asserts nothing.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import structlog

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from plugins.exchanges.evm._abi import V3_POOL  # noqa: E402
from plugins.exchanges.evm._v3math import simulate  # noqa: E402
from plugins.exchanges.evm.uniswap_v2 import UniswapV2, UniswapV2Args  # noqa: E402
from plugins.exchanges.evm.uniswap_v3 import UniswapV3, UniswapV3Args  # noqa: E402
from schemas.swap import SwapKind  # noqa: E402
from tests.evm.chain import KEYS, Anvil  # noqa: E402
from tests.evm.conftest import build_parts, context, deploy  # noqa: E402

ROUNDS = 40


async def interleaved(pairs: dict[str, Callable[[], Awaitable[Any]]]) -> dict[str, float]:
    """Median ms of each action, measured in alternation, one call of each per round."""
    samples: dict[str, list[float]] = {name: [] for name in pairs}
    for action in pairs.values():
        await action()  # warm up (token and pool caches, connections)
    for _ in range(ROUNDS):
        for name, action in pairs.items():
            start = time.perf_counter()
            await action()
            samples[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


async def pure_compute(venue: UniswapV3, pool: str, usdc: Any, weth: Any) -> float:
    """Median ms of the v3 swap simulation alone, its pool state read once into memory."""
    block = int((await venue.latest_block())["number"])
    state = await venue._state(pool, block)
    functions = venue.contract(pool, V3_POOL).functions
    words: dict[int, int] = {}
    nets: dict[int, int] = {}

    async def bitmap(word: int) -> int:
        if word not in words:
            words[word] = int(await functions.tickBitmap(word).call(block_identifier=block))
        return words[word]

    async def net(tick: int) -> int:
        if tick not in nets:
            nets[tick] = int((await functions.ticks(tick).call(block_identifier=block))[1])
        return nets[tick]

    units = usdc.to_units(Decimal(900_000))
    zero_for_one = usdc.address.lower() < weth.address.lower()
    await simulate(state, zero_for_one, units, True, bitmap, net)  # fills the caches
    samples = []
    for _ in range(ROUNDS * 5):
        start = time.perf_counter()
        await simulate(state, zero_for_one, units, True, bitmap, net)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def import_cost() -> dict[str, float]:
    probe = ("import time; t = time.perf_counter(); import {m}; "
             "print((time.perf_counter() - t) * 1000)")
    figures = {}
    for module in ("web3", "plugins.exchanges.evm.uniswap_v3", "plugins.exchanges.evm._venue"):
        runs = []
        for _ in range(2):
            out = subprocess.run([sys.executable, "-c", probe.format(m=module)], cwd=ROOT,
                                 capture_output=True, text=True, check=True)
            runs.append(float(out.stdout.strip()))
        figures[module] = runs[-1]
    return figures


async def main() -> None:
    logging.disable(logging.CRITICAL)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))
    anvil = Anvil()
    try:
        world = deploy(anvil)
        parts = await build_parts(world, KEYS[1])
        common = {"chain": parts.chain, "wallet": parts.wallet, "gas": parts.gas}
        v2 = UniswapV2(UniswapV2Args(factory=world.v2_factory.address,
                                     router=world.v2_router.address, **common), context("v2"))
        local = UniswapV3(UniswapV3Args(factory=world.v3_factory.address,
                                        router=world.v3_router.address,
                                        quoter=world.v3_quoter.address, **common),
                          context("v3"))
        quoter = UniswapV3(UniswapV3Args(factory=world.v3_factory.address,
                                         router=world.v3_router.address,
                                         quoter=world.v3_quoter.address, quotes="quoter",
                                         **common), context("v3q"))
        for venue in (v2, local, quoter):
            await venue.load()
        usdc, weth = await v2.token(world.usdc.address), await v2.token(world.weth.address)

        def q(venue: Any, amount: int) -> Callable[[], Awaitable[Any]]:
            return lambda: venue.quote(SwapKind.EXACT_IN, usdc, weth, Decimal(amount))

        quotes = await interleaved({
            "v3 local, in range (1,000 USDC)": q(local, 1_000),
            "v3 QuoterV2, in range (1,000 USDC)": q(quoter, 1_000),
            "v3 local, crossing ticks (900,000 USDC)": q(local, 900_000),
            "v3 QuoterV2, crossing ticks (900,000 USDC)": q(quoter, 900_000),
            "v2 local (1,000 USDC)": q(v2, 1_000),
        })
        print(f"Quote latency, median of {ROUNDS} interleaved rounds (anvil on 127.0.0.1):")
        for name, value in quotes.items():
            print(f"  {name:46s} {value:7.2f} ms")
        print(f"  ratio local/QuoterV2 in range: "
              f"{quotes['v3 local, in range (1,000 USDC)'] / quotes['v3 QuoterV2, in range (1,000 USDC)']:.2f}; "  # noqa: E501
              f"crossing: {quotes['v3 local, crossing ticks (900,000 USDC)'] / quotes['v3 QuoterV2, crossing ticks (900,000 USDC)']:.2f}")  # noqa: E501

        compute = await pure_compute(local, world.v3_pool, usdc, weth)
        print(f"  v3 local math alone, state in memory (crossing ticks): {compute:7.3f} ms "
              "(the rest of a local quote is RPC round trips)")

        async def one_swap(venue: Any, amount: str) -> None:
            quote = await venue.quote(SwapKind.EXACT_IN, usdc, weth, Decimal(amount))
            await venue.swap(quote.request(Decimal("0.05"),
                                           venue.clock.now() + timedelta(minutes=5)))

        await one_swap(v2, "1")  # the approval, out of the timed runs
        count = 30
        start = time.perf_counter()
        for _ in range(count):
            await one_swap(v2, "10")
        sequential = count / (time.perf_counter() - start)
        start = time.perf_counter()
        for _ in range(count // 8):
            await asyncio.gather(*(one_swap(v2, "10") for _ in range(8)))
        concurrent = (count // 8 * 8) / (time.perf_counter() - start)
        print("Swaps per second, Uniswap v2 on anvil (quote + swap + receipt; approvals "
              "included when concurrency needs them):")
        print(f"  sequential                  {sequential:7.1f} /s")
        print(f"  8 concurrent, one wallet    {concurrent:7.1f} /s  "
              f"(ratio to sequential {concurrent / sequential:.2f})")
        await parts.chain.unload()
    finally:
        anvil.stop()
    print("Import cost in a fresh interpreter (bytecode cached, second of two runs):")
    for module, value in import_cost().items():
        print(f"  import {module:38s} {value:7.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
