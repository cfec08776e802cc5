"""sinks.sqlite: the embedded default, exact amounts as text, no server."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from fortuna import Context, VirtualClock
from plugins.sinks.sqlite import SqliteSink
from schemas.metrics import MetricRecord
from tests.sinks.records import LARGEST, SMALLEST, balance, fill, one_of_each
from tests.sinks.support import LogRecorder


def make_sink(path: Path, **args: Any) -> SqliteSink:
    return SqliteSink(
        SqliteSink.Args(path=str(path), **args), Context(name="local", log=LogRecorder())
    )


async def read_back(sink: SqliteSink, record_type: type[MetricRecord]) -> list[MetricRecord]:
    """Rows read through the sink's own column types, rebuilt into records."""
    table = sink.tables[record_type.kind]
    async with sink.engine.connect() as connection:
        rows = (await connection.execute(select(table))).mappings().all()
    return [record_type.model_validate(dict(row)) for row in rows]


async def test_amounts_round_trip_exactly_including_trailing_zeros(tmp_path: Path) -> None:
    values = [
        LARGEST,
        LARGEST.copy_negate(),
        SMALLEST,
        Decimal("65000.10"),
        Decimal("0.1"),
        Decimal("1E+19"),
        Decimal("1.000000000000000000"),
    ]
    records = [balance(i, free=v, used=v, total=v) for i, v in enumerate(values)]
    sink = make_sink(tmp_path / "m.sqlite")
    await sink.load()
    await sink.write(records)
    await sink.flush()
    stored = {r.id: r for r in await read_back(sink, type(records[0]))}
    await sink.unload()

    for record, value in zip(records, values, strict=True):
        amount = stored[record.id].free  # type: ignore[attr-defined]
        assert amount == value
        assert format(amount, "f") == format(value, "f")  # every digit, trailing zeros included


async def test_amounts_are_stored_as_text_never_as_floats(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite"
    sink = make_sink(path)
    await sink.load()
    await sink.write([balance(1, free=Decimal("0.1"), used=SMALLEST, total=LARGEST)])
    await sink.unload()

    with sqlite3.connect(path) as db:
        row = db.execute(
            "SELECT typeof(free), free, used, total FROM fortuna_balances"
        ).fetchone()
    assert row == ("text", "0.1", "0.000000000000000001", "99999999999999999999.999999999999999999")


async def test_every_record_kind_round_trips_with_its_utc_timestamp(tmp_path: Path) -> None:
    records = one_of_each(3)
    sink = make_sink(tmp_path / "m.sqlite")
    await sink.load()
    await sink.write(records)
    await sink.flush()
    for record in records:
        assert await read_back(sink, type(record)) == [record]
    await sink.unload()


async def test_the_database_file_and_its_directory_are_created(tmp_path: Path) -> None:
    path = tmp_path / "data" / "metrics" / "fortuna.sqlite"
    sink = make_sink(path)
    await sink.load()
    await sink.unload()

    with sqlite3.connect(path) as db:
        found = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    tables = {name for (name,) in found}
    assert tables == {
        "fortuna_balances", "fortuna_spreads", "fortuna_depth", "fortuna_fills",
        # the listeners' records
        "fortuna_tickers", "fortuna_order_book_levels", "fortuna_trades", "fortuna_candles",
        "fortuna_open_orders", "fortuna_closed_orders", "fortuna_listener_cursors",
        "fortuna_execution_progress",
    }


async def test_a_record_written_twice_is_stored_once(tmp_path: Path) -> None:
    records = [fill(i) for i in range(5)]
    sink = make_sink(tmp_path / "m.sqlite")
    await sink.load()
    await sink.write(records)
    await sink.flush()
    await sink.write(records)
    await sink.flush()
    assert len(await read_back(sink, type(records[0]))) == 5
    await sink.unload()


async def test_on_a_virtual_clock_a_batch_is_stored_in_place_when_due_with_no_thread(
    tmp_path: Path,
) -> None:
    path = tmp_path / "m.sqlite"
    clock = VirtualClock(VirtualClock.Args())
    sink = SqliteSink(SqliteSink.Args(path=str(path), flush_interval=10),
                      Context(name="local", log=LogRecorder(), clock=clock))
    threads = set(threading.enumerate())
    await sink.load()
    await sink.write([balance(i) for i in range(3)])
    await clock.sleep(9)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM fortuna_balances").fetchone() == (0,)
    await clock.sleep(1.001)
    with sqlite3.connect(path) as db:  # due at 10 s: stored then (no virtual time taken)
        assert db.execute("SELECT count(*) FROM fortuna_balances").fetchone() == (3,)
    assert not any(t.name.startswith("sink:") for t in set(threading.enumerate()) - threads)
    await sink.unload()
    await clock.unload()


async def test_on_the_wall_clock_batches_are_stored_on_the_sink_thread(
    tmp_path: Path,
) -> None:
    sink = make_sink(tmp_path / "m.sqlite")
    await sink.load()
    await sink.write([balance(0)])
    await sink.flush()
    assert any(t.name.startswith("sink:local") for t in threading.enumerate())
    await sink.unload()
    assert not any(t.name.startswith("sink:local") for t in threading.enumerate())


async def test_unload_stores_the_records_still_buffered(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite"
    sink = make_sink(path, flush_interval=3600)
    await sink.load()
    await sink.write([balance(i) for i in range(25)])
    await sink.unload()

    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM fortuna_balances").fetchone() == (25,)


async def test_reloading_an_existing_database_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite"
    for i in range(2):
        sink = make_sink(path)
        await sink.load()
        await sink.write([balance(i)])
        await sink.unload()

    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM fortuna_balances").fetchone() == (2,)


async def test_load_refuses_a_table_whose_amounts_are_not_text(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE fortuna_balances (id CHAR(32) PRIMARY KEY, mandate TEXT, venue TEXT, "
            "timestamp TEXT, currency TEXT, free REAL, used TEXT, total TEXT)"
        )
    sink = make_sink(path)
    with pytest.raises(RuntimeError, match="cannot hold amounts exactly"):
        await sink.load()


async def stopped_while_loading(path: Path, turns: int) -> None:
    """Load a sink, and cancel the load after ``turns`` turns of the event loop."""
    loading = asyncio.ensure_future(make_sink(path).load())
    for _ in range(turns):
        await asyncio.sleep(0)
    loading.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await loading


def test_a_load_stopped_mid_connect_leaves_no_call_into_a_closed_loop(tmp_path: Path) -> None:
    """A stop during loading cancels the sink while aiosqlite's thread is connecting; the
    loop then closes. Nothing may call back into it afterwards (a traceback after a clean
    stop). Stopped after 0 to 5 turns of the loop, to land on every step of the load."""
    failures: list[BaseException | None] = []
    previous = threading.excepthook
    threading.excepthook = lambda args: failures.append(args.exc_value)
    try:
        for run in range(24):
            asyncio.run(stopped_while_loading(tmp_path / f"m{run}.sqlite", run % 6))
        time.sleep(0.5)  # a thread left behind would fail within this
    finally:
        threading.excepthook = previous
    assert failures == []
