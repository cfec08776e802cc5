"""Recorded tables read from PostgreSQL (what ``sinks.postgres`` and the listeners write).

Kept apart from :mod:`plugins.exchanges.sim.recording` so that reading CSV or SQLite never
imports asyncpg. The query runs in a thread of its own with its own event loop: the
caller (``fortuna rehearse`` planning, or a venue loading) may be inside a loop already.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from plugins.exchanges.sim.recording import _KINDS, RecordingError, _Raw, _rows

__all__ = ["read_postgres", "without_password"]


def without_password(url: str) -> str:
    """The URL as it may be printed: no password."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def read_postgres(url: str, raw: _Raw) -> None:
    """The recorded tables of a PostgreSQL database, read with asyncpg (in a thread of its
    own: the caller may be inside an event loop)."""
    import threading
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    query = dict(parse_qsl(parts.query))
    schema = query.pop("schema", None)
    dsn = urlunsplit(parts._replace(query=urlencode(query)))
    shown = without_password(url)
    found: list[tuple[str, str, list[str], list[list[str]]]] = []
    failure: list[BaseException] = []

    async def fetch() -> None:
        import asyncpg

        settings = {"search_path": schema} if schema else {}
        connection = await asyncpg.connect(dsn, server_settings=settings, timeout=10)
        try:
            tables = await connection.fetch(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                "current_schema() ORDER BY table_name")
            for record in tables:
                table = record["table_name"]
                kind = next((k for k in _KINDS if table.endswith(k)), None)
                if kind is None:
                    continue
                rows = await connection.fetch(f'SELECT * FROM "{table}" ORDER BY timestamp')
                wanted = _KINDS[kind][0] | _KINDS[kind][1]
                columns = [c for c in (rows[0].keys() if rows else ()) if c in wanted]
                found.append((table, kind, columns, [
                    [_text(row[c]) for c in columns] for row in rows]))
        finally:
            await connection.close()

    def run() -> None:
        import asyncio

        try:
            asyncio.run(fetch())
        except BaseException as error:
            failure.append(error)

    worker = threading.Thread(target=run, name="fortuna-recording")
    worker.start()
    worker.join()
    if failure:
        error = failure[0]
        raise RecordingError(f"{shown}: {type(error).__name__}: {error}")
    if not found:
        raise RecordingError(f"{shown}: no recorded table (trades, order_book_levels, "
                             f"tickers or candles) in schema {schema or 'of the user'}")
    for table, kind, columns, rows in found:
        _rows(f"{shown}:{table}", kind, columns, enumerate(rows, start=1), raw)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
