"""Fixtures for the sink tests: the real PostgreSQL server, a fresh schema per test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.sinks.support import connect, postgres_dsn, unique_name


@pytest.fixture(scope="session")
def pg_dsn() -> str:
    """The test server's URL. Unreachable is a failure, never a skip: CI must see it."""
    dsn = postgres_dsn()

    async def check() -> None:
        connection = await connect(dsn)
        await connection.close()

    try:
        asyncio.run(check())
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        shown = make_url(dsn).render_as_string(hide_password=True)
        pytest.fail(
            f"PostgreSQL is required for the sink tests and is unreachable at {shown} "
            f"({type(exc).__name__}: {exc}). Start it, or point FORTUNA_TEST_POSTGRES_DSN at "
            "a server (postgresql+asyncpg://user@host:port/database).",
            pytrace=False,
        )
    return dsn


@pytest.fixture
async def pg(pg_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain asyncpg connection to the test server, to look at what the sinks stored."""
    connection = await connect(pg_dsn)
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
async def pg_schema(pg: asyncpg.Connection) -> AsyncIterator[str]:
    """A schema name unique to this test; dropped (with its tables) afterwards."""
    name = unique_name("t_sinks")
    try:
        yield name
    finally:
        await pg.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
