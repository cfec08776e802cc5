"""Every benchmark figure of two checkouts, measured interleaved: before, after, before, ...

    .venv/bin/python benchmarks/compare_revisions.py BEFORE AFTER [--rounds 5]
        [--only container,sim] [--args 'market_making=--ticks 5000 --hours 2']

BEFORE and AFTER are two checkouts of this repository (``git worktree add DIR REV``), each
with its own ``.venv`` (``pip install -e '.[dev,bench]'``). Every script of
``benchmarks/`` present in both (or those named by ``--only``) is run as a fresh process
from its own checkout with that checkout's interpreter, alternately (before, after,
before, after, ... ``--rounds`` times each), so drift in machine load hits both sides.

Each figure is a number a script prints: a line of output is one key (its text with the
numbers blanked, plus its occurrence), and each number on it one figure. Numbers that are
the same in every run (sizes, counts) are parameters and left out. Per
figure: the median of each checkout's runs and after / before. The whole process's wall
time is reported as one more figure. Figures whose line exists in one checkout only (the
script changed what it prints) are listed as such.

A script's own ratios (against a baseline measured in the same run) are figures too and
are the steadier comparison on a shared machine. Whether PYTHONDONTWRITEBYTECODE is set,
and whether each checkout's bytecode was on disk before the first run, is printed.
Prints a Markdown table per script; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

NUMBER = re.compile(r"(?<![\w.])-?\d+(?:,\d{3})*(?:\.\d+)?")
Figures = dict[tuple[str, int], float]  # (line key, number's position) -> value


def scripts_of(checkout: Path) -> set[str]:
    """The benchmark scripts of a checkout, by name (helpers and this script left out)."""
    return {
        path.stem for path in (checkout / "benchmarks").glob("*.py")
        if not path.stem.startswith("_") and path.stem != Path(__file__).stem
    }


def bytecode_cached(checkout: Path) -> bool:
    """Whether the checkout's packages have compiled bytecode on disk."""
    return all(
        any((checkout / package / "__pycache__").glob("__init__.*.pyc"))
        for package in ("fortuna", "schemas", "plugins")
    )


def figures(output: str) -> tuple[Figures, dict[str, str]]:
    """The numbers of each line, keyed by the line's shape, and one sample text per key
    (prefixed with the last line without numbers above it, the section's heading)."""
    found: Figures = {}
    texts: dict[str, str] = {}
    seen: dict[str, int] = defaultdict(int)
    heading = ""
    for raw in output.splitlines():
        line = " ".join(raw.split())
        numbers = NUMBER.findall(line)
        if not numbers:
            heading = line[:50] + " » " if line else heading
            continue
        shape = NUMBER.sub("#", line)
        key = f"{shape} @{seen[shape]}"
        seen[shape] += 1
        texts[key] = heading + line
        for position, number in enumerate(numbers):
            found[(key, position)] = float(number.replace(",", ""))
    return found, texts


def marked(text: str, position: int) -> str:
    """``text`` with its number at ``position`` (counted after the heading) in brackets."""
    heading, _, line = text.rpartition(" » ")
    matches = list(NUMBER.finditer(line))
    if position < len(matches):
        match = matches[position]
        line = f"{line[:match.start()]}[{match.group()}]{line[match.end():]}"
    return f"{heading} » {line}" if heading else line


def run(checkout: Path, script: str, args: list[str],
        timeout: float) -> tuple[Figures, dict[str, str], float]:
    """One run of a script in its checkout: its figures, line texts and wall seconds."""
    started = time.perf_counter()
    done = subprocess.run(
        [str(checkout / ".venv" / "bin" / "python"), f"benchmarks/{script}.py", *args],
        cwd=checkout, capture_output=True, text=True, timeout=timeout, check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{checkout}/benchmarks/{script}.py exited {done.returncode}:\n"
                           f"{done.stderr[-2000:]}")
    found, texts = figures(done.stdout)
    return found, texts, wall


def compare(before: Path, after: Path, script: str, args: list[str], rounds: int,
            timeout: float) -> str:
    """The Markdown table of one script's figures, before and after."""
    samples: dict[str, dict[tuple[str, int], list[float]]] = {"before": defaultdict(list),
                                                             "after": defaultdict(list)}
    texts: dict[str, dict[str, str]] = {"before": {}, "after": {}}
    walls: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(rounds):
        for side, checkout in (("before", before), ("after", after)):
            found, lines, wall = run(checkout, script, args, timeout)
            walls[side].append(wall)
            for figure, value in found.items():
                samples[side][figure].append(value)
            for key, text in lines.items():
                texts[side].setdefault(key, text)
    rows = [f"### {script}" + (f" ({shlex.join(args)})" if args else ""), "",
            f"{rounds} interleaved runs each; medians.", "",
            "| figure: [the number] on its line (after's first run) | before | after "
            "| after/before |",
            "| --- | ---: | ---: | ---: |"]
    rows.append(row("whole process, seconds of wall time", 0, walls["before"], walls["after"]))
    keys = list(dict.fromkeys([*samples["after"], *samples["before"]]))
    for key, position in keys:
        old, new = samples["before"].get((key, position)), samples["after"].get((key, position))
        values = (old or []) + (new or [])
        if len(set(values)) <= 1 and len(values) > 1:
            continue  # a parameter: the same in every run
        text = texts["after"].get(key) or texts["before"][key]
        rows.append(row(text, position, old, new))
    return "\n".join(rows) + "\n"


def row(text: str, position: int, old: list[float] | None, new: list[float] | None) -> str:
    """One table row: the figure's line, its position on the line, medians and ratio."""
    before = statistics.median(old) if old else None
    after = statistics.median(new) if new else None
    ratio = f"{after / before:.2f}" if before and after is not None else "—"
    label = marked(text, position).replace("|", "\\|")
    return (f"| {label} | {'only after' if before is None else f'{before:g}'} "
            f"| {'only before' if after is None else f'{after:g}'} | {ratio} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--rounds", type=int, default=5, help="runs of each script per side")
    parser.add_argument("--only", default="", help="comma-separated script names")
    parser.add_argument("--args", action="append", default=[],
                        help="SCRIPT=ARGS, arguments passed to both sides' script")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per run")
    options = parser.parse_args()
    before, after = options.before.resolve(), options.after.resolve()
    common = scripts_of(before) & scripts_of(after)
    chosen = sorted(set(options.only.split(",")) & common if options.only else common)
    extra = {name: shlex.split(value) for name, _, value in
             (item.partition("=") for item in options.args)}
    print(f"before: {before} (bytecode cached: {bytecode_cached(before)})")
    print(f"after:  {after} (bytecode cached: {bytecode_cached(after)})")
    print(f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '(unset)')}")
    print(f"in both: {', '.join(sorted(common))}; "
          f"only before: {', '.join(sorted(scripts_of(before) - common)) or '-'}; "
          f"only after: {', '.join(sorted(scripts_of(after) - common)) or '-'}\n", flush=True)
    for script in chosen:
        try:
            print(compare(before, after, script, extra.get(script, []), options.rounds,
                          options.timeout), flush=True)
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            print(f"### {script}\n\nfailed: {error}\n", flush=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
