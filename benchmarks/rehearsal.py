"""Benchmark: ``fortuna rehearse`` of the demo mandate, synthetic and replayed.

    .venv/bin/python benchmarks/rehearsal.py [--hours 24] [--repeats 3] [--trade-rate 1]

1. A 24-hour rehearsal of ``configs/demo.yaml`` at one-second ticks (its ``interval`` set
   to 1s and its own one-hour ``duration`` lifted, in memory), substituted and run exactly
   as ``fortuna rehearse`` does, with the run summary watching (sampling every tick),
   logging at warning level. Baseline, measured in the same run and interleaved: the same
   rehearsal without the summary, so the ratio is the summary's own cost.
   Goal: under 30 s of wall time.
2. A replay of one day of recorded trades (``--trade-rate`` a second, written as CSV in
   the documented format): reading the file (records per second), then the same 24-hour
   rehearsal following the recording (recorded records per wall second of the replay).

Each figure is the median of ``--repeats`` interleaved runs, wall time (CPU time beside
it). Modules are imported, and their bytecode compiled, before anything is timed; whether
bytecode may be written is printed. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import structlog

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import fortuna
from fortuna._internal.rehearsal import rehearse_mandate
from fortuna._internal.validation import plan_for
from plugins.exchanges.sim.recording import read_recording
from plugins.rehearsal.summary import RunSummary

DEMO = Path(__file__).resolve().parents[1] / "configs" / "demo.yaml"


def demo_at_one_second() -> fortuna.Mandate:
    """The demo mandate, ticking every second and stopping only when the run does."""
    data = fortuna.load_mandate(DEMO).data
    mm = data["components"]["mm"]["args"]
    mm["interval"] = "1s"
    mm.pop("duration", None)
    return fortuna.Mandate.from_dict(data, source=str(DEMO))


TRIPS: list[str] = []


async def rehearse(hours: float, *, summary: bool, data: str | None = None
                   ) -> tuple[float, float, int]:
    """Wall and CPU seconds of one rehearsal, and the fills it made (-1: not watched)."""
    mandate = demo_at_one_second()
    wall, cpu = time.perf_counter(), time.process_time()
    rehearsed, _ = rehearse_mandate(mandate, plan_for(mandate, for_run=False),
                                    {"data": data} if data else {})
    observers = [RunSummary({"rehearsal": True})] if summary else []
    await fortuna.run(plan_for(rehearsed), duration=hours * 3600, observers=observers)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    fills = len(observers[0].books[0].fills) if observers else -1
    if observers:
        started = observers[0].started_at or 0.0
        TRIPS[:] = [f"{trip['switch']} after {(trip['time'] - started) / 3600:.1f} h"
                    for trip in observers[0].trips]
    return wall, cpu, fills


def write_day(path: Path, *, hours: float, rate: int, seed: int = 7) -> int:
    """One day of recorded trades, ``rate`` a second, around a wandering mid; rows written."""
    rng = random.Random(seed)
    mid = Decimal(65000)
    start = 1764460800
    rows = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write("timestamp,symbol,side,price,amount\n")
        for second in range(int(hours * 3600)):
            mid += Decimal(rng.randint(-300, 300)) / 100
            for k in range(rate):
                side = "buy" if rng.random() < 0.5 else "sell"
                away = mid * Decimal(rng.randint(0, 100)) / 100000
                price = (mid + away if side == "buy" else mid - away).quantize(Decimal("0.01"))
                handle.write(f"{start + second + k / rate:.3f},BTC/USDT,{side},{price},"
                             f"{Decimal(rng.randint(1, 300)) / 10000}\n")
                rows += 1
    return rows


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _medians(runs: list[tuple[float, float, int]]) -> tuple[float, float]:
    """Median wall and median CPU seconds of runs."""
    return _median([w for w, _, _ in runs]), _median([c for _, c, _ in runs])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--trade-rate", type=int, default=1, help="recorded trades a second")
    options = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    folder = tempfile.mkdtemp(prefix="fortuna-bench-")
    os.chdir(folder)  # the demo's SQLite metrics file lands here
    print(f"sys.dont_write_bytecode={sys.dont_write_bytecode}; modules imported before timing")

    hours = options.hours
    asyncio.run(rehearse(0.01, summary=True))  # imports and first-use costs, untimed
    with_summary: list[tuple[float, float, int]] = []
    without: list[tuple[float, float, int]] = []
    for _ in range(options.repeats):
        without.append(asyncio.run(rehearse(hours, summary=False)))
        with_summary.append(asyncio.run(rehearse(hours, summary=True)))
    wall, cpu = _medians(with_summary)
    base, base_cpu = _medians(without)
    print(f"1. {hours:g} h rehearsal of the demo at 1 s ticks ({int(hours * 3600)} ticks): "
          f"median wall {wall:.2f} s, CPU {cpu:.2f} s; {with_summary[0][2]} fills; "
          f"kill-switch trips: {', '.join(TRIPS) or 'none'}; without the summary: wall "
          f"{base:.2f} s, CPU {base_cpu:.2f} s (summary's cost, CPU ratio {cpu / base_cpu:.2f})"
          "; goal < 30 s wall")

    day = Path(folder) / "trades.csv"
    rows = write_day(day, hours=hours, rate=options.trade_rate)
    reads: list[float] = []
    replays: list[tuple[float, float, int]] = []
    for _ in range(options.repeats):
        started = time.perf_counter()
        recording = read_recording(str(day))
        reads.append(time.perf_counter() - started)
        assert len(recording.trades["BTC/USDT"]) == rows
        # a fresh file version each time, so the replay reads it again (no cached parse)
        os.utime(day, ns=(time.time_ns(), time.time_ns()))
        replays.append(asyncio.run(rehearse(hours, summary=True, data=str(day))))
        os.utime(day, ns=(time.time_ns(), time.time_ns()))
    read = _median(reads)
    replay, replay_cpu = _medians(replays)
    print(f"2. replay of {rows} recorded trades ({hours:g} h): reading {read:.2f} s "
          f"({rows / read:,.0f} records/s); the whole replayed rehearsal at 1 s ticks "
          f"{replay:.2f} s wall, CPU {replay_cpu:.2f} s ({rows / replay:,.0f} records per "
          f"wall second, {rows / replay_cpu:,.0f} per CPU second; {replays[0][2]} fills; "
          f"trips: {', '.join(TRIPS) or 'none'}); synthetic baseline CPU {cpu:.2f} s "
          f"(CPU ratio {replay_cpu / cpu:.2f})")


if __name__ == "__main__":
    main()
