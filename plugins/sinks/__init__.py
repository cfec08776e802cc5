"""Sinks: where metric records are stored.

- ``sinks.postgres``: one table per record kind (``<prefix>balances``, ``spreads``,
  ``depth``, ``fills``) in an optional schema; amounts ``NUMERIC(38, 18)``, timestamps
  ``timestamptz``, primary key ``id``. A batch is one transaction, one
  ``INSERT ... SELECT FROM unnest(<arrays>) ON CONFLICT (id) DO NOTHING`` per record kind.
- ``sinks.sqlite``: the same tables in a local file (the embedded default, no server);
  amounts are exact decimal TEXT, timestamps ISO 8601 UTC TEXT.
- ``sinks.log``: one structured log line per record, amounts as exact strings.

The database sinks create missing tables and add missing columns on load, and refuse a table
whose amount columns cannot hold every amount exactly (a float, or a NUMERIC with fewer than
18 decimal places or 20 integer digits). Writes are buffered (bounded), batched by size and
time, retried with backoff while the database is unreachable, and flushed on unload. A full
buffer makes ``write`` wait, then refuse with ``SinkFullError`` after ``full_timeout``;
every refusal, and anything still unstored when unload gives up, is logged as an error.
Nothing is ever dropped silently. See :mod:`plugins.sinks._buffered` for the details.
"""
