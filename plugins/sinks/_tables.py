"""Tables for the metric records, exact on PostgreSQL and on SQLite.

One table per record kind (``<prefix>balances``, ``<prefix>spreads``, ``<prefix>depth``,
``<prefix>fills``, and the listeners' ``tickers``, ``order_book_levels``, ``trades``,
``candles``, ``open_orders``, ``closed_orders``, ``listener_cursors``, and the execution
services' ``execution_progress`` journal), its columns derived
from the record model so the two never drift apart.
The primary key is the record's ``id``: inserts are ``ON CONFLICT DO NOTHING``, so a batch
retried after a lost connection stores each row exactly once.

Amounts: ``NUMERIC(38, 18)`` on PostgreSQL. SQLite has no exact decimal type (its NUMERIC
affinity turns values into 8-byte floats), so amounts are stored there as TEXT in plain
positional notation and read back into ``Decimal`` with every digit. Timestamps:
``timestamptz`` on PostgreSQL; ISO 8601 UTC text with microseconds on SQLite (sortable).

Imported only from ``load()`` (SQLAlchemy is heavy).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Dialect,
    Index,
    MetaData,
    Numeric,
    Table,
    Text,
    TypeDecorator,
    Uuid,
)
from sqlalchemy.types import TypeEngine

from schemas.execution import ProgressRecord
from schemas.listeners import (
    BookLevelRecord,
    CandleRecord,
    ClosedOrderRecord,
    CursorRecord,
    OpenOrderRecord,
    TickerRecord,
    TradeRecord,
)
from schemas.metrics import (
    METRIC_PRECISION,
    METRIC_SCALE,
    BalanceRecord,
    DepthRecord,
    FillRecord,
    MetricRecord,
    SpreadRecord,
)

__all__ = ["RECORD_TYPES", "ExactDecimal", "UtcTimestamp", "build_tables"]

RECORD_TYPES: tuple[type[MetricRecord], ...] = (
    BalanceRecord,
    SpreadRecord,
    DepthRecord,
    FillRecord,
    TickerRecord,
    BookLevelRecord,
    TradeRecord,
    CandleRecord,
    OpenOrderRecord,
    ClosedOrderRecord,
    CursorRecord,
    ProgressRecord,
)

_INDEXED = ("venue", "listener", "symbol", "currency", "timestamp")


class ExactDecimal(TypeDecorator[Decimal]):
    """NUMERIC(38, 18) where the database has it; exact decimal text on SQLite."""

    impl = Numeric(METRIC_PRECISION, METRIC_SCALE, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(Numeric(METRIC_PRECISION, METRIC_SCALE, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"an amount must be a Decimal, got {type(value).__name__}")
        if dialect.name == "sqlite":
            return format(value, "f")
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, Decimal):
            return value
        if isinstance(value, str):
            return Decimal(value)
        raise TypeError(f"an amount column returned {type(value).__name__}, not exact")


class UtcTimestamp(TypeDecorator[datetime]):
    """timestamptz where the database has it; ISO 8601 UTC text on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a timestamp must be timezone-aware, got {value.isoformat()}")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.isoformat(timespec="microseconds")
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value.astimezone(UTC)


def _column_type(annotation: Any) -> tuple[TypeEngine[Any] | type[TypeEngine[Any]], bool]:
    """The column type for a field annotation, and whether it is nullable."""
    nullable = False
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(members) < len(typing.get_args(annotation))
        (annotation,) = members
        origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if annotation is Decimal:
        return ExactDecimal(), nullable
    if annotation is datetime:
        return UtcTimestamp(), nullable
    if annotation is UUID:
        return Uuid(), nullable
    if annotation is int:
        return BigInteger(), nullable
    if annotation is str or typing.get_origin(annotation) is typing.Literal:
        return Text(), nullable
    raise TypeError(f"no column type for {annotation!r}")


def _columns(model: type[BaseModel]) -> list[Column[Any]]:
    columns: list[Column[Any]] = []
    for name, field in model.model_fields.items():
        column_type, nullable = _column_type(field.annotation)
        columns.append(
            Column(name, column_type, primary_key=name == "id", nullable=nullable)
        )
    return columns


def build_tables(
    prefix: str, schema: str | None = None, metadata: MetaData | None = None
) -> dict[str, Table]:
    """The table of every record kind, by kind, in ``metadata`` (a new one by default)."""
    metadata = metadata if metadata is not None else MetaData(schema=schema)
    tables: dict[str, Table] = {}
    for record_type in RECORD_TYPES:
        name = f"{prefix}{record_type.kind}"
        columns = _columns(record_type)
        table = Table(name, metadata, *columns, schema=schema)
        indexed = [c for c in _INDEXED if c in table.c]
        Index(f"ix_{name}_{'_'.join(indexed)}", *(table.c[c] for c in indexed))
        tables[record_type.kind] = table
    return tables


def group(records: Sequence[MetricRecord]) -> dict[str, list[MetricRecord]]:
    """Records grouped by kind, in order."""
    grouped: dict[str, list[MetricRecord]] = {}
    for record in records:
        grouped.setdefault(record.kind, []).append(record)
    return grouped


def rows(records: Sequence[MetricRecord]) -> dict[str, list[dict[str, Any]]]:
    """Records grouped by kind, each as a row (column -> value)."""
    return {kind: [dict(r.__dict__) for r in rs] for kind, rs in group(records).items()}
