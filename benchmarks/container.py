"""Benchmark: build and load graphs of trivial components; compare with Hydra.

    .venv/bin/python benchmarks/container.py

Graphs of N components in groups of ten: each group's head has no dependency, the nine
others reference it (``"@head"``), so loading has N/10 independent chains to schedule.
Two kinds of trivial component: one keeps the base no-op ``load`` (no task needed), one
overrides ``load`` with an empty coroutine (one task each). Targets: 10k components built
and loaded in at most 1 s; at least 10x faster than ``hydra.utils.instantiate`` building
the same graph (Hydra does not share instances, so it rebuilds the head for each
reference; it also validates nothing and loads nothing). Prints figures; asserts nothing.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import structlog
from pydantic import Field

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fortuna import Component, ComponentArgs, Context, TickArgs, TickService
from fortuna._internal.clock import VirtualClock, VirtualClockArgs
from fortuna._internal.container import Graph
from fortuna._internal.plan import Plan, PlannedComponent, Ref

SIZES = (1_000, 10_000)
REPEATS = 5
HYDRA_REPEATS = 2  # Hydra takes seconds per 10k graph


class TrivialArgs(ComponentArgs):
    up: list[Any] = Field(default_factory=list, description="references to other components")


class Inert(Component[TrivialArgs]):
    """Keeps the base no-op load and unload."""


class Loading(Component[TrivialArgs]):
    """Overrides load with a coroutine that does nothing."""

    async def load(self) -> None:
        return None


class HydraTrivial:
    """What Hydra builds for each node: a plain object holding its references."""

    def __init__(self, up: Any = None) -> None:
        self.up = up


def plan_of(size: int, cls: type[Component[Any]]) -> Plan:
    components = {}
    for index in range(size):
        head = index - index % 10
        deps = (f"c{head}",) if index != head else ()
        components[f"c{index}"] = PlannedComponent(
            f"c{index}", "bench.trivial", cls, {"up": [Ref(d) for d in deps]}, deps
        )
    return Plan("bench.yaml", "c0", components)


def hydra_config(size: int) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for index in range(size):
        head = index - index % 10
        node: dict[str, Any] = {"_target_": f"{__name__}.HydraTrivial"}
        if index != head:
            node["up"] = [f"${{c{head}}}"]
        config[f"c{index}"] = node
    return config


def fortuna_seconds(plan: Plan) -> tuple[float, float]:
    """Best build time and best build+load time (unload excluded) over REPEATS runs."""
    builds: list[float] = []
    totals: list[float] = []

    async def once() -> None:
        started = time.perf_counter()
        graph = Graph(plan)
        built = time.perf_counter()
        await graph.load()
        loaded = time.perf_counter()
        await graph.unload()
        builds.append(built - started)
        totals.append(loaded - started)

    for _ in range(REPEATS):
        gc.collect()
        asyncio.run(once())
    return min(builds), min(totals)


def hydra_seconds(size: int) -> float:
    from hydra.utils import instantiate
    from omegaconf import OmegaConf

    config = hydra_config(size)

    times = []
    for _ in range(HYDRA_REPEATS):
        gc.collect()
        started = time.perf_counter()
        instantiate(OmegaConf.create(config))
        times.append(time.perf_counter() - started)
    return min(times)


class DayArgs(TickArgs):
    ticks: int = Field(description="stop after this many ticks")


class Day(TickService[DayArgs]):
    """A trivial tick service: counts, and stops after ``ticks``."""

    count = 0

    async def tick(self) -> None:
        self.count += 1
        if self.count >= self.args.ticks:
            self.request_stop()


def virtual_day_seconds() -> float:
    """Wall seconds to rehearse a day of one-second ticks on the virtual clock."""

    async def once() -> float:
        clock = VirtualClock(VirtualClockArgs())
        day = Day(DayArgs(interval=1.0, ticks=86_400), Context(name="day", clock=clock))
        started = time.perf_counter()
        await day.run()
        elapsed = time.perf_counter() - started
        assert clock.now().isoformat() == "2026-01-01T23:59:59+00:00"
        await clock.unload()
        return elapsed

    return asyncio.run(once())


def main() -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    print(f"best of {REPEATS} runs; Python {sys.version.split()[0]}")
    print(f"{'components':>10}  {'kind':<8} {'build':>9} {'build+load':>11} {'per comp.':>10}")
    results: dict[tuple[int, str], float] = {}
    for size in SIZES:
        for cls in (Inert, Loading):
            build, total = fortuna_seconds(plan_of(size, cls))
            results[(size, cls.__name__)] = total
            print(
                f"{size:>10}  {cls.__name__:<8} {build * 1e3:>7.1f}ms {total * 1e3:>9.1f}ms"
                f" {total / size * 1e6:>8.1f}us"
            )
    print()
    print(f"{'components':>10}  {'hydra instantiate':>17}  {'fortuna (Loading)':>17}  {'ratio':>7}")
    ratios = []
    for size in SIZES:
        hydra = hydra_seconds(size)
        ours = results[(size, "Loading")]
        ratios.append(hydra / ours)
        print(f"{size:>10}  {hydra * 1e3:>15.1f}ms  {ours * 1e3:>15.1f}ms  {hydra / ours:>6.1f}x")
    ten_k = results[(10_000, "Loading")]
    print()
    print(f"10k build+load: {ten_k:.3f} s (target <= 1 s): {'met' if ten_k <= 1 else 'MISSED'}")
    worst = min(ratios)
    print(
        f"vs Hydra: {statistics.fmean(ratios):.1f}x mean, {worst:.1f}x worst "
        f"(target >= 10x): {'met' if worst >= 10 else 'MISSED'}"
    )
    day = virtual_day_seconds()
    print(
        f"virtual day (86,400 one-second ticks): {day:.2f} s wall, "
        f"{86_400 / day:,.0f} ticks/s, {86_400 / day:,.0f}x real time"
    )


if __name__ == "__main__":
    main()
