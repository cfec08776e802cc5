"""Property: any amount that fits NUMERIC(38, 18) comes back from either database with the
very same value, whatever its sign, scale or size (hypothesis draws them)."""

from __future__ import annotations

import asyncio
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fortuna import Context
from plugins.sinks.postgres import PostgresSink
from plugins.sinks.sqlite import SqliteSink
from tests.sinks.records import balance
from tests.sinks.support import LogRecorder, connect, unique_name

# A sign, up to 20 integer digits and 0 to 18 decimal places, built from text: exact.
amounts = st.integers(0, 18).flatmap(
    lambda places: st.integers(-(10 ** (20 + places)) + 1, 10 ** (20 + places) - 1).map(
        lambda n: Decimal(f"{n}E-{places}")
    )
)
batches = st.lists(amounts, min_size=1, max_size=60)
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


async def _write(sink: PostgresSink | SqliteSink, values: list[Decimal]) -> list[str]:
    records = [balance(i, free=v, used=v, total=v) for i, v in enumerate(values)]
    await sink.load()
    await sink.write(records)
    await sink.unload()
    return [str(r.id) for r in records]


@SETTINGS
@given(values=batches)
def test_any_amount_that_fits_round_trips_exactly_through_sqlite(
    tmp_path: Path, values: list[Decimal]
) -> None:
    path = tmp_path / f"{unique_name('p')}.sqlite"
    sink = SqliteSink(SqliteSink.Args(path=str(path)), Context(name="p", log=LogRecorder()))
    ids = asyncio.run(_write(sink, values))

    with sqlite3.connect(path) as db:
        stored = dict(db.execute("SELECT id, free FROM fortuna_balances").fetchall())
    by_id = {i.replace("-", ""): v for i, v in zip(ids, values, strict=True)}
    assert {k: Decimal(v) for k, v in stored.items()} == by_id


@pytest.mark.postgres
@SETTINGS
@given(values=batches)
def test_any_amount_that_fits_round_trips_exactly_through_postgres(
    pg_dsn: str, values: list[Decimal]
) -> None:
    schema = unique_name("t_prop")
    sink = PostgresSink(
        PostgresSink.Args(dsn=pg_dsn, db_schema=schema), Context(name="p", log=LogRecorder())
    )

    async def run() -> tuple[list[str], dict[str, Decimal]]:
        ids = await _write(sink, values)
        pg = await connect(pg_dsn)
        try:
            rows = await pg.fetch(f'SELECT id::text AS id, free FROM "{schema}".fortuna_balances')
            return ids, {r["id"]: r["free"] for r in rows}
        finally:
            await pg.execute(f'DROP SCHEMA "{schema}" CASCADE')
            await pg.close()

    ids, stored = asyncio.run(run())
    assert stored == dict(zip(ids, values, strict=True))
