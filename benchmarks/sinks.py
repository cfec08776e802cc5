"""Rows per second into PostgreSQL (and SQLite) through the metric sinks, with batching.

    .venv/bin/python benchmarks/sinks.py [--rows 200000] [--batch-sizes 1,100,1000,5000]

The DSN is FORTUNA_TEST_POSTGRES_DSN (default postgresql+asyncpg://postgres@127.0.0.1:5432/test).
Each run writes into a fresh schema that is dropped afterwards. The clock runs from the first
``write`` until ``flush`` returns, i.e. until every row is committed. Records are built
before timing (building them is the collector's cost, not the sink's). Target: at least
20,000 rows/s into PostgreSQL with batching. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from fortuna import Context
from plugins.sinks._buffered import BufferedSink
from plugins.sinks.postgres import PostgresSink, PostgresSinkArgs
from plugins.sinks.sqlite import SqliteSink, SqliteSinkArgs
from schemas.metrics import (
    BalanceRecord,
    DepthRecord,
    FillRecord,
    MetricRecord,
    SpreadRecord,
)

DEFAULT_DSN = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


class QuietLog:
    """Benchmarks measure the sink, not the console."""

    def __getattr__(self, _level: str) -> Callable[..., None]:
        return lambda *_a, **_k: None

    def bind(self, **_k: object) -> QuietLog:
        return self


def records(count: int, mixed: bool) -> list[MetricRecord]:
    """Realistic rows: 18-decimal amounts and large notionals; one kind or all four."""
    out: list[MetricRecord] = []
    amount = Decimal("1234.567890123456789012")
    price = Decimal("65000.123456789012345678")
    for i in range(count):
        at = T0 + timedelta(milliseconds=i)
        base = {"mandate": "bench", "venue": "sim", "timestamp": at}
        kind = i % 4 if mixed else 0
        if kind == 0:
            out.append(BalanceRecord(**base, currency="BTC", free=amount + i,
                                     used=Decimal("0.000000000000000001"), total=amount + i))
        elif kind == 1:
            out.append(SpreadRecord(**base, symbol="BTC/USDT", bid=price, ask=price + 1,
                                    bid_amount=amount, ask_amount=amount, mid=price,
                                    spread=Decimal(1), spread_bps=Decimal("0.153846")))
        elif kind == 2:
            out.append(DepthRecord(**base, symbol="BTC/USDT", band_bps=Decimal(50), mid=price,
                                   bid_amount=amount, ask_amount=amount,
                                   bid_notional=Decimal("80246907415.176954238"),
                                   ask_notional=Decimal("80246907415.176954238")))
        else:
            out.append(FillRecord(**base, symbol="BTC/USDT", fill_id=f"f{i}", order_id="o",
                                  side="buy", price=price, amount=amount,
                                  fee=Decimal("-0.01"), fee_currency="USDT",
                                  liquidity="maker"))
    return out


async def measure(sink: BufferedSink[Any], rows: list[MetricRecord], chunk: int) -> float:
    """Rows per second from the first write until flush returns (all committed)."""
    await sink.load()
    try:
        started = time.perf_counter()
        for start in range(0, len(rows), chunk):
            await sink.write(rows[start : start + chunk])
        await sink.flush()
        elapsed = time.perf_counter() - started
    finally:
        await sink.unload()
    return len(rows) / elapsed


def context(name: str) -> Context:
    return Context(name=name, log=QuietLog())


async def drop_schema(dsn: str, schema: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(dsn).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await connection.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--unbatched-rows", type=int, default=3_000)
    parser.add_argument("--batch-sizes", default="100,1000,5000")
    parser.add_argument("--chunk", type=int, default=500,
                        help="records per write call (a collector's sample)")
    options = parser.parse_args()
    dsn = os.environ.get("FORTUNA_TEST_POSTGRES_DSN", DEFAULT_DSN)

    print(f"PostgreSQL: {dsn.split('@')[-1]}   rows per run: {options.rows:,}   "
          f"records per write: {options.chunk}")
    print(f"{'sink':<10} {'records':<9} {'batch':>6} {'rows':>9} {'rows/s':>10}")
    datasets = {"balances": records(options.rows, False), "mixed": records(options.rows, True)}
    runs: list[tuple[str, str, int, list[MetricRecord]]] = [
        ("postgres", "balances", 1, datasets["balances"][: options.unbatched_rows])
    ]
    for size in (int(s) for s in options.batch_sizes.split(",")):
        runs.append(("postgres", "balances", size, datasets["balances"]))
    runs.append(("postgres", "mixed", 1000, datasets["mixed"]))
    runs.append(("sqlite", "balances", 1000, datasets["balances"]))
    runs.append(("sqlite", "mixed", 1000, datasets["mixed"]))

    for target, kind, batch, rows in runs:
        common = {"batch_size": batch, "flush_interval": 0.05, "buffer_size": len(rows)}
        if target == "postgres":
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            sink: BufferedSink[Any] = PostgresSink(
                PostgresSinkArgs(dsn=dsn, db_schema=schema, **common), context("pg")
            )
            try:
                rate = await measure(sink, rows, options.chunk)
            finally:
                await drop_schema(dsn, schema)
        else:
            with tempfile.TemporaryDirectory() as directory:
                sink = SqliteSink(
                    SqliteSinkArgs(path=f"{directory}/bench.sqlite", **common), context("lite")
                )
                rate = await measure(sink, rows, options.chunk)
        print(f"{target:<10} {kind:<9} {batch:>6} {len(rows):>9,} {rate:>10,.0f}")


if __name__ == "__main__":
    asyncio.run(main())
