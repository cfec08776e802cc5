"""Recorded data read from the PostgreSQL tables the listeners and sinks write."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugins.exchanges.sim.recording import RecordingError, read_recording
from tests.rehearsal.support import CONFIGS, rehearse
from tests.sinks.support import asyncpg_dsn, connect, postgres_dsn, unique_name

pytestmark = pytest.mark.postgres


async def _recorded_schema(rows: int) -> str:
    schema = unique_name("replay")
    connection = await connect(postgres_dsn())
    try:
        await connection.execute(f'CREATE SCHEMA "{schema}"')
        await connection.execute(
            f'CREATE TABLE "{schema}".fortuna_trades (id uuid PRIMARY KEY, mandate text, '
            "venue text, timestamp timestamptz, symbol text, trade_id text, side text, "
            "price numeric(38, 18), amount numeric(38, 18))")
        for second in range(rows):
            await connection.execute(
                f'INSERT INTO "{schema}".fortuna_trades VALUES (gen_random_uuid(), $1, $2, '
                "to_timestamp($3), $4, $5, $6, $7, $8)",
                "m", "sim", 1767225600 + second, "BTC/USDT", str(second),
                "buy" if second % 2 else "sell",
                65000 + (second % 7) * 20 - 60, 0.01)
    finally:
        await connection.close()
    return schema


async def _drop(schema: str) -> None:
    connection = await connect(postgres_dsn())
    try:
        await connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        await connection.close()


async def test_the_sinks_postgres_tables_replay_like_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    schema = await _recorded_schema(600)
    try:
        url = f"{asyncpg_dsn(postgres_dsn())}?schema={schema}"
        recording = read_recording(url)
        assert len(recording.trades["BTC/USDT"]) == 600
        assert recording.start == 1767225600
        assert str(recording.trades["BTC/USDT"][0][2]) == "64940.000000000000000000"
        summary, _ = await rehearse(CONFIGS / "demo.yaml", duration=600, data=url)
        assert summary.started_at == 1767225600
        assert summary.books[0].figures()["reconciliation"]["ok"]
    finally:
        await _drop(schema)


async def test_a_schema_without_recorded_tables_is_refused() -> None:
    schema = unique_name("empty")
    connection = await connect(postgres_dsn())
    await connection.execute(f'CREATE SCHEMA "{schema}"')
    await connection.close()
    try:
        with pytest.raises(RecordingError, match="no recorded table"):
            read_recording(f"{asyncpg_dsn(postgres_dsn())}?schema={schema}")
    finally:
        await _drop(schema)
