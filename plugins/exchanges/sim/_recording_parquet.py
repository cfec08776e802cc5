"""Recorded market data from Parquet files, read as exactly as the CSV form.

A Parquet column carries a type, and a binary float cannot hold a price or an amount
exactly (0.1 is not 0.1 in it): so money columns must be ``decimal128``/``decimal256`` or
text, and a float column is refused, naming it, rather than rounded silently. Timestamps
may be Arrow timestamps (UTC unless zoned), seconds since the epoch (integer or decimal)
or ISO 8601 text. Every cell is handed to the CSV reader's row checks as the text it
stands for, so one set of rules (columns, kinds, exactness) covers both formats.

pyarrow is imported only when a Parquet file is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

__all__ = ["read_parquet"]

_BATCH = 65_536


def read_parquet(name: str, kind_of: Callable[[str, list[str]], str],
                 rows_into: Callable[[str, str, list[str], Iterator[tuple[int, list[str]]]],
                                     None],
                 error: type[Exception]) -> None:
    """Read ``name``: ``kind_of`` names the recorded kind from the columns, ``rows_into``
    takes the rows (numbered from 2, as if a header were line 1) as text cells."""
    try:
        import pyarrow.parquet as parquet
        from pyarrow import ArrowException
    except ImportError:  # pragma: no cover - a dependency of Fortuna
        raise error(f"{name}: reading Parquet needs pyarrow") from None
    try:
        source = parquet.ParquetFile(name)
    except (OSError, ArrowException) as failure:
        raise error(f"{name}: not a readable Parquet file ({failure})") from None
    schema = source.schema_arrow
    columns = [str(column) for column in schema.names]
    kind = kind_of(name, columns)
    for field in schema:
        type_name = str(field.type)
        if type_name.startswith(("float", "double", "halffloat")):
            raise error(f"{name}: column {field.name} is {type_name}: a binary float cannot "
                        "hold a price or an amount exactly; store it as decimal or text")
    rows_into(name, kind, columns, _rows(source, error, name))


def _rows(source: Any, error: type[Exception], name: str) -> Iterator[tuple[int, list[str]]]:
    line = 1
    try:
        for batch in source.iter_batches(batch_size=_BATCH):
            for record in batch.to_pylist():
                line += 1
                yield line, [_text(value) for value in record.values()]
    except Exception as failure:  # pyarrow's decoding errors have no common base
        if isinstance(failure, error):
            raise
        raise error(f"{name}: row {line}: {failure}") from None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return moment.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
