"""sinks.postgres against the real server: exact amounts, batches, idempotent retries,
outages (a proxy cut, connections killed with pg_terminate_backend) and a full buffer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from fortuna import Context
from plugins.sinks.postgres import PostgresSink
from schemas.metrics import BalanceRecord, MetricRecord, SinkFullError
from tests.sinks.records import LARGEST, SMALLEST, T0, balance, depth, fill, one_of_each, spread
from tests.sinks.support import CuttableProxy, LogRecorder, proxy_to, unique_name, via_port

pytestmark = pytest.mark.postgres


def make_sink(dsn: str, schema: str, log: LogRecorder | None = None, **args: Any) -> PostgresSink:
    return PostgresSink(
        PostgresSink.Args(dsn=dsn, db_schema=schema, **args),
        Context(name="metrics_db", log=log if log is not None else LogRecorder()),
    )


async def count(pg: asyncpg.Connection, schema: str, kind: str = "balances") -> int:
    return int(await pg.fetchval(f'SELECT count(*) FROM "{schema}".fortuna_{kind}'))


# Retries quick enough for a test; the connection attempt bounded.
QUICK_RETRIES: dict[str, Any] = {"retry_initial": 0.02, "retry_max": 0.1, "connect_timeout": 2}

# A buffer of 100 records that refuses what does not fit within 0.3 s.
REFUSING_BUFFER: dict[str, Any] = {"buffer_size": 100, "full_timeout": 0.3, "flush_interval": 0.02}


@contextlib.asynccontextmanager
async def loaded_then_cut(
    dsn: str, schema: str, log: LogRecorder, **args: Any
) -> AsyncIterator[tuple[PostgresSink, CuttableProxy]]:
    """A sink loaded through a proxy that is cut at once: every write waits for the proxy's
    ``restore``. The proxy closes on exit."""
    async with proxy_to(dsn) as proxy:
        sink = make_sink(via_port(dsn, proxy.port), schema, log, **QUICK_RETRIES, **args)
        await sink.load()
        await proxy.cut()
        yield sink, proxy


async def restore_and_unload(sink: PostgresSink, proxy: CuttableProxy) -> None:
    """Let the database through again, wait until every buffered record is stored, unload."""
    proxy.restore()
    await asyncio.wait_for(sink.flush(), 20)
    await sink.unload()


async def eventually(condition: Any, attempts: int = 200) -> bool:
    for _ in range(attempts):
        if await condition():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_amounts_round_trip_exactly_with_18_decimals_and_large_notionals(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    values = [
        LARGEST,
        LARGEST.copy_negate(),  # unary minus would round to the context precision
        SMALLEST,
        Decimal("12345678901234567890.123456789012345678"),
        Decimal("0.1"),
        Decimal("1E+19"),
        Decimal("65000.10"),
        Decimal(0),
    ]
    records = [balance(i, free=v, used=v, total=v) for i, v in enumerate(values)]
    sink = make_sink(pg_dsn, pg_schema)
    await sink.load()
    await sink.write(records)
    await sink.flush()
    await sink.unload()

    rows = await pg.fetch(
        f'SELECT id, free, used, total, free::text AS text FROM "{pg_schema}".fortuna_balances'
    )
    stored = {row["id"]: row for row in rows}
    for record, value in zip(records, values, strict=True):
        row = stored[record.id]
        assert row["free"] == row["used"] == row["total"] == value
        assert row["text"] == format(value, ".18f")


async def test_every_record_kind_round_trips_with_its_utc_timestamp(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    records = one_of_each(7)
    sink = make_sink(pg_dsn, pg_schema)
    await sink.load()
    await sink.write(records)
    await sink.flush()
    await sink.unload()

    for record in records:
        row = await pg.fetchrow(
            f'SELECT * FROM "{pg_schema}".fortuna_{record.kind} WHERE id = $1', record.id
        )
        assert row is not None
        assert type(record).model_validate({**dict(row), "id": str(row["id"])}) == record
        assert row["timestamp"] == record.timestamp


async def test_tables_are_created_on_load_with_numeric_and_timestamptz_columns(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    sink = make_sink(pg_dsn, pg_schema)
    await sink.load()
    await sink.unload()

    columns = await pg.fetch(
        "SELECT table_name, column_name, data_type, numeric_precision, numeric_scale "
        "FROM information_schema.columns WHERE table_schema = $1",
        pg_schema,
    )
    types = {(c["table_name"], c["column_name"]): c for c in columns}
    assert {t for t, _ in types} == {
        "fortuna_balances", "fortuna_spreads", "fortuna_depth", "fortuna_fills",
        # the listeners' records
        "fortuna_tickers", "fortuna_order_book_levels", "fortuna_trades", "fortuna_candles",
        "fortuna_open_orders", "fortuna_closed_orders", "fortuna_listener_cursors",
        "fortuna_execution_progress",
    }
    for name in ("free", "used", "total"):
        column = types[("fortuna_balances", name)]
        assert (column["data_type"], column["numeric_precision"], column["numeric_scale"]) == (
            "numeric", 38, 18
        )
    assert types[("fortuna_fills", "price")]["data_type"] == "numeric"
    assert types[("fortuna_spreads", "timestamp")]["data_type"] == "timestamp with time zone"


async def test_a_full_batch_is_stored_in_one_transaction(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    sink = make_sink(pg_dsn, pg_schema, batch_size=1000, flush_interval=3600)
    await sink.load()
    await sink.write([balance(i) for i in range(2500)])
    await sink.flush()
    await sink.unload()

    # Rows inserted by one transaction share its xmin.
    sizes = await pg.fetch(
        f'SELECT count(*) AS n FROM "{pg_schema}".fortuna_balances GROUP BY xmin::text '
        "ORDER BY n DESC"
    )
    assert [row["n"] for row in sizes] == [1000, 1000, 500]


async def test_a_partial_batch_is_stored_once_flush_interval_has_passed(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    sink = make_sink(pg_dsn, pg_schema, batch_size=1000, flush_interval=0.2)
    await sink.load()
    try:
        await sink.write([balance(i) for i in range(5)])

        async def stored() -> bool:
            return await count(pg, pg_schema) == 5

        assert await eventually(stored)
    finally:
        await sink.unload()


async def test_records_of_several_kinds_in_one_write_go_to_their_tables(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    sink = make_sink(pg_dsn, pg_schema)
    await sink.load()
    await sink.write([balance(1), spread(1), spread(2), depth(1), fill(1), fill(2), fill(3)])
    await sink.flush()
    await sink.unload()

    counts = {k: await count(pg, pg_schema, k) for k in ("balances", "spreads", "depth", "fills")}
    assert counts == {"balances": 1, "spreads": 2, "depth": 1, "fills": 3}


async def test_a_record_written_twice_is_stored_once(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    records = [balance(i) for i in range(10)]
    sink = make_sink(pg_dsn, pg_schema)
    await sink.load()
    await sink.write(records)
    await sink.flush()
    await sink.write(records + records[:3])
    await sink.flush()
    await sink.unload()

    assert await count(pg, pg_schema) == 10


async def test_no_row_is_lost_or_duplicated_when_its_connections_are_killed_mid_run(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    app = unique_name("fortuna-kill")
    log = LogRecorder()
    sink = make_sink(
        pg_dsn, pg_schema, log, application_name=app, batch_size=200, flush_interval=0.02,
        retry_initial=0.02, retry_max=0.2,
    )
    await sink.load()
    records = [balance(i) for i in range(12_000)]
    killed = 0

    async def kill_the_sinks_connections() -> int:
        # The sink may be between connections (reconnecting after the last kill): wait
        # for it, up to 10 s, so that every planned kill happens however busy the machine.
        for _ in range(200):
            terminated: int = await pg.fetchval(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND application_name = $1",
                app,
            )
            if terminated:
                return terminated
            await asyncio.sleep(0.05)
        return 0

    for index, start in enumerate(range(0, len(records), 300)):
        await sink.write(records[start : start + 300])
        if index % 6 == 3:  # seven kills spread over the forty batches
            killed += await kill_the_sinks_connections()
        await asyncio.sleep(0.01)

    await sink.flush()
    await sink.unload()

    ids = await pg.fetch(f'SELECT id FROM "{pg_schema}".fortuna_balances')
    assert len(ids) == len(records)
    assert {row["id"] for row in ids} == {r.id for r in records}
    assert killed >= 5, "the test must actually kill the sink's connections"
    assert log.named("sink write failed"), "some kill must have interrupted a write"


async def test_records_written_while_the_database_is_unreachable_arrive_when_it_returns(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    log = LogRecorder()
    async with proxy_to(pg_dsn) as proxy:
        sink = make_sink(
            via_port(pg_dsn, proxy.port), pg_schema, log, flush_interval=0.02, **QUICK_RETRIES
        )
        await sink.load()
        await sink.write([balance(i) for i in range(100)])
        await sink.flush()

        await proxy.cut()
        await sink.write([balance(i) for i in range(100, 300)])
        await asyncio.sleep(0.5)  # several attempts fail meanwhile
        assert sink.buffered == 200
        assert await count(pg, pg_schema) == 100

        await restore_and_unload(sink, proxy)

    assert await count(pg, pg_schema) == 300
    assert log.named("sink write failed", "error"), log.events
    assert log.named("sink write recovered")


async def test_a_full_buffer_is_reported_loudly_and_write_waits_for_room(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    log = LogRecorder()
    async with loaded_then_cut(
        pg_dsn, pg_schema, log, buffer_size=100, full_timeout=None, flush_interval=0.02
    ) as (sink, proxy):
        await sink.write([balance(i) for i in range(100)])
        waiting = asyncio.create_task(sink.write([balance(i) for i in range(100, 110)]))
        await asyncio.sleep(0.3)
        assert not waiting.done(), "a full buffer makes write wait, never drop"
        assert log.named("sink buffer full", "error")

        proxy.restore()
        await asyncio.wait_for(waiting, 20)
        await sink.flush()
        await sink.unload()

    assert await count(pg, pg_schema) == 110


async def test_a_buffer_full_for_longer_than_full_timeout_refuses_the_write_with_an_error(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    log = LogRecorder()
    async with loaded_then_cut(pg_dsn, pg_schema, log, **REFUSING_BUFFER) as (sink, proxy):
        await sink.write([balance(i) for i in range(100)])
        with pytest.raises(SinkFullError) as refused:
            await sink.write([balance(i) for i in range(100, 110)])
        assert refused.value.refused == 10
        assert log.named("sink records refused", "error")[0]["count"] == 10

        await restore_and_unload(sink, proxy)

    assert await count(pg, pg_schema) == 100


async def test_a_write_larger_than_the_buffer_refused_in_part_says_how_many_were_accepted(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    log = LogRecorder()
    async with loaded_then_cut(pg_dsn, pg_schema, log, **REFUSING_BUFFER) as (sink, proxy):
        with pytest.raises(SinkFullError) as refused:
            await sink.write([balance(i) for i in range(250)])  # parts of 100, 100, 50
        assert (refused.value.accepted, refused.value.refused) == (100, 150)
        assert "accepted the first 100 and refused the other 150 of 250" in str(refused.value)
        (logged,) = log.named("sink records refused", "error")
        assert (logged["accepted"], logged["count"], logged["written"]) == (100, 150, 250)

        await restore_and_unload(sink, proxy)

    stored = await pg.fetch(f'SELECT free FROM "{pg_schema}".fortuna_balances ORDER BY free')
    assert [row["free"] for row in stored] == [balance(i).free for i in range(100)]


async def test_unload_stores_the_records_still_buffered(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    sink = make_sink(pg_dsn, pg_schema, batch_size=1000, flush_interval=3600)
    await sink.load()
    await sink.write([balance(i) for i in range(10)])
    await sink.unload()

    assert await count(pg, pg_schema) == 10


async def test_unload_reports_the_records_it_could_not_store(
    pg_dsn: str, pg_schema: str
) -> None:
    log = LogRecorder()
    async with loaded_then_cut(pg_dsn, pg_schema, log, unload_timeout=0.3) as (sink, _):
        await sink.write([balance(i) for i in range(10)])
        await sink.unload()

    (lost,) = log.named("sink records not stored", "error")
    assert lost["count"] == 10


async def test_a_record_the_database_refuses_is_reported_and_the_others_are_stored(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    log = LogRecorder()
    poisoned = balance(3, currency="BT\x00C")  # PostgreSQL text cannot hold a NUL byte
    sink = make_sink(pg_dsn, pg_schema, log)
    await sink.load()
    records = [balance(i) for i in range(8)]
    records[3] = poisoned
    await sink.write(records)
    await sink.flush()
    await sink.write([balance(9)])
    await sink.flush()
    await sink.unload()

    assert await count(pg, pg_schema) == 8
    (rejected,) = log.named("sink record rejected", "error")
    assert rejected["record"]["id"] == str(poisoned.id)  # type: ignore[index]
    assert (sink.rejected, sink.stored) == (1, 8)


async def test_a_record_of_a_kind_without_a_table_is_refused_at_write(
    pg_dsn: str, pg_schema: str
) -> None:
    class Temperature(MetricRecord):
        kind = "temperatures"
        celsius: Decimal

    sink = make_sink(pg_dsn, pg_schema)
    await sink.load()
    try:
        with pytest.raises(ValueError, match="no table for record kind"):
            await sink.write([Temperature(mandate="m", venue="v", timestamp=T0, celsius=1)])
    finally:
        await sink.unload()


async def test_write_after_unload_is_refused(pg_dsn: str, pg_schema: str) -> None:
    sink = make_sink(pg_dsn, pg_schema)
    await sink.load()
    await sink.unload()
    with pytest.raises(RuntimeError, match="not loaded"):
        await sink.write([balance()])


async def test_load_fails_when_the_database_is_unreachable(
    pg_dsn: str, pg_schema: str
) -> None:
    async with proxy_to(pg_dsn) as proxy:
        await proxy.cut()
        sink = make_sink(via_port(pg_dsn, proxy.port), pg_schema, connect_timeout=2)
        with pytest.raises((OSError, ConnectionError, Exception)):
            await sink.load()


async def test_load_adds_the_columns_an_existing_table_lacks(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    await pg.execute(f'CREATE SCHEMA "{pg_schema}"')
    await pg.execute(
        f'CREATE TABLE "{pg_schema}".fortuna_fills (id uuid PRIMARY KEY, mandate text NOT NULL, '
        "venue text NOT NULL, timestamp timestamptz NOT NULL, symbol text NOT NULL, "
        "fill_id text NOT NULL, order_id text, side text NOT NULL, "
        "price numeric(38, 18) NOT NULL, amount numeric(38, 18) NOT NULL)"
    )
    record = fill(1)
    sink = make_sink(pg_dsn, pg_schema)
    await sink.load()
    await sink.write([record])
    await sink.flush()
    await sink.unload()

    row = await pg.fetchrow(f'SELECT * FROM "{pg_schema}".fortuna_fills')
    assert row["fee"] == record.fee
    assert row["liquidity"] == "maker"
    assert row["client_order_id"] is None


async def test_load_refuses_a_table_whose_amounts_are_floats(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    await pg.execute(f'CREATE SCHEMA "{pg_schema}"')
    await pg.execute(
        f'CREATE TABLE "{pg_schema}".fortuna_balances (id uuid PRIMARY KEY, mandate text, '
        "venue text, timestamp timestamptz, currency text, free double precision, "
        "used numeric(38, 18), total numeric(38, 18))"
    )
    sink = make_sink(pg_dsn, pg_schema)
    with pytest.raises(RuntimeError, match="cannot hold amounts exactly"):
        await sink.load()


async def test_load_refuses_a_numeric_column_with_too_few_integer_digits(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    await pg.execute(f'CREATE SCHEMA "{pg_schema}"')
    await pg.execute(
        f'CREATE TABLE "{pg_schema}".fortuna_balances (id uuid PRIMARY KEY, mandate text, '
        "venue text, timestamp timestamptz, currency text, free numeric(20, 18), "
        "used numeric(38, 18), total numeric(38, 18))"
    )
    sink = make_sink(pg_dsn, pg_schema)
    with pytest.raises(RuntimeError, match=r"free is NUMERIC\(20, 18\)") as refused:
        await sink.load()
    assert "keeps 2 integer digit(s), amounts have up to 20" in str(refused.value)


async def test_load_refuses_a_numeric_column_with_too_few_decimal_places(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    await pg.execute(f'CREATE SCHEMA "{pg_schema}"')
    await pg.execute(
        f'CREATE TABLE "{pg_schema}".fortuna_balances (id uuid PRIMARY KEY, mandate text, '
        "venue text, timestamp timestamptz, currency text, free numeric(38, 18), "
        "used numeric(38, 8), total numeric(38, 18))"
    )
    sink = make_sink(pg_dsn, pg_schema)
    with pytest.raises(RuntimeError, match=r"used is NUMERIC\(38, 8\).* 8 decimal place"):
        await sink.load()


async def test_load_accepts_numeric_columns_that_hold_every_amount_and_stores_them_exactly(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    await pg.execute(f'CREATE SCHEMA "{pg_schema}"')
    await pg.execute(
        f'CREATE TABLE "{pg_schema}".fortuna_balances (id uuid PRIMARY KEY, mandate text, '
        "venue text, timestamp timestamptz, currency text, free numeric, "
        "used numeric(40, 18), total numeric(42, 20))"
    )
    record = balance(free=LARGEST, used=LARGEST.copy_negate(), total=SMALLEST)
    sink = make_sink(pg_dsn, pg_schema)
    await sink.load()
    await sink.write([record])
    await sink.flush()
    await sink.unload()

    row = await pg.fetchrow(f'SELECT free, used, total FROM "{pg_schema}".fortuna_balances')
    assert (row["free"], row["used"], row["total"]) == (LARGEST, LARGEST.copy_negate(), SMALLEST)


async def test_a_plain_postgresql_url_is_accepted(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    sink = make_sink(pg_dsn.replace("postgresql+asyncpg://", "postgresql://"), pg_schema)
    await sink.load()
    await sink.write([balance()])
    await sink.unload()

    assert await count(pg, pg_schema) == 1


def test_a_float_amount_never_reaches_a_record() -> None:
    with pytest.raises(ValueError, match="float"):
        BalanceRecord.model_validate({**balance().model_dump(), "free": 0.1})
