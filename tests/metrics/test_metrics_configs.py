"""The example mandates in configs/metrics run end to end on the simulated venue (virtual
clock): every metric lands in SQLite and in PostgreSQL, and every fill exactly once."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import asyncpg
import pytest

import fortuna
from fortuna import Mandate
from tests.conftest import copy_of_mandate

CONFIGS = Path(__file__).resolve().parents[2] / "configs" / "metrics"


def journal_fills(graph: fortuna.Graph) -> list[tuple[str, Decimal, Decimal]]:
    executor = graph["executor"]
    page = executor.journal.since(0, limit=1_000_000)  # type: ignore[attr-defined]
    return [(f.id, f.price, f.amount) for f in page.fills]


async def test_the_sqlite_config_stores_every_metric_of_a_rehearsal(
    tmp_path: Path
) -> None:
    mandate = Mandate.from_file(copy_of_mandate(CONFIGS / "sqlite.yaml", tmp_path))
    graph = await fortuna.run(mandate, duration=600)

    with sqlite3.connect(tmp_path / "fortuna-metrics.sqlite") as db:
        counts = {
            kind: db.execute(f"SELECT count(*) FROM fortuna_{kind}").fetchone()[0]
            for kind in ("balances", "spreads", "depth", "fills")
        }
        fills = db.execute("SELECT fill_id, price, amount FROM fortuna_fills").fetchall()
    assert counts["balances"] >= 2 * 20  # BTC and USDT every 30 s for 10 minutes
    assert counts["spreads"] >= 120
    assert counts["depth"] >= 3 * 40
    expected = journal_fills(graph)
    assert expected, "the rehearsal should trade"
    assert sorted((i, Decimal(p), Decimal(a)) for i, p, a in fills) == sorted(expected)


@pytest.mark.postgres
async def test_the_postgres_config_stores_every_metric_of_a_rehearsal(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    text = (CONFIGS / "postgres.yaml").read_text()
    text = text.replace("db_schema: metrics", f"db_schema: {pg_schema}")
    text = text.replace("components:\n", "components:\n  clock:\n    id: clock.virtual\n", 1)
    mandate = Mandate.from_yaml(text, env={"FORTUNA_METRICS_DSN": pg_dsn})
    graph = await fortuna.run(mandate, duration=600)

    counts = {
        kind: await pg.fetchval(f'SELECT count(*) FROM "{pg_schema}".fortuna_{kind}')
        for kind in ("balances", "spreads", "depth", "fills")
    }
    assert counts["balances"] >= 20
    assert counts["spreads"] >= 120
    assert counts["depth"] >= 3 * 40
    rows = await pg.fetch(f'SELECT fill_id, price, amount FROM "{pg_schema}".fortuna_fills')
    expected = journal_fills(graph)
    assert expected, "the rehearsal should trade"
    assert sorted((r["fill_id"], r["price"], r["amount"]) for r in rows) == sorted(expected)
