"""Validating a firm's book: 30, 300 and 3,000 mandates in one call, time and memory.

Each book is written once by ``tests/book/support.py`` (market-making mandates on ccxt
venues, each with its own name, market and API key, so the book is clean and every
mandate makes its claims: name, account and market, client-order-id prefix, the key's
request rate). Each measured run is a fresh process that validates the whole book with
``validate_book`` (every file, then the mandates against each other), as ``fortuna
validate DIR`` does, and reports:

- the wall time of ``validate_book`` alone (imports excluded), and of the conflicts stage
  alone (grouping the claims of every mandate);
- the process's peak resident memory (``ru_maxrss``), beside a baseline process that
  imports the same modules and validates one mandate: the difference is what the book
  itself costs.

Runs are interleaved (baseline, 30, 300, 3000, baseline, 30, ...) so drift on a shared
machine spreads over every size; figures are medians. Bytecode is compiled first and
PYTHONDONTWRITEBYTECODE unset, so the figures are the cached ones (the output says so).

The cost per tick of the metrics endpoint (``fortuna run --http``) belongs to the branch
that adds the endpoint and is measured there, not here.

Prints figures; asserts nothing. Run: .venv/bin/python benchmarks/book.py [--rounds N]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import median

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.book.support import write_book  # noqa: E402

SIZES = (30, 300, 3000)

PROBE = """
import json, resource, sys, time
from fortuna._internal import book as book_module
from fortuna._internal.book_validation import validate_book
target = sys.argv[1]
spent = []
conflicts = book_module.conflicts
def timed(held):
    start = time.perf_counter()
    try:
        return conflicts(held)
    finally:
        spent.append(time.perf_counter() - start)
import fortuna._internal.book_validation as bv
bv.conflicts = timed
start = time.perf_counter()
book = validate_book([target])
wall = time.perf_counter() - start
print(json.dumps({"wall": wall, "conflicts": sum(spent), "files": len(book.files),
                  "findings": len(book.findings),
                  "rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def run(target: Path) -> dict[str, float]:
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    result = subprocess.run([sys.executable, "-c", PROBE, str(target)], capture_output=True,
                            text=True, cwd=REPO, env=environment, timeout=600, check=True)
    figures: dict[str, float] = json.loads(result.stdout.splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    for package in ("fortuna", "schemas", "plugins", "tests"):
        compileall.compile_dir(str(REPO / package), quiet=1)
    with tempfile.TemporaryDirectory() as folder:
        books = {size: Path(folder) / f"book_{size}" for size in SIZES}
        for size, path in books.items():
            write_book(path, size)
        baseline = Path(folder) / "baseline"
        write_book(baseline, 1)
        targets = {0: baseline, **books}
        samples: dict[int, list[dict[str, float]]] = {size: [] for size in targets}
        for _ in range(rounds):
            for size, path in targets.items():
                samples[size].append(run(path))
    for size, runs in samples.items():
        assert all(r["findings"] == 0 for r in runs), f"the book of {size} is not clean"
    base_rss = median(r["rss_kib"] for r in samples[0]) / 1024
    print(f"book validation, medians of {rounds} interleaved runs per size "
          f"(bytecode cached; Python {sys.version.split()[0]})")
    print(f"baseline (1 mandate): {median(r['wall'] for r in samples[0]) * 1000:.1f} ms, "
          f"peak RSS {base_rss:.1f} MiB")
    print(f"{'mandates':>9} {'wall s':>8} {'ms/mandate':>11} {'conflicts ms':>13} "
          f"{'peak RSS MiB':>13} {'over baseline':>14}")
    for size in SIZES:
        runs = samples[size]
        wall = median(r["wall"] for r in runs)
        rss = median(r["rss_kib"] for r in runs) / 1024
        stage = median(r["conflicts"] for r in runs)
        print(f"{size:>9} {wall:>8.2f} {wall / size * 1000:>11.2f} {stage * 1000:>13.1f} "
              f"{rss:>13.1f} {rss - base_rss:>14.1f}")


if __name__ == "__main__":
    main()
