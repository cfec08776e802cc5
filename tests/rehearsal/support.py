"""Rehearsing a mandate from Python, as ``fortuna rehearse`` does, and recorded data."""

from __future__ import annotations

import random
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import fortuna
from fortuna._internal.rehearsal import Rehearsal, rehearse_mandate
from fortuna._internal.validation import plan_for
from plugins.rehearsal.summary import RunSummary
from tests.conftest import copy_of_mandate

REPO = Path(__file__).resolve().parent.parent.parent
CONFIGS = REPO / "configs"


async def rehearse(path: Path, duration: float = 600.0, **options: Any
                   ) -> tuple[RunSummary, Rehearsal]:
    """Rehearse the mandate at ``path`` for ``duration`` simulated seconds (a shipped
    config from a copy: see :func:`local_copy`)."""
    mandate = fortuna.load_mandate(local_copy(path))
    rehearsed, rehearsal = rehearse_mandate(mandate, plan_for(mandate, for_run=False), options)
    summary = RunSummary({"rehearsal": True,
                          "substitutions": [str(s) for s in rehearsal.substitutions]})
    await fortuna.run(plan_for(rehearsed), duration=duration, observers=[summary])
    return summary, rehearsal


def local_copy(path: Path) -> Path:
    """A shipped config copied into the working directory (a test's temporary folder), or
    into a new temporary folder when the test stays in the repository: its relative paths
    (SQLite files, halt files) are taken from the mandate's folder and must not land in
    the source tree. Any other mandate as it is."""
    if not path.resolve().is_relative_to(CONFIGS):
        return path
    folder = Path.cwd().resolve()
    if folder.is_relative_to(REPO):
        folder = Path(tempfile.mkdtemp(prefix="fortuna-rehearsal-"))
    return copy_of_mandate(path, folder)


def demo_copy(folder: Path) -> Path:
    """``configs/demo.yaml`` copied into ``folder``."""
    return copy_of_mandate(CONFIGS / "demo.yaml", folder)


def write_trades(path: Path, *, seconds: int = 1800, seed: int = 1, start: int = 1764460800,
                 symbol: str = "BTC/USDT") -> Path:
    """A CSV of recorded trades: one a second, around a slowly wandering mid, on both
    sides of it (taker buys above, taker sells below), some reaching 10 bps away."""
    rng = random.Random(seed)
    mid = Decimal(65000)
    lines = ["timestamp,symbol,side,price,amount"]
    for second in range(seconds):
        mid += Decimal(rng.randint(-300, 300)) / 100
        side = "buy" if rng.random() < 0.5 else "sell"
        away = mid * Decimal(rng.randint(0, 100)) / 100000
        price = (mid + away if side == "buy" else mid - away).quantize(Decimal("0.01"))
        amount = Decimal(rng.randint(1, 300)) / 10000
        lines.append(f"{start + second},{symbol},{side},{price},{amount}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
