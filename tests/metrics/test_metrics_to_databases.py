"""Collectors writing through the real sinks: PostgreSQL and SQLite at once, exact, and no
fill lost or duplicated across a database outage."""

from __future__ import annotations

import asyncio
import sqlite3
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from fortuna import Component, Context, VirtualClock
from plugins.metrics._collector import Collector
from plugins.metrics.balances import BalancesCollector
from plugins.metrics.depth import DepthCollector
from plugins.metrics.fills import FillsCollector
from plugins.metrics.spread import SpreadCollector
from plugins.sinks.postgres import PostgresSink
from plugins.sinks.sqlite import SqliteSink
from tests.metrics.parts import T0, FixedVenue, JournalSource, a_fill, balances, book
from tests.sinks.support import LogRecorder, proxy_to, recorded, via_port

pytestmark = pytest.mark.postgres


def ctx(name: str) -> Context:
    return Context(name=name, clock=VirtualClock(VirtualClock.Args(start=T0)), log=LogRecorder())


async def test_collected_metrics_reach_postgres_and_sqlite_alike_and_exact(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str, tmp_path: Path
) -> None:
    postgres = PostgresSink(PostgresSink.Args(dsn=pg_dsn, db_schema=pg_schema), ctx("pg"))
    sqlite = SqliteSink(SqliteSink.Args(path=str(tmp_path / "m.sqlite")), ctx("lite"))
    sinks: list[Component[Any]] = [postgres, sqlite]
    venue = FixedVenue(
        book([("65000.123456789012345678", "12345678.000000000000000001")],
             [("65000.123456789012345679", "0.5")]),
        balances(BTC=("123456789012.123456789012345678", "0.000000000000000001")),
        venue="sim",
    )
    source = JournalSource(venue="sim")
    source.journal.append(a_fill(0))
    source.journal.append(a_fill(1))
    collectors: list[Collector[Any]] = [
        BalancesCollector(BalancesCollector.Args(exchange=venue, sinks=sinks, mandate="m"),
                          ctx("balances")),
        SpreadCollector(SpreadCollector.Args(exchange=venue, symbol="BTC/USDT", sinks=sinks,
                                             mandate="m"), ctx("spread")),
        DepthCollector(DepthCollector.Args(exchange=venue, symbol="BTC/USDT", sinks=sinks,
                                           mandate="m", bands=[10]), ctx("depth")),
        FillsCollector(FillsCollector.Args(source=source, sinks=sinks, mandate="m"),
                       ctx("fills")),
    ]
    for sink in sinks:
        await sink.load()
    for collector in collectors:
        await collector.tick()
    for sink in sinks:
        await sink.unload()

    queries = {
        "balances": "SELECT currency, free, used, total FROM {}balances",
        "spreads": "SELECT bid, ask, mid, spread, spread_bps FROM {}spreads",
        "depth": "SELECT band_bps, bid_amount, bid_notional, ask_notional FROM {}depth",
        "fills": "SELECT fill_id, price, amount, fee FROM {}fills ORDER BY fill_id",
    }
    with sqlite3.connect(tmp_path / "m.sqlite") as lite:
        for kind, query in queries.items():
            in_pg = [tuple(r) for r in await pg.fetch(query.format(f'"{pg_schema}".fortuna_'))]
            in_lite = lite.execute(query.format("fortuna_")).fetchall()
            as_decimals = [
                tuple(Decimal(v) if v[:1].isdigit() or v[:1] == "-" else v for v in row)
                for row in in_lite
            ]
            assert in_pg == as_decimals, kind
            assert in_pg, kind

    (spread,) = await pg.fetch(f'SELECT spread FROM "{pg_schema}".fortuna_spreads')
    assert spread["spread"] == Decimal("0.000000000000000001")
    (depth,) = await pg.fetch(f'SELECT bid_notional FROM "{pg_schema}".fortuna_depth')
    with localcontext() as wide:
        wide.prec = 100
        product = Decimal("65000.123456789012345678") * Decimal("12345678.000000000000000001")
        expected = product.quantize(Decimal("1E-18"), rounding=ROUND_HALF_EVEN)
    assert depth["bid_notional"] == expected == Decimal("802470594157.764060357765344684")


async def test_no_fill_is_lost_or_duplicated_across_a_database_outage(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    source = JournalSource(venue="sim")
    async with proxy_to(pg_dsn) as proxy:
        sink = PostgresSink(
            PostgresSink.Args(dsn=via_port(pg_dsn, proxy.port), db_schema=pg_schema,
                              flush_interval=0.02, retry_initial=0.02, retry_max=0.1,
                              connect_timeout=2),
            ctx("pg"),
        )
        fills = FillsCollector(
            FillsCollector.Args(source=source, sinks=[sink], mandate="m"), ctx("fills")
        )
        await sink.load()
        for i in range(300):
            source.journal.append(a_fill(i))
            if i == 100:
                await proxy.cut()
            if i == 200:
                proxy.restore()
            if i % 10 == 0:
                await fills.tick()
                await asyncio.sleep(0.01)
        await fills.tick()
        await fills.tick()  # a fill delivered twice is still one row
        fills.cursors[0] = 0
        await fills.tick()  # even when a whole history is resent
        await sink.unload()

    ids = [r["fill_id"] for r in await pg.fetch(f'SELECT fill_id FROM "{pg_schema}".fortuna_fills')]
    assert sorted(ids) == sorted(f"t{i}" for i in range(300))


async def test_a_sink_that_took_part_of_a_large_write_is_logged_with_what_it_took_and_refused(
    pg_dsn: str, pg: asyncpg.Connection, pg_schema: str
) -> None:
    async with proxy_to(pg_dsn) as proxy:
        sink = PostgresSink(
            PostgresSink.Args(dsn=via_port(pg_dsn, proxy.port), db_schema=pg_schema,
                              buffer_size=100, full_timeout=0.3, flush_interval=0.02,
                              retry_initial=0.02, retry_max=0.1, connect_timeout=2),
            ctx("pg"),
        )
        source = JournalSource(venue="sim")
        for i in range(250):
            source.journal.append(a_fill(i))
        fills = FillsCollector(FillsCollector.Args(source=source, sinks=[sink], mandate="m"),
                               ctx("fills"))
        await sink.load()
        await proxy.cut()
        await fills.tick()

        (not_stored,) = recorded(fills).named("metrics not stored", "error")
        assert (not_stored["accepted"], not_stored["count"], not_stored["written"]) == (
            100, 150, 250
        )
        assert "accepted the first 100 and refused the other 150" in str(not_stored["error"])

        proxy.restore()
        await asyncio.wait_for(sink.flush(), 20)
        await fills.tick()  # the cursor did not move: all 250 are sent again, stored once
        await asyncio.wait_for(sink.flush(), 20)
        await sink.unload()

    assert await pg.fetchval(f'SELECT count(*) FROM "{pg_schema}".fortuna_fills') == 250
