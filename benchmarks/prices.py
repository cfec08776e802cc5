"""Benchmark: a composite fair price read through listeners vs straight from the venues.

    .venv/bin/python benchmarks/prices.py

Two venues on the WALL clock, each answering every call in 50 ms (``latency: 50ms``). The
fair price is the one of ``configs/market_making/fair_price.yaml``: the median of two
fallbacks (ticker mid, then one-minute trade VWAP), one per venue. Two graphs build it:

- **direct**: the price providers call the venues; one ``quote()`` costs at least one round
  trip (the two venues are asked concurrently; the fallbacks' VWAPs are not reached while
  the mids are healthy).
- **listeners**: the providers read ``listeners.ticker`` / ``listeners.trades`` that fetch
  every second in the background; ``quote()`` makes no venue call.

The two are measured interleaved (one quote of each per round, ``ROUNDS`` rounds) and the
figures are medians, with the ratio direct / listeners. Whether bytecode was cached is
printed (a first run compiles the modules; the per-call figures do not include imports).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import structlog

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fortuna import start
from schemas import PriceProvider

ROUNDS = 40
SYMBOL = "BTC/USDT"


def venue(name: str, offset: str) -> dict[str, Any]:
    return {"id": "exchanges.sim", "args": {
        "venue": name, "prices": "@process", "price_offset": offset, "latency": "50ms",
        "markets": [{"symbol": SYMBOL}], "balances": {"USDT": 1000, "BTC": 1}}}


def mandate(through_listeners: bool) -> dict[str, Any]:
    components: dict[str, Any] = {
        "process": {"id": "exchanges.sim.prices", "args": {
            "seed": 11, "series": {SYMBOL: {"price": 65000}}}},
        "alpha": venue("alpha", "0"), "beta": venue("beta", "0.0005"),
    }
    for name in ("alpha", "beta"):
        source = name
        trades = name
        if through_listeners:
            components[f"{name}_ticker"] = {"id": "listeners.ticker", "args": {
                "exchange": f"@{name}", "symbol": SYMBOL, "interval": "1s"}}
            components[f"{name}_trades"] = {"id": "listeners.trades", "args": {
                "exchange": f"@{name}", "symbol": SYMBOL, "interval": "1s", "lag": "0s"}}
            source, trades = f"{name}_ticker", f"{name}_trades"
        components[f"{name}_mid"] = {"id": "prices.ticker", "args": {
            "exchange": f"@{source}", "symbol": SYMBOL}}
        components[f"{name}_vwap"] = {"id": "prices.vwap", "args": {
            "exchange": f"@{trades}", "symbol": SYMBOL, "window": "1m", "max_age": "1m"}}
        components[f"{name}_price"] = {"id": "prices.fallback", "args": {
            "sources": [f"@{name}_mid", f"@{name}_vwap"], "max_age": "10s"}}
    components["fair"] = {"id": "prices.median", "args": {
        "sources": ["@alpha_price", "@beta_price"], "max_age": "10s",
        "max_divergence": "0.005"}}
    components["idle_strategy"] = {"id": "market_making.strategies.ladder",
                                   "args": {"spread": "0.01", "amount": "0.01"}}
    components["idle_executor"] = {"id": "market_making.executors.dry_run"}
    components["idle"] = {"id": "market_making", "args": {
        "exchange": "@alpha", "symbol": SYMBOL, "price": "@fair", "mandate": "idle",
        "strategy": "@idle_strategy", "executor": "@idle_executor", "interval": "1s"}}
    return {"service": "@idle", "components": components}


async def quote_ms(price: PriceProvider) -> float:
    started = time.perf_counter()
    await price.quote()
    return (time.perf_counter() - started) * 1000


def bytecode_cached() -> bool:
    module = Path(__file__).resolve().parents[1] / "plugins" / "prices" / "median.py"
    return Path(importlib.util.cache_from_source(str(module))).exists()


async def main(cached: bool) -> None:
    async with start(mandate(False)) as direct, start(mandate(True)) as shared:
        direct_fair, shared_fair = direct["fair"], shared["fair"]
        assert isinstance(direct_fair, PriceProvider)
        assert isinstance(shared_fair, PriceProvider)
        direct_ms: list[float] = []
        shared_ms: list[float] = []
        for _ in range(ROUNDS):
            direct_ms.append(await quote_ms(direct_fair))
            shared_ms.append(await quote_ms(shared_fair))
            await asyncio.sleep(0.02)
    d, s = statistics.median(direct_ms), statistics.median(shared_ms)
    print(f"bytecode cached before the run: {cached} (writing bytecode: "
          f"{not sys.dont_write_bytecode})")
    print(f"fair price quote, straight from the venues (50 ms a call): median {d:.2f} ms")
    print(f"fair price quote, through listeners:                       median {s:.3f} ms")
    print(f"ratio direct / listeners: {d / s:.0f}x over {ROUNDS} interleaved rounds")


if __name__ == "__main__":
    logging.disable(logging.CRITICAL)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))
    asyncio.run(main(bytecode_cached()))
