"""The metrics tests that store into PostgreSQL use the sink tests' server fixtures."""

from tests.sinks.conftest import pg, pg_dsn, pg_schema

__all__ = ["pg", "pg_dsn", "pg_schema"]
