"""The real PostgreSQL server for the execution journal tests: a DSN and a fresh schema per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.engine import make_url

DEFAULT_DSN = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def pg_dsn() -> str:
    """The test server's SQLAlchemy URL (FORTUNA_TEST_POSTGRES_DSN overrides it)."""
    return os.environ.get("FORTUNA_TEST_POSTGRES_DSN", DEFAULT_DSN)


@pytest.fixture
async def pg(pg_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain asyncpg connection, to look at what the sinks stored. Unreachable is a
    failure, never a skip."""
    url = make_url(pg_dsn).set(drivername="postgresql")
    try:
        connection = await asyncpg.connect(url.render_as_string(hide_password=False),
                                           timeout=5)
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        pytest.fail(f"PostgreSQL is required and unreachable: {type(exc).__name__}: {exc}",
                    pytrace=False)
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
async def pg_schema(pg: asyncpg.Connection) -> AsyncIterator[str]:
    """A schema name unique to this test; dropped (with its tables) afterwards."""
    name = f"t_execution_{uuid.uuid4().hex[:12]}"
    try:
        yield name
    finally:
        await pg.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
