"""Incremental listeners across a stop and a restart, on the real PostgreSQL server.

Each test runs the same mandate twice, as an operator would restart it. The simulated venue
is seeded and its virtual clock starts at the same instant both times, so the second run's
venue holds the first run's history too: the second listener must resume where the first
stopped, taking everything after and nothing before.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import asyncpg

from fortuna import Graph, start
from plugins.listeners._incremental import IncrementalListener
from schemas import OrderRequest, Side
from tests.listeners.support import SYMBOL, listener, mandate, sim, spec_of, venue
from tests.sinks.support import proxy_to, via_port


def spec(dsn: str, schema: str, kind: str, sink: dict[str, Any] | None = None,
         **args: Any) -> dict[str, Any]:
    components = mandate({
        "db": {"id": "sinks.postgres", "args": {
            "dsn": dsn, "db_schema": schema, "flush_interval": "100ms", **(sink or {})}},
        "feed": spec_of(kind, sinks=["@db"], cursor_store="@db", mandate="m1", lag="2s",
                        keep=100_000, **args),
    })
    components["components"]["sim"] = sim(balances={"USDT": "1000", "BTC": "1"})
    return components


def incremental(graph: Graph) -> IncrementalListener[Any, Any]:
    component = listener(graph, "feed")
    assert isinstance(component, IncrementalListener)
    return component


async def stored_ids(pg: asyncpg.Connection, schema: str, table: str, column: str
                     ) -> list[str]:
    records = await pg.fetch(f'SELECT {column} FROM "{schema}".fortuna_{table}')
    return [r[column] for r in records]


async def test_trades_survive_a_restart_with_no_duplicate_and_no_gap(
    pg: asyncpg.Connection, pg_dsn: str, pg_schema: str
) -> None:
    mandate_spec = spec(pg_dsn, pg_schema, "trades", symbol=SYMBOL, page_size=50)
    async with start(mandate_spec) as graph:
        await graph.clock.sleep(121)  # between two fetches (every 5 s): none runs after
        first_run = await venue(graph).fetch_trades(SYMBOL)
    first_ids = await stored_ids(pg, pg_schema, "trades", "trade_id")
    assert len(first_ids) > 50

    async with start(mandate_spec) as graph:
        feed = incremental(graph)
        await graph.clock.sleep(301)
        delivered = feed.reading().value  # every trade this run took, in order
        fetched_until = feed.reading().fetched_at
        second_run = await venue(graph).fetch_trades(SYMBOL)
    assert second_run[:len(first_run)] == first_run  # the same venue history, replayed

    ids = await stored_ids(pg, pg_schema, "trades", "trade_id")
    assert sorted(ids) == sorted(t.id for t in second_run if t.timestamp <= fetched_until)
    assert not {t.id for t in delivered} & set(first_ids)  # nothing taken twice
    assert len(ids) == len(first_ids) + len(delivered)


async def test_stored_trade_rows_are_the_venues_trades_exactly(
    pg: asyncpg.Connection, pg_dsn: str, pg_schema: str
) -> None:
    async with start(spec(pg_dsn, pg_schema, "trades", symbol=SYMBOL)) as graph:
        await graph.clock.sleep(61)  # between two fetches: none runs after the reading
        taken = incremental(graph).reading().value
    rows = await pg.fetch(
        f'SELECT trade_id, side, price, amount, timestamp, venue, symbol, mandate '
        f'FROM "{pg_schema}".fortuna_trades ORDER BY timestamp, trade_id')
    assert sorted((r["trade_id"], r["side"], r["price"], r["amount"], r["timestamp"])
                  for r in rows) == sorted(
        (t.id, t.side.value, t.price, t.amount, t.timestamp) for t in taken)
    assert {(r["venue"], r["symbol"], r["mandate"]) for r in rows} == {("sim", SYMBOL, "m1")}


async def replay(graph: Graph, until: float) -> dict[str, str]:
    """The same account activity in every run, up to ``until`` seconds: A rests from the
    start and is cancelled at 200 s; B is cancelled at 30 s; C lives from 150 s to 160 s."""
    sim_venue, placed = venue(graph), {}

    async def place(name: str, price: str) -> None:
        order = await sim_venue.create_order(OrderRequest(
            symbol=SYMBOL, side=Side.BUY, amount=Decimal("0.01"), price=Decimal(price)))
        placed[name] = order.id

    steps: list[tuple[float, Any]] = [
        (0, lambda: place("A", "50.00")), (0, lambda: place("B", "51.00")),
        (30, lambda: sim_venue.cancel_order(placed["B"], SYMBOL)),
        (150, lambda: place("C", "52.00")),
        (160, lambda: sim_venue.cancel_order(placed["C"], SYMBOL)),
        (200, lambda: sim_venue.cancel_order(placed["A"], SYMBOL)),
    ]
    now = 0.0
    for at, action in steps:
        if at > until:
            break
        if at > now:
            await graph.clock.sleep(at - now)
            now = at
        await action()
    await graph.clock.sleep(until - now)
    return placed


async def test_closed_orders_survive_a_restart_with_no_duplicate_and_no_gap(
    pg: asyncpg.Connection, pg_dsn: str, pg_schema: str
) -> None:
    mandate_spec = spec(pg_dsn, pg_schema, "closed_orders")
    async with start(mandate_spec) as graph:
        placed = await replay(graph, until=60)  # B closed; A still open at the stop
    assert await stored_ids(pg, pg_schema, "closed_orders", "order_id") == [placed["B"]]

    async with start(mandate_spec) as graph:
        placed = await replay(graph, until=300)
        delivered = incremental(graph).reading().value
    assert [o.id for o in delivered] == [placed["C"], placed["A"]]  # not B again
    assert sorted(await stored_ids(pg, pg_schema, "closed_orders", "order_id")) == sorted(
        placed.values())


async def test_the_cursor_is_stored_after_the_records_it_covers(
    pg: asyncpg.Connection, pg_dsn: str, pg_schema: str
) -> None:
    async with start(spec(pg_dsn, pg_schema, "trades", symbol=SYMBOL)) as graph:
        await graph.clock.sleep(31)  # between two fetches: none runs after the reading
        position = incremental(graph).position
    cursor = await pg.fetchrow(
        f'SELECT listener, position, sequence FROM "{pg_schema}".fortuna_listener_cursors '
        "ORDER BY sequence DESC LIMIT 1")
    assert cursor is not None
    assert (cursor["listener"], cursor["position"]) == ("feed", position)
    newest = await pg.fetchval(f'SELECT max(timestamp) FROM "{pg_schema}".fortuna_trades')
    assert newest is not None


async def test_listener_tables_are_migrated_on_load_with_exact_columns(
    pg: asyncpg.Connection, pg_dsn: str, pg_schema: str
) -> None:
    async with start(spec(pg_dsn, pg_schema, "trades", symbol=SYMBOL)):
        pass
    columns = await pg.fetch(
        "SELECT table_name, column_name, data_type, numeric_precision, numeric_scale "
        "FROM information_schema.columns WHERE table_schema = $1", pg_schema)
    types = {(c["table_name"], c["column_name"]): c for c in columns}
    for table, column in [("trades", "price"), ("trades", "amount"), ("candles", "volume"),
                          ("order_book_levels", "price"), ("closed_orders", "fee"),
                          ("tickers", "bid"), ("open_orders", "remaining")]:
        found = types[(f"fortuna_{table}", column)]
        assert (found["data_type"], found["numeric_precision"], found["numeric_scale"]) == (
            "numeric", 38, 18), (table, column)
    assert types[("fortuna_order_book_levels", "level")]["data_type"] == "bigint"
    assert types[("fortuna_listener_cursors", "sequence")]["data_type"] == "bigint"
    assert types[("fortuna_trades", "timestamp")]["data_type"] == "timestamp with time zone"


async def test_records_the_cursor_store_refused_are_sent_again_once_it_is_back(
    pg: asyncpg.Connection, pg_dsn: str, pg_schema: str
) -> None:
    async with proxy_to(pg_dsn) as proxy:
        mandate_spec = spec(
            via_port(pg_dsn, proxy.port), pg_schema, "trades", symbol=SYMBOL, interval="1h",
            sink={"buffer_size": 5, "full_timeout": "1s", "retry_initial": "10ms",
                  "retry_max": "50ms"})
        async with start(mandate_spec) as graph:
            feed = incremental(graph)
            started = graph.clock.now()
            await feed.unload()  # no background loop: the test makes each fetch itself
            await proxy.cut()
            await graph.clock.sleep(60)
            await feed.tick()  # a minute of trades into a buffer of 5 that cannot drain
            assert feed.pending > 5
            proxy.restore()
            await graph.clock.sleep(60)
            await feed.tick()
            assert feed.pending == 0
            fetched_until = feed.reading().fetched_at
            history = await venue(graph).fetch_trades(SYMBOL, since=started)
    ids = await stored_ids(pg, pg_schema, "trades", "trade_id")
    assert sorted(ids) == sorted(t.id for t in history if t.timestamp <= fetched_until)
