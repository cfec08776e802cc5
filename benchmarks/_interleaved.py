"""Timing helpers of the on-chain venue benchmarks: interleaved medians, ratios, bytecode.

Each action is called once per round, in turn, so drift in machine load (a shared
machine) hits every action alike; a figure is the median over rounds, reported with its
ratio to the baseline measured in the same rounds.
"""

from __future__ import annotations

import importlib.util
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

__all__ = ["bytecode_cached", "interleaved", "report", "swap_round_trips"]


def bytecode_cached(modules: list[str]) -> bool:
    """Whether every module's compiled bytecode is on disk (call it before importing them)."""
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
            continue
        if not Path(importlib.util.cache_from_source(spec.origin)).exists():
            return False
    return True


async def interleaved(actions: dict[str, Callable[[], Awaitable[Any]]],
                      rounds: int) -> dict[str, float]:
    """Median ms of each action, measured in alternation, one call of each per round."""
    samples: dict[str, list[float]] = {name: [] for name in actions}
    for action in actions.values():
        await action()  # warm up (caches, connections, thread pools)
    for _ in range(rounds):
        for name, action in actions.items():
            start = time.perf_counter()
            await action()
            samples[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def report(title: str, figures: dict[str, float], baseline: str, rounds: int, *,
           rate: bool) -> None:
    """Print each figure in ms (and per second when ``rate``) with its ratio to ``baseline``."""
    print(f"{title} (median of {rounds} interleaved rounds):")
    for name, value in figures.items():
        per_second = f"  {1000 / value:8.1f} /s" if rate else ""
        print(f"  {name:58s} {value:8.2f} ms{per_second}  x{value / figures[baseline]:.2f}")


async def swap_round_trips(venue: Any, token_in: Any, token_out: Any, *, label: str,
                           baseline: tuple[str, Callable[[], Awaitable[Any]]], rounds: int,
                           poll: float) -> None:
    """Print the median swap round trip of ``venue`` (a quote of 10 ``token_in``, then the
    swap it allows at 5 % slippage, up to its receipt) against ``baseline``, interleaved."""
    from schemas.swap import SwapKind

    async def swap() -> None:
        quote = await venue.quote(SwapKind.EXACT_IN, token_in, token_out, Decimal(10))
        await venue.swap(quote.request(Decimal("0.05"),
                                       venue.clock.now() + timedelta(minutes=1)))

    name, action = baseline
    swaps = await interleaved(rounds=rounds, actions={
        name: action, f"{label} swap (quote .. receipt)": swap})
    report(f"Swap round trip (status polled every {poll * 1000:.0f} ms)", swaps, name, rounds,
           rate=False)
