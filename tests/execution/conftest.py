"""The real PostgreSQL server for the execution tests: the sink tests' fixtures (a DSN that
must answer, a plain connection, a fresh schema per test), shared rather than copied."""

from tests.sinks.conftest import pg, pg_dsn, pg_schema

__all__ = ["pg", "pg_dsn", "pg_schema"]
