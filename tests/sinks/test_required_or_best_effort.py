"""``required``: whether a database sink that is unreachable at start stops the mandate
(required, the default) or lets it run, buffering everything until the database answers."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from fortuna import Context
from plugins.sinks.postgres import PostgresSink, PostgresSinkArgs
from tests.sinks.records import balance
from tests.sinks.support import LogRecorder, proxy_to, via_port

pytestmark = pytest.mark.postgres


def make_sink(dsn: str, schema: str, log: LogRecorder, **args: Any) -> PostgresSink:
    return PostgresSink(
        PostgresSinkArgs(dsn=dsn, db_schema=schema, flush_interval=0.02, retry_initial=0.02,
                          retry_max=0.1, connect_timeout=2, **args),
        Context(name="metrics_db", log=log),
    )


async def tables(pg: asyncpg.Connection, schema: str) -> int:
    return int(await pg.fetchval(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1", schema))


async def test_a_required_sink_fails_to_load_while_its_database_is_down(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    async with proxy_to(pg_dsn) as proxy:
        await proxy.cut()
        sink = make_sink(via_port(pg_dsn, proxy.port), pg_schema, LogRecorder())
        with pytest.raises(OSError):  # noqa: PT011 (the driver's own connection error)
            await sink.load()
    assert await tables(pg, pg_schema) == 0


async def test_a_required_sink_is_the_default() -> None:
    assert PostgresSinkArgs(dsn="postgresql://x@127.0.0.1/db").required is True


async def test_a_best_effort_sink_loads_with_its_database_down_and_says_so(
    pg_dsn: str, pg_schema: str
) -> None:
    log = LogRecorder()
    async with proxy_to(pg_dsn) as proxy:
        await proxy.cut()
        sink = make_sink(via_port(pg_dsn, proxy.port), pg_schema, log, required=False)
        await sink.load()
        try:
            (event,) = log.named("sink database unreachable", "error")
            assert "best-effort" in str(event["policy"])
        finally:
            await sink.unload()


async def test_a_best_effort_sink_buffers_while_down_and_stores_everything_when_it_returns(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    log = LogRecorder()
    async with proxy_to(pg_dsn) as proxy:
        await proxy.cut()
        sink = make_sink(via_port(pg_dsn, proxy.port), pg_schema, log, required=False)
        await sink.load()
        await sink.write([balance(i) for i in range(50)])
        await asyncio.sleep(0.3)  # several attempts fail meanwhile
        assert sink.buffered == 50  # what it holds, reported
        assert log.named("sink write failed", "error")

        proxy.restore()
        await asyncio.wait_for(sink.flush(), 20)  # migrates, then stores
        assert sink.buffered == 0
        await sink.unload()
    stored = await pg.fetchval(f'SELECT count(*) FROM "{pg_schema}".fortuna_balances')
    assert stored == 50


async def test_a_best_effort_sink_still_refuses_a_malformed_dsn(pg_schema: str) -> None:
    sink = make_sink("mysql://u@127.0.0.1/db", pg_schema, LogRecorder(), required=False)
    with pytest.raises(ValueError, match="postgresql"):
        await sink.load()
