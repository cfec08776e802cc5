"""What the SQL sinks share: engine lifetime, schema creation and migration, idempotent inserts.

On load the sink connects, creates the tables that are missing and migrates the ones that
exist: a column the records gained since is added (nullable, so old rows stay valid); a
money column that cannot hold every amount a record may carry exactly, or a table whose
primary key is not ``id``, makes the load fail with the reason rather than store inexact,
refused or duplicated rows.

A money column holds every amount exactly when it is an unconstrained ``NUMERIC`` or a
``NUMERIC(p, s)`` with at least 18 decimal places (``s >= 18``) and at least 20 integer
digits (``p - s >= 20``), ``NUMERIC(38, 18)`` being what the sink creates. A float type is
inexact; fewer decimal places would round amounts; fewer integer digits would refuse large
ones (``NUMERIC(20, 18)`` holds nothing from 100 up). A wider column is accepted: it stores
every value the same, and refusing it would stop a deployment for no gain.

SQLAlchemy is imported only inside functions: importing this module stays cheap.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import Field

from plugins.sinks._buffered import BufferedSink, BufferedSinkArgs
from schemas.execution import ProgressRecord, ProgressStore
from schemas.listeners import CursorRecord, CursorStore, ListenerCursor
from schemas.metrics import METRIC_INTEGER_DIGITS, METRIC_SCALE, MetricRecord

if TYPE_CHECKING:
    from sqlalchemy import Connection, Table
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
    from sqlalchemy.sql.dml import Insert

__all__ = ["SqlSink", "SqlSinkArgs"]

_SETTLE_ON_CANCEL = 5.0
"""Seconds a cancelled load waits for the database call in flight to end (see
:func:`_settled_before_cancel`)."""


async def _settled_before_cancel(work: Awaitable[None]) -> None:
    """Await ``work``; when cancelled meanwhile, let it end first (for at most
    ``_SETTLE_ON_CANCEL`` seconds), then re-raise. The drivers run a call on their own
    thread (aiosqlite) or socket, which hands its result back to this event loop: a stop
    during loading must not close the loop under a call still in flight, or that thread
    fails with "Event loop is closed" after a clean stop."""
    running = asyncio.ensure_future(work)
    try:
        await asyncio.shield(running)
    except asyncio.CancelledError:
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(running, _SETTLE_ON_CANCEL)
        raise


class SqlSinkArgs(BufferedSinkArgs):
    """Settings common to the SQL sinks."""

    table_prefix: str = Field(
        "fortuna_",
        pattern=r"^[a-z_][a-z0-9_]{0,40}$",
        description="prefix of the table names: <prefix>balances, <prefix>spreads, "
        "<prefix>depth, <prefix>fills",
    )


ArgsT = TypeVar("ArgsT", bound=SqlSinkArgs)


class SqlSink(BufferedSink[ArgsT], CursorStore, ProgressStore, abc.ABC):
    """Base of the sinks that store records in a SQL database through SQLAlchemy.

    Also a :class:`~schemas.listeners.CursorStore`: an incremental listener reads back the
    last cursor it stored here (only stored rows count, never what is still buffered), and
    a :class:`~schemas.execution.ProgressStore`: an execution service reads back the latest
    journal entry of its parent order.
    """

    _engine: AsyncEngine | None = None
    _tables: dict[str, Table] | None = None

    @abc.abstractmethod
    def create_engine(self) -> AsyncEngine:
        """The engine for this database (called in ``load``)."""

    @abc.abstractmethod
    def insert(self, table: Table) -> Insert:
        """``INSERT ... ON CONFLICT (id) DO NOTHING`` in this database's dialect."""

    @property
    def db_schema(self) -> str | None:
        """The database schema that holds the tables (None: the default one)."""
        return None

    async def prepare(self, connection: AsyncConnection) -> None:
        """Run before the migration, in its transaction (create a schema, take a lock)."""

    @property
    def tables(self) -> dict[str, Table]:
        """The table of each record kind."""
        if self._tables is None:
            raise RuntimeError(f"sink {self.name!r} is not loaded")
        return self._tables

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise RuntimeError(f"sink {self.name!r} is not loaded")
        return self._engine

    _migrated = False

    async def load(self) -> None:
        from plugins.sinks._tables import build_tables

        self._tables = build_tables(self.args.table_prefix, self.db_schema)
        self._statements = {kind: self.insert(table) for kind, table in self._tables.items()}
        self._engine = self.create_engine()
        self._migrated = False
        try:
            await _settled_before_cancel(self.ready())
        except asyncio.CancelledError:
            await self._dispose()
            raise
        except Exception as exc:
            if self.args.required:
                await self._dispose()
                raise
            self.log.error(
                "sink database unreachable",
                policy="best-effort: the mandate runs; records are buffered (up to "
                f"{self.args.buffer_size}) and stored once the database answers",
                error=f"{type(exc).__name__}: {exc}".splitlines()[0][:300],
            )
        except BaseException:
            await self._dispose()
            raise
        await super().load()

    async def ready(self) -> None:
        """Create the schema's tables (or check them) once; until then, every batch tries."""
        if self._migrated:
            return
        async with self.engine.begin() as connection:
            await self.prepare(connection)
            await connection.run_sync(self._migrate)
        self._migrated = True

    async def _dispose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def unload(self) -> None:
        try:
            await super().unload()
        finally:
            if self._engine is not None:
                await self._engine.dispose()
                self._engine = None

    async def write(self, records: Sequence[MetricRecord]) -> None:
        unknown = {r.kind for r in records} - set(self._tables or {r.kind for r in records})
        if unknown:
            raise ValueError(
                f"sink {self.name!r} has no table for record kind(s) {sorted(unknown)}"
            )
        await super().write(records)

    def is_rejection(self, error: Exception) -> bool:
        from sqlalchemy.exc import DataError, IntegrityError

        if isinstance(error, DataError | IntegrityError):
            return True
        # Errors raised by the driver itself, outside SQLAlchemy (asyncpg's COPY path):
        # SQLSTATE class 22 (data exception) or 23 (integrity constraint violation).
        sqlstate = getattr(error, "sqlstate", None)
        return isinstance(sqlstate, str) and sqlstate[:2] in ("22", "23")

    async def store(self, batch: Sequence[MetricRecord]) -> None:
        from plugins.sinks._tables import rows

        async with self.engine.begin() as connection:
            for kind, values in rows(batch).items():
                await connection.execute(self._statements[kind], values)

    async def read_cursor(
        self, mandate: str, venue: str, listener: str
    ) -> ListenerCursor | None:
        from sqlalchemy import select

        table = self.tables[CursorRecord.kind]
        statement = (
            select(table)
            .where(table.c.mandate == mandate, table.c.venue == venue,
                   table.c.listener == listener)
            .order_by(table.c.sequence.desc())
            .limit(1)
        )
        async with self.engine.connect() as connection:
            row = (await connection.execute(statement)).mappings().first()
        return None if row is None else CursorRecord.model_validate(dict(row)).cursor()

    async def read_progress(
        self, mandate: str, venue: str, symbol: str
    ) -> ProgressRecord | None:
        from sqlalchemy import select

        table = self.tables[ProgressRecord.kind]
        statement = (
            select(table)
            .where(table.c.mandate == mandate, table.c.venue == venue,
                   table.c.symbol == symbol)
            .order_by(table.c.sequence.desc())
            .limit(1)
        )
        async with self.engine.connect() as connection:
            row = (await connection.execute(statement)).mappings().first()
        return None if row is None else ProgressRecord.model_validate(dict(row))

    # -- migration (synchronous, inside run_sync) ------------------------------------------

    def _migrate(self, connection: Connection) -> None:
        from sqlalchemy import inspect

        inspector = inspect(connection)
        for table in self.tables.values():
            if not inspector.has_table(table.name, schema=table.schema):
                table.create(connection)
                self.log.debug("sink table created", table=table.fullname)
                continue
            self._check_primary_key(table, inspector.get_pk_constraint(table.name, table.schema))
            existing = {c["name"]: c for c in inspector.get_columns(table.name, table.schema)}
            for column in table.columns:
                found = existing.get(column.name)
                if found is None:
                    self._add_column(connection, table, column.name)
                else:
                    self._check_column(table, column.name, found["type"])
            present = {i["name"] for i in inspector.get_indexes(table.name, table.schema)}
            for index in table.indexes:
                if index.name not in present:
                    index.create(connection)

    def _add_column(self, connection: Connection, table: Table, name: str) -> None:
        dialect = connection.dialect
        preparer = dialect.identifier_preparer
        column = table.c[name]
        column_type = column.type.compile(dialect=dialect)
        connection.exec_driver_sql(
            f"ALTER TABLE {preparer.format_table(table)} "
            f"ADD COLUMN {preparer.format_column(column)} {column_type}"
        )
        self.log.warning("sink column added", table=table.fullname, column=name, type=column_type)

    def _check_primary_key(self, table: Table, constraint: Any) -> None:
        columns = list(constraint.get("constrained_columns") or ())
        if columns != ["id"]:
            raise RuntimeError(
                f"table {table.fullname} exists with primary key {columns or 'none'}, not (id): "
                "retried batches could duplicate rows; rename or drop the table"
            )

    def _check_column(self, table: Table, name: str, found: Any) -> None:
        from sqlalchemy import String

        from plugins.sinks._tables import ExactDecimal

        if not isinstance(table.c[name].type, ExactDecimal):
            return
        if self.engine.dialect.name == "sqlite":
            problem = None if isinstance(found, String) else "cannot hold amounts exactly"
            wanted = "TEXT"
        else:
            problem = _numeric_problem(found)
            wanted = "NUMERIC(38, 18) or wider"
        if problem is not None:
            raise RuntimeError(
                f"column {table.fullname}.{name} is {found}, which {problem}; "
                f"it must be {wanted} (alter or drop the table)"
            )


def _numeric_problem(found: Any) -> str | None:
    """Why a PostgreSQL column of type ``found`` cannot hold every amount a record may carry
    (up to 20 integer digits and 18 decimal places) exactly; None if it can."""
    from sqlalchemy import Float, Numeric

    if not isinstance(found, Numeric) or isinstance(found, Float):
        return "cannot hold amounts exactly"
    precision: int | None = found.precision
    scale: int | None = found.scale
    if precision is None:
        return None  # unconstrained NUMERIC: any amount, exactly
    scale = scale or 0
    if scale < METRIC_SCALE:
        return (
            f"cannot hold amounts exactly: it keeps {scale} decimal place(s), amounts have up "
            f"to {METRIC_SCALE}"
        )
    if precision - scale < METRIC_INTEGER_DIGITS:
        return (
            f"cannot hold every amount: it keeps {max(precision - scale, 0)} integer digit(s), "
            f"amounts have up to {METRIC_INTEGER_DIGITS}"
        )
    return None
