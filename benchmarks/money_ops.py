"""Benchmark: the cost of ``schemas.money``'s exact operations over the bare decimal context.

    .venv/bin/python benchmarks/money_ops.py [--rounds 15] [--calls 100000]

``multiply``, ``add`` and ``subtract`` run several times per quote on the market-making
tick, so their wrapper (the type check, the trapped context, the named failure) is kept
thin. Each is timed against its baseline, the same operation of ``schemas.money.CONTEXT``
called directly, on the same operands (prices and amounts of a usual size). Rounds are
interleaved (every action once per round, ``--calls`` calls each) so drift in machine load
hits all alike; the figure is the median over rounds, in CPU ns per call, with the ratio to the
baseline of the same rounds. ``divide`` (a balance over a price, rounded down to a step in
exact integers) is timed against the naive two steps it replaces, a context division then
``quantize`` (which rounds twice). Says whether bytecode was cached. Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _interleaved import bytecode_cached

CACHED = bytecode_cached(["schemas.money"])

from schemas import money  # noqa: E402

Operation = Callable[[Decimal, Decimal], Decimal]
LEFT, RIGHT = Decimal("64123.45"), Decimal("0.0375")


STEP = Decimal("0.0001")


def divide_down(left: Decimal, right: Decimal) -> Decimal:
    """What a balance affords at a price, a step of 0.0001, never a step more."""
    return money.divide(left, right, STEP, money.Rounding.DOWN)


def divide_then_quantize(left: Decimal, right: Decimal) -> Decimal:
    """The naive two steps: a 34-digit division, then rounding down to the step."""
    return (left / right).quantize(STEP, ROUND_DOWN)


def timed(operation: Operation, calls: int) -> float:
    """CPU nanoseconds of this process (the machine may be shared) per call of
    ``operation(LEFT, RIGHT)``, over ``calls`` calls."""
    left, right = LEFT, RIGHT
    started = time.process_time()
    for _ in range(calls):
        operation(left, right)
    return (time.process_time() - started) * 1e9 / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=100_000)
    options = parser.parse_args()
    pairs: dict[str, tuple[Operation, Operation]] = {
        "multiply": (money.multiply, money.CONTEXT.multiply),
        "add": (money.add, money.CONTEXT.add),
        "subtract": (money.subtract, money.CONTEXT.subtract),
        "divide": (divide_down, divide_then_quantize),
    }
    samples: dict[str, list[float]] = {}
    for _ in range(options.rounds):
        for name, (wrapped, bare) in pairs.items():
            samples.setdefault(f"money.{name}", []).append(timed(wrapped, options.calls))
            samples.setdefault(f"CONTEXT.{name} (baseline)", []).append(
                timed(bare, options.calls))
    print(f"exact operations, ns per call (median of {options.rounds} interleaved rounds of "
          f"{options.calls} calls; bytecode cached: {CACHED}):")
    for name in pairs:
        ours = statistics.median(samples[f"money.{name}"])
        base = statistics.median(samples[f"CONTEXT.{name} (baseline)"])
        print(f"  {name:9s} money {ours:7.1f} ns  baseline {base:7.1f} ns  x{ours / base:.2f}")


if __name__ == "__main__":
    main()
