"""Validation speed: whole-process `fortuna validate`, and in-process scaling.

1. Whole process: `fortuna validate configs/arbitrage/case_study.yaml` (the case study's
   seven components; the command proves it valid from the catalog index) against
   `python -c "import pydantic, yaml"`, and beside them the same file through the full
   path (`fortuna.validate` from Python, which imports the plugins and builds their models:
   what `fortuna validate` costs for a mandate the index does not cover). The runs are
   interleaved in one invocation (baseline, command, full path, baseline, ...); medians of
   CPU (user + system, from the kernel) and wall time, and the median of the paired
   differences to the baseline. Bytecode is compiled first and PYTHONDONTWRITEBYTECODE
   unset for the measured runs, so the figure is the cached one an installed package sees
   (the output says which). Target: the command at most 50 ms more CPU.
2. In process: synthetic mandates of 1k, 10k and 50k components validated by
   `fortuna.validate` (shape, ids, references, cycles, every component's args), beside plain
   pydantic validating the same args dicts with an equivalent model. Targets: 10k in at most
   0.5 s, growing linearly; within 3x of plain pydantic.

Prints figures; asserts nothing (timings on shared machines are noisy).
Run: .venv/bin/python benchmarks/validate.py
"""

from __future__ import annotations

import abc
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from statistics import median
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from fortuna import Component, ComponentArgs, ExactDecimal, Interface, Registry, Service, validate
from fortuna._internal.loader import load_text

REPO = Path(__file__).resolve().parent.parent
CASE_STUDY = REPO / "configs" / "arbitrage" / "case_study.yaml"


class Venue(Interface, abc.ABC):
    """Something that trades."""


class VenueComponent(Component[ComponentArgs], Venue):
    """A venue."""


class QuoteArgs(ComponentArgs):
    venue: Venue
    symbol: str
    amount: ExactDecimal = Field(gt=0)
    levels: list[ExactDecimal] = Field(default_factory=list)
    label: str = "q"


class Quote(Component[QuoteArgs]):
    """A quoting component."""


class RootArgs(ComponentArgs):
    venue: Venue


class Root(Service[RootArgs]):
    """The root."""


class PlainQuoteArgs(BaseModel):
    """What plain pydantic checks for the same args: the reference is only a string."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    venue: str
    symbol: str
    amount: Decimal = Field(gt=0)
    levels: list[Decimal] = Field(default_factory=list)
    label: str = "q"


def synthetic(count: int) -> dict[str, Any]:
    components: dict[str, Any] = {"venue": {"id": "b.venue"}, "root": {
        "id": "b.root", "args": {"venue": "@venue"}}}
    for i in range(count - 2):
        components[f"q{i}"] = {"id": "b.quote", "args": {
            "venue": "@venue", "symbol": "BTC/USDT", "amount": Decimal("0.05"),
            "levels": [Decimal("0.001"), Decimal("0.002")], "label": f"q{i}"}}
    return {"service": "@root", "vars": {}, "components": components}


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


@dataclass(frozen=True)
class Child:
    """What one child process cost: CPU (user + system) and wall time, in seconds."""

    cpu: float
    wall: float


def child(argv: list[str], env: dict[str, str]) -> Child:
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return Child(usage.ru_utime + usage.ru_stime, time.perf_counter() - started)


def compile_bytecode() -> bool:
    """Compile the library and the environment to bytecode, as an installed package is;
    True when it worked (the measured runs then read the cached bytecode)."""
    folders = [str(REPO / name) for name in ("fortuna", "schemas", "plugins")]
    folders += sorted({path for path in sys.path if path.endswith("site-packages")})
    done = subprocess.run([sys.executable, "-m", "compileall", "-q", *folders],
                          capture_output=True, check=False)
    return done.returncode == 0


def whole_process(repeat: int = 21) -> None:
    """``fortuna validate`` of the case study (fast path) and the full path, against
    ``import pydantic, yaml``, the runs interleaved so all see the same machine; medians."""
    cached = compile_bytecode()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if not cached:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    commands = {
        "python -c 'import pydantic, yaml'": [sys.executable, "-c", "import pydantic, yaml"],
        "fortuna validate case_study.yaml": [sys.executable, "-m", "fortuna", "validate",
                                             str(CASE_STUDY)],
        "full path (fortuna.validate)": [
            sys.executable, "-c", "import sys, fortuna; "
            f"sys.exit(0 if fortuna.validate({str(CASE_STUDY)!r}).ok else 1)"],
    }
    for argv in list(commands.values())[1:]:
        check = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
        if check.returncode != 0:
            print(f"  case study does not validate:\n{check.stdout}{check.stderr}")
            return
    runs: dict[str, list[Child]] = {label: [] for label in commands}
    for _ in range(repeat):
        for label, argv in commands.items():
            runs[label].append(child(argv, env))
    print(f"whole process, median of {repeat} interleaved runs each; bytecode "
          f"{'cached (compiled first, PYTHONDONTWRITEBYTECODE unset)' if cached else 'NOT cached'}")
    print(f"  {'':42}{'CPU':>10}{'wall':>10}{'CPU over baseline':>20}")
    baseline = next(iter(runs.values()))
    for label, measured in runs.items():
        extra = median(m.cpu - b.cpu for m, b in zip(measured, baseline, strict=True))
        over = "" if measured is baseline else f"{extra * 1000:+17.1f}ms"
        print(f"  {label:42}{median(r.cpu for r in measured) * 1000:8.1f}ms"
              f"{median(r.wall for r in measured) * 1000:8.1f}ms{over}")
    print("  target: fortuna validate at most +50 ms CPU over the baseline")


def validate_plain(args: list[Any]) -> list[PlainQuoteArgs]:
    return [PlainQuoteArgs.model_validate(a) for a in args]


def in_process() -> None:
    registry = Registry({"b.venue": VenueComponent, "b.quote": Quote, "b.root": Root})
    print("in process (best of 3)")
    print(f"  {'components':>10}  {'fortuna':>10}  {'per comp':>9}  {'plain pydantic':>14}"
          f"  {'ratio':>6}  {'yaml parse':>10}")
    for count in (1_000, 10_000, 50_000):
        data = synthetic(count)
        report = validate(data, registry=registry)
        assert report.ok, report.findings[:3]
        took = best(partial(validate, data, registry=registry), 3)
        args = [spec.get("args", {}) for spec in data["components"].values()
                if spec["id"] == "b.quote"]
        plain = best(partial(validate_plain, args), 3)
        text = to_yaml(data)
        parse = best(partial(load_text, text, "bench.yaml", env={}), 1)
        print(f"  {count:>10}  {took * 1000:8.1f}ms  {took / count * 1e6:7.1f}us"
              f"  {plain * 1000:12.1f}ms  {took / plain:5.2f}x  {parse * 1000:8.1f}ms")
    print("  targets: 10k <= 500 ms, linear growth, ratio <= 3x")


def to_yaml(data: dict[str, Any]) -> str:
    lines = ['service: "@root"', "components:"]
    for name, spec in data["components"].items():
        lines.append(f"  {name}:")
        lines.append(f"    id: {spec['id']}")
        args = spec.get("args")
        if args:
            lines.append("    args:")
            for key, value in args.items():
                shown = f"[{', '.join(str(v) for v in value)}]" if isinstance(value, list) \
                    else (f'"{value}"' if isinstance(value, str) else str(value))
                lines.append(f"      {key}: {shown}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    whole_process()
    print()
    in_process()
    print()
    print(f"python {sys.version.split()[0]}; in-process figures are best-of, whole-process "
          "figures medians; rerun to see the spread")
