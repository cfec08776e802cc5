"""A parent order survives a restart: the journal (real SQLite and PostgreSQL) holds its
progress, and the child order the previous run left is cancelled or adopted.

A restart is two services of the same mandate in one graph, sharing the venue and the
journal: the first works the order and is dropped without stopping (a crash), the second
starts from what the first left.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from plugins.execution._parent import ExecutionService
from tests.execution.mandates import MANDATE, SYMBOL, mandate, session, sim

D = Decimal


def sqlite_journal(path: Path) -> dict[str, dict[str, Any]]:
    return {"journal": {"id": "sinks.sqlite",
                        "args": {"path": str(path), "flush_interval": "50ms"}}}


def postgres_journal(dsn: str, schema: str) -> dict[str, dict[str, Any]]:
    return {"journal": {"id": "sinks.postgres",
                        "args": {"dsn": dsn, "db_schema": schema, "flush_interval": "50ms"}}}


def twap_restart(extra: dict[str, dict[str, Any]], *, venue: dict[str, Any] | None = None,
                 **args: Any) -> dict[str, Any]:
    return mandate("twap", services=("first", "second"), extra=extra, journal="@journal",
                   amount="10", window="10m", slices=10, style="limit",
                   venue=venue or sim(trade_rate="0.3"), **args)


async def crash_after(s: Any, first: ExecutionService[Any], ticks: int) -> None:
    for _ in range(ticks):
        await s.step(first)


async def test_a_restarted_twap_resumes_the_remaining_amount_from_sqlite(tmp_path: Path) -> None:
    spec = twap_restart(sqlite_journal(tmp_path / "journal.db"))
    async with session(spec, name="first") as s:
        first = s.service
        await crash_after(s, first, 250)
        (left,) = await s.own_open_orders()  # a child rests: the first run "crashed"
        before = first.progress.filled
        assert 0 < before < D(10)
        second = s.graph["second"]
        assert isinstance(second, ExecutionService)
        await second.on_start()
        assert await s.own_open_orders() == []  # the left child was cancelled...
        final_left = await s.venue.fetch_order(left.id, SYMBOL)
        assert second.progress.filled == before + final_left.filled  # ...and counted
        assert second.progress.started == first.progress.started  # same schedule
        while await s.step(second):
            pass
        await second.on_stop()
        fills = await s.venue.fetch_my_trades(SYMBOL)
        assert sum(f.amount for f in fills) == second.progress.filled
        assert second.report is not None
        ids = [o.client_order_id for o in await s.venue.fetch_closed_orders(SYMBOL)]
        assert len(ids) == len(set(ids))  # numbering went on, no id used twice


async def test_a_restart_can_adopt_the_child_the_previous_run_left(tmp_path: Path) -> None:
    spec = twap_restart(sqlite_journal(tmp_path / "journal.db"), on_start="adopt",
                        venue=sim(trade_rate="0.01", volatility="0.05"))
    async with session(spec, name="first") as s:
        await crash_after(s, s.service, 30)
        (left,) = await s.own_open_orders()
        second = s.graph["second"]
        assert isinstance(second, ExecutionService)
        await second.on_start()
        assert second.working is not None
        assert second.working.id == left.id
        assert [o.id for o in await s.own_open_orders()] == [left.id]
        await second.on_stop()
        assert await s.own_open_orders() == []


async def test_a_finished_parent_order_is_not_worked_again(tmp_path: Path) -> None:
    spec = mandate("twap", services=("first", "second"), journal="@journal", amount="2",
                   window="2m", slices=2, extra=sqlite_journal(tmp_path / "journal.db"))
    async with session(spec, name="first") as s:
        while await s.step():
            pass
        await s.service.on_stop()
        assert s.service.progress.state == "done"
        second = s.graph["second"]
        assert isinstance(second, ExecutionService)
        await second.on_start()
        assert second.stop_requested
        await s.step(second)
        await second.on_stop()
        assert second.report is not None
        assert second.report.filled == D(2)
        assert sum(f.amount for f in await s.venue.fetch_my_trades(SYMBOL)) == D(2)


async def test_a_journal_of_another_parent_order_is_refused_with_the_reason(
    tmp_path: Path,
) -> None:
    spec = twap_restart(sqlite_journal(tmp_path / "journal.db"))
    spec["components"]["second"]["args"]["amount"] = "11"
    async with session(spec, name="first") as s:
        await crash_after(s, s.service, 5)
        second = s.graph["second"]
        assert isinstance(second, ExecutionService)
        with pytest.raises(ValueError, match=f"journal of mandate '{MANDATE}' holds a buy of "
                           "10, not this buy of 11"):
            await second.on_start()


async def test_a_restarted_pegger_resumes_from_postgresql(pg_dsn: str, pg_schema: str) -> None:
    spec = mandate("pegger", services=("first", "second"), journal="@journal", amount="30",
                   window="1h", venue=sim(trade_rate="1"),
                   extra=postgres_journal(pg_dsn, pg_schema))
    async with session(spec, name="first") as s:
        first = s.service
        await crash_after(s, first, 120)
        assert await s.own_open_orders()
        before = first.progress.filled
        second = s.graph["second"]
        assert isinstance(second, ExecutionService)
        await second.on_start()
        assert await s.own_open_orders() == []
        assert second.progress.filled >= before
        while await s.step(second):
            pass
        await second.on_stop()
        assert second.report is not None
        assert second.report.filled == D(30)
        assert sum(f.amount for f in await s.venue.fetch_my_trades(SYMBOL)) == D(30)


async def test_journal_amounts_are_stored_as_exact_numeric_on_postgresql(
    pg: Any, pg_dsn: str, pg_schema: str
) -> None:
    spec = mandate("twap", journal="@journal", amount="1.234567", window="1m", slices=1,
                   venue=sim(markets=[{"symbol": SYMBOL, "price": "100.00",
                                       "amount_increment": "0.000001"}]),
                   extra=postgres_journal(pg_dsn, pg_schema))
    async with session(spec) as s:
        while await s.step():
            pass
        await s.service.on_stop()
    row = await pg.fetchrow(
        f'SELECT total, filled, state FROM "{pg_schema}".fortuna_execution_progress '
        "ORDER BY sequence DESC LIMIT 1")
    assert (row["total"], row["filled"], row["state"]) == (
        D("1.234567"), D("1.234567"), "done")
    kinds = await pg.fetch(
        "SELECT column_name, data_type, numeric_precision, numeric_scale FROM "
        "information_schema.columns WHERE table_schema = $1 AND "
        "table_name = 'fortuna_execution_progress' AND column_name IN ('total', 'cost')",
        pg_schema)
    assert {(k["data_type"], k["numeric_precision"], k["numeric_scale"]) for k in kinds} == {
        ("numeric", 38, 18)}
