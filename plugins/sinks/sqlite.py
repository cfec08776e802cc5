"""``sinks.sqlite``: metric records into a local SQLite file, exact, with no server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from plugins.sinks._sql import SqlSink, SqlSinkArgs

if TYPE_CHECKING:
    from sqlalchemy import Table
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


class SqliteSink(SqlSink[SqliteSinkArgs]):
    """Stores metric records in a local SQLite file: amounts as exact decimal text."""

    def create_engine(self) -> AsyncEngine:
        from sqlalchemy import event
        from sqlalchemy.ext.asyncio import create_async_engine

        path = self.context.resolve_path(self.args.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(f"sqlite+aiosqlite:///{path}")

        def configure(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

        event.listen(engine.sync_engine, "connect", configure)
        self.log.info("sink opening", path=str(path))
        return engine

    def insert(self, table: Table) -> Insert:
        from sqlalchemy.dialects.sqlite import insert

        return insert(table).on_conflict_do_nothing(index_elements=[table.c.id])
