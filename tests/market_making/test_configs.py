"""The shipped mandates: every file validates, and each rehearses on the simulated venue."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from fortuna import run, validate
from plugins.market_making.service import MarketMaking
from schemas.metrics import FillSource
from tests.conftest import copy_of_mandate

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
MANDATES = sorted((CONFIGS / "market_making").glob("*.yaml"))
STRATEGIES = ("ladder", "band", "skewed", "price_threshold", "multi", "avellaneda_stoikov",
              "grid")
SERVICES = ("xemm",)
"""Mandates of other services than ``market_making`` (rehearsed in their own tests)."""
QUOTING = [p for p in MANDATES if p.stem not in SERVICES]


def test_there_is_a_mandate_for_every_strategy() -> None:
    assert {p.stem for p in MANDATES} >= set(STRATEGIES)


@pytest.mark.parametrize("path", [*MANDATES, CONFIGS / "demo.yaml"], ids=lambda p: p.stem)
def test_a_shipped_mandate_validates(path: Path) -> None:
    report = validate(path)
    assert [str(f) for f in report.findings] == []


@pytest.mark.parametrize("path", [*QUOTING, CONFIGS / "demo.yaml"], ids=lambda p: p.stem)
async def test_a_shipped_mandate_rehearses_on_the_simulated_venue(
    path: Path, tmp_path: Path
) -> None:
    graph = await run(copy_of_mandate(path, tmp_path), duration=900)
    service = graph.service
    assert isinstance(service, MarketMaking)
    assert service.ticks > 100
    assert not service.halted
    assert service.args.executor.resting == []


async def test_the_demo_records_its_fills_in_sqlite(
    tmp_path: Path
) -> None:
    graph = await run(copy_of_mandate(CONFIGS / "demo.yaml", tmp_path), duration=1800)
    executor = graph["executor"]
    assert isinstance(executor, FillSource)
    reported = (await executor.fills_since(0)).next_cursor
    with sqlite3.connect(tmp_path / "fortuna-demo.sqlite") as db:
        (stored,) = db.execute("SELECT count(*) FROM fortuna_fills").fetchone()
        (mandate,) = db.execute("SELECT DISTINCT mandate FROM fortuna_fills").fetchone()
    assert reported > 0
    assert stored == reported
    assert mandate == "demo"
