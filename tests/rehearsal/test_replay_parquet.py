"""Recorded market data in Parquet: read as exactly as CSV (decimal or text money
columns; a float column is refused), and replayed to the same fills."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from plugins.exchanges.sim.recording import RecordingError, read_recording
from tests.rehearsal.support import CONFIGS, rehearse, write_trades

MONEY = pa.decimal128(20, 8)


def parquet_of(csv_path: Path, target: Path, *, money: pa.DataType = MONEY,
               timestamps: str = "epoch") -> Path:
    """The trades of a CSV written by ``write_trades`` as a Parquet file."""
    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    seconds = [int(row["timestamp"]) for row in rows]
    times: pa.Array = (pa.array(seconds, pa.int64()) if timestamps == "epoch" else
                       pa.array([datetime.fromtimestamp(s, UTC) for s in seconds],
                                pa.timestamp("s", tz="UTC")))

    def column(name: str) -> pa.Array:
        values = [Decimal(row[name]) for row in rows]
        if money == pa.string():
            return pa.array([str(v) for v in values], money)
        if money == pa.float64():
            return pa.array([float(v) for v in values], money)
        return pa.array(values, money)

    table = pa.table({
        "timestamp": times,
        "symbol": pa.array([row["symbol"] for row in rows]),
        "side": pa.array([row["side"] for row in rows]),
        "price": column("price"),
        "amount": column("amount"),
    })
    pq.write_table(table, target)
    return target


def test_parquet_trades_read_exactly_as_their_csv(tmp_path: Path) -> None:
    source = write_trades(tmp_path / "trades.csv", seconds=300)
    from_csv = read_recording(str(source))
    for timestamps in ("epoch", "arrow"):
        from_parquet = read_recording(str(parquet_of(
            source, tmp_path / f"trades-{timestamps}.parquet", timestamps=timestamps)))
        assert from_parquet.trades == from_csv.trades


def test_text_money_columns_are_read_exactly_too(tmp_path: Path) -> None:
    source = write_trades(tmp_path / "trades.csv", seconds=60)
    path = parquet_of(source, tmp_path / "trades.parquet", money=pa.string())
    assert read_recording(str(path)).trades == read_recording(str(source)).trades


def test_a_float_money_column_is_refused_naming_it(tmp_path: Path) -> None:
    source = write_trades(tmp_path / "trades.csv", seconds=10)
    path = parquet_of(source, tmp_path / "trades.parquet", money=pa.float64())
    with pytest.raises(RecordingError, match="column price is double: a binary float"):
        read_recording(str(path))


def test_a_file_that_is_not_parquet_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "trades.parquet"
    path.write_text("timestamp,symbol\n", encoding="utf-8")
    with pytest.raises(RecordingError, match="not a readable Parquet file"):
        read_recording(str(path))


def test_a_directory_of_parquet_files_is_read(tmp_path: Path) -> None:
    source = write_trades(tmp_path / "trades.csv", seconds=60)
    folder = tmp_path / "recorded"
    folder.mkdir()
    parquet_of(source, folder / "trades.parquet")
    assert read_recording(str(folder)).trades == read_recording(str(source)).trades


async def test_a_parquet_replay_gives_the_fills_of_its_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    source = write_trades(tmp_path / "trades.csv")
    path = parquet_of(source, tmp_path / "trades.parquet")
    by_csv, _ = await rehearse(CONFIGS / "demo.yaml", duration=1800, data=str(source))
    by_parquet, _ = await rehearse(CONFIGS / "demo.yaml", duration=1800, data=str(path))
    fills = [(f.timestamp, f.side, f.price, f.amount) for f in by_csv.books[0].fills]
    assert fills
    assert [(f.timestamp, f.side, f.price, f.amount) for f in by_parquet.books[0].fills] == fills
