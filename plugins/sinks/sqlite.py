"""``sinks.sqlite``: metric records into a local SQLite file, exact, with no server.

Batches are stored on a thread of the sink's own, through a synchronous connection: the
whole transaction (every kind's insert, the commit) is one hand-off from the event loop.
Through the asynchronous driver each statement, cursor and commit is a hand-off of its own
(some fourteen per batch of four kinds), and in a rehearsal, where the loop never idles,
every hand-off is a wait for the interpreter lock. The asynchronous engine stays for the
rest (creating and migrating the tables, reading cursors and progress back). Both
connections use write-ahead logging, so a read never waits for a batch being stored.

On a virtual clock (a rehearsal) a batch is stored in place, on the event loop, with no
thread: there the loop never idles, so each hand-off to the thread costs interpreter-lock
switches worth more than the batch itself (a 24-hour rehearsal of the demo spent a quarter
of its wall time on them), and virtual time, which cannot see the thread, jumped on while a
batch was in flight. In place, a batch takes no virtual time and is stored when it is due.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import Field

from plugins.sinks._sql import SqlSink, SqlSinkArgs
from schemas.metrics import MetricRecord

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import Engine, Table
    from sqlalchemy.ext.asyncio import AsyncEngine
    from sqlalchemy.sql.dml import Insert

__all__ = ["SqliteSink", "SqliteSinkArgs"]


class SqliteSinkArgs(SqlSinkArgs):
    path: str = Field(
        "fortuna.sqlite",
        min_length=1,
        description="the database file; a relative path is taken from the mandate file's "
        "folder; created, with its directory, if missing",
    )


def _configure(connection: Any, _record: Any) -> None:
    """Every connection: write-ahead logging, a commit synced at checkpoints, and a wait
    (not an error) while another connection writes."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class SqliteSink(SqlSink[SqliteSinkArgs]):
    """Stores metric records in a local SQLite file: amounts as exact decimal text."""

    _batches: Engine | None = None
    """The synchronous engine batches are stored through, used on ``_thread`` only."""
    _thread: ThreadPoolExecutor | None = None

    def create_engine(self) -> AsyncEngine:
        from sqlalchemy import event
        from sqlalchemy.ext.asyncio import create_async_engine

        path = self.context.resolve_path(self.args.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
        event.listen(engine.sync_engine, "connect", _configure)
        self.log.info("sink opening", path=str(path))
        return engine

    def insert(self, table: Table) -> Insert:
        from sqlalchemy.dialects.sqlite import insert

        return insert(table).on_conflict_do_nothing(index_elements=[table.c.id])

    async def store(self, batch: Sequence[MetricRecord]) -> None:
        if self._batches is None:
            from sqlalchemy import create_engine, event

            self._batches = create_engine(self.engine.url.set(drivername="sqlite"))
            event.listen(self._batches, "connect", _configure)
        if self.clock.virtual:
            self._store(batch)
            return
        if self._thread is None:
            from concurrent.futures import ThreadPoolExecutor

            self._thread = ThreadPoolExecutor(1, thread_name_prefix=f"sink:{self.name}")
        await asyncio.get_running_loop().run_in_executor(self._thread, self._store, batch)

    def _store(self, batch: Sequence[MetricRecord]) -> None:
        """One transaction, on the sink's thread (or in place on a virtual clock)."""
        from plugins.sinks._tables import rows

        assert self._batches is not None
        with self._batches.begin() as connection:
            for kind, values in rows(batch).items():
                connection.execute(self._statements[kind], values)

    async def unload(self) -> None:
        try:
            await super().unload()
        finally:
            thread, engine = self._thread, self._batches
            self._thread = self._batches = None
            if thread is not None and engine is not None:
                # closed on the thread that opened its connections; waits for a batch in
                # flight (a store cancelled by the unload timeout) to end first
                await asyncio.get_running_loop().run_in_executor(thread, engine.dispose)
                thread.shutdown()
            elif engine is not None:
                engine.dispose()
