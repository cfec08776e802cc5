"""``sinks.postgres``: metric records into PostgreSQL, exact, batched, surviving restarts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import Field, SecretStr

from fortuna import Duration
from plugins.sinks._sql import SqlSink, SqlSinkArgs
from schemas.metrics import MetricRecord

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
    from sqlalchemy.sql.dml import Insert

__all__ = ["PostgresSink", "PostgresSinkArgs"]


class PostgresSinkArgs(SqlSinkArgs):
    dsn: SecretStr = Field(
        description="database URL, postgresql+asyncpg://user:password@host:5432/db "
        "(postgresql:// is accepted); give it with !env so the password stays out of the file"
    )
    db_schema: str | None = Field(
        None,
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="PostgreSQL schema holding the tables, created if missing "
        "(default: the search path, usually public)",
    )
    application_name: str | None = Field(
        None,
        max_length=63,
        description="application_name of the sink's connections, as pg_stat_activity shows "
        "it (default: fortuna-sink-<component name>)",
    )
    pool_size: int = Field(2, ge=1, le=50, description="connections kept open")
    connect_timeout: Duration = Field(10.0, description="time allowed to open a connection")
    statement_timeout: Duration = Field(60.0, description="time allowed to store one batch")


class PostgresSink(SqlSink[PostgresSinkArgs]):
    """Stores metric records in PostgreSQL: NUMERIC(38, 18) columns, batched, retried."""

    _unnest: dict[str, tuple[list[str], str]]

    async def load(self) -> None:
        self._unnest = {}
        await super().load()

    @property
    def db_schema(self) -> str | None:
        return self.args.db_schema

    @property
    def application_name(self) -> str:
        return self.args.application_name or f"fortuna-sink-{self.name}"[:63]

    def create_engine(self) -> AsyncEngine:
        from sqlalchemy.engine import make_url
        from sqlalchemy.ext.asyncio import create_async_engine

        url = make_url(self.args.dsn.get_secret_value())
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+asyncpg")
        if url.drivername != "postgresql+asyncpg":
            raise ValueError(
                f"sinks.postgres needs a postgresql+asyncpg:// URL, got {url.drivername}://"
            )
        self.log.info("sink connecting", url=url.render_as_string(hide_password=True))
        return create_async_engine(
            url,
            pool_size=self.args.pool_size,
            max_overflow=0,
            pool_pre_ping=True,
            pool_timeout=self.args.connect_timeout,
            connect_args={
                "timeout": self.args.connect_timeout,
                "command_timeout": self.args.statement_timeout,
                "server_settings": {"application_name": self.application_name},
            },
        )

    def insert(self, table: Table) -> Insert:
        from sqlalchemy.dialects.postgresql import insert

        return insert(table).on_conflict_do_nothing(index_elements=[table.c.id])

    async def store(self, batch: Sequence[MetricRecord]) -> None:
        """One transaction; per record kind one ``INSERT ... SELECT FROM unnest(arrays)
        ON CONFLICT (id) DO NOTHING``: a single round trip, binary-encoded, every Decimal
        exact (asyncpg sends numerics in PostgreSQL's own decimal format)."""
        from plugins.sinks._tables import group

        async with self.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver: Any = raw.driver_connection
            try:
                async with driver.transaction():
                    for kind, records in group(batch).items():
                        columns, statement = self._unnest_insert(kind)
                        arrays = [[r.__dict__[c] for r in records] for c in columns]
                        await driver.execute(statement, *arrays)
            except BaseException:
                # The connection may be dead (killed, restarted server): never reuse it.
                await connection.invalidate()
                raise

    def _unnest_insert(self, kind: str) -> tuple[list[str], str]:
        cached = self._unnest.get(kind)
        if cached is None:
            table = self.tables[kind]
            dialect = self.engine.dialect
            preparer = dialect.identifier_preparer
            columns = list(table.c.keys())
            names = ", ".join(preparer.quote(c) for c in columns)
            arrays = ", ".join(
                f"${i}::{table.c[c].type.compile(dialect=dialect)}[]"
                for i, c in enumerate(columns, 1)
            )
            cached = columns, (
                f"INSERT INTO {preparer.format_table(table)} ({names}) "
                f"SELECT * FROM unnest({arrays}) ON CONFLICT (id) DO NOTHING"
            )
            self._unnest[kind] = cached
        return cached

    async def prepare(self, connection: AsyncConnection) -> None:
        from sqlalchemy import text

        # One migration at a time across every process sharing this database.
        await connection.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"fortuna-sink:{self.args.db_schema or ''}:{self.args.table_prefix}"},
        )
        if self.args.db_schema is not None:
            preparer = connection.dialect.identifier_preparer
            await connection.exec_driver_sql(
                f"CREATE SCHEMA IF NOT EXISTS {preparer.quote_schema(self.args.db_schema)}"
            )
