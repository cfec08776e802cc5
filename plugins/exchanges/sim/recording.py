"""Recorded market data for replay: public trades, order-book levels, tickers and candles.

Two sources, one shape. The tables the listeners and metrics sinks write
(``<prefix>trades``, ``<prefix>order_book_levels``, ``<prefix>tickers``,
``<prefix>candles``), in a SQLite file from ``sinks.sqlite`` or in a PostgreSQL database
from ``sinks.postgres`` (a ``postgresql://`` URL, ``?schema=NAME`` to read another
schema than the user's default), and CSV files with the same columns (a header row; ``id``,
``mandate`` and ``venue`` may be there or not). A CSV file's kind is read from its header:

- trades: ``timestamp, symbol, side, price, amount`` (+ ``trade_id``); side is the taker's;
- order-book levels: ``timestamp, symbol, side, level, price, amount`` (side ``bid``/``ask``);
- tickers: ``timestamp, symbol, bid, ask, last`` (+ ``volume``, ``quote_volume``);
- candles: ``timestamp, symbol, open, high, low, close, volume`` (+ ``timeframe``, default 1m).

``timestamp`` is ISO 8601 (UTC unless an offset is given) or seconds since the epoch.
Numbers are read as exact decimals from their text. Any other column, a missing one, or a
row that does not parse is an error naming the file, the line and the column: a replay
that silently skips rows would not be the market it claims to be.

The reference path a replay follows, per symbol, comes from the richest source present:
the book (mid of the best bid and ask of each snapshot), else tickers (mid, else last),
else candles (open at the candle's start, close at its end), else the trades' prices.
The trades themselves are the tape that fills the mandate's resting orders.
"""

from __future__ import annotations

import csv
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from schemas import Side, money

__all__ = ["RecordedTrade", "Recording", "RecordingError", "read_recording"]

RecordedTrade = tuple[float, Side, Decimal, Decimal]
"""(time, taker side, price, amount) of one recorded public trade."""

_OPTIONAL = {"id", "mandate", "venue"}
_KINDS: dict[str, tuple[set[str], set[str]]] = {
    # kind: (required columns, optional columns)
    "order_book_levels": ({"timestamp", "symbol", "side", "level", "price", "amount"}, set()),
    "trades": ({"timestamp", "symbol", "side", "price", "amount"}, {"trade_id"}),
    "candles": ({"timestamp", "symbol", "open", "high", "low", "close", "volume"},
                {"timeframe"}),
    "tickers": ({"timestamp", "symbol", "bid", "ask", "last"}, {"volume", "quote_volume"}),
}
_TIMEFRAMES = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_TWO = Decimal(2)


class RecordingError(ValueError):
    """Recorded data that cannot be replayed; the message names the file and line."""


@dataclass
class Recording:
    """What was recorded, by symbol, in time order."""

    trades: dict[str, list[RecordedTrade]] = field(default_factory=dict)
    mids: dict[str, list[tuple[float, Decimal]]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    @property
    def symbols(self) -> list[str]:
        return sorted(set(self.trades) | set(self.mids))

    @property
    def start(self) -> float:
        return min(series[0][0] for series in self._all() if series)

    @property
    def end(self) -> float:
        return max(series[-1][0] for series in self._all() if series)

    def _all(self) -> Iterator[list[tuple[float, Decimal]] | list[RecordedTrade]]:
        yield from self.trades.values()
        yield from self.mids.values()

    def first_price(self, symbol: str) -> Decimal | None:
        series = self.mids.get(symbol)
        return series[0][1] if series else None


@dataclass
class _Raw:
    trades: dict[str, list[RecordedTrade]] = field(default_factory=dict)
    books: dict[str, dict[float, dict[str, Decimal]]] = field(default_factory=dict)
    tickers: dict[str, list[tuple[float, Decimal]]] = field(default_factory=dict)
    candles: dict[str, list[tuple[float, Decimal]]] = field(default_factory=dict)


def read_recording(path: str) -> Recording:
    """Every recorded file at ``path`` (a file, or a directory of ``*.csv``,
    ``*.parquet`` and ``*.sqlite``/``*.db`` files); :class:`RecordingError` for anything
    unreadable."""
    if path.startswith(_POSTGRES):
        from plugins.exchanges.sim._recording_postgres import read_postgres, without_password

        raw = _Raw()
        read_postgres(path, raw)
        recording = _assemble(raw)
        recording.files = [without_password(path)]
        if not recording.symbols:
            raise RecordingError(f"{recording.files[0]}: the recorded tables hold no rows")
        return recording
    if os.path.isdir(path):
        files = sorted(os.path.join(path, name) for name in os.listdir(path)
                       if name.endswith((".csv", ".parquet", ".sqlite", ".db")))
        if not files:
            raise RecordingError(
                f"{path}: no recorded data (*.csv, *.parquet, *.sqlite, *.db) in it")
    elif os.path.exists(path):
        files = [path]
    else:
        raise RecordingError(f"{path}: no such file or directory")
    raw = _Raw()
    for name in files:
        if name.endswith(".csv"):
            _read_csv(name, raw)
        elif name.endswith(".parquet"):
            from plugins.exchanges.sim._recording_parquet import read_parquet

            read_parquet(name, _kind, lambda n, k, c, r: _rows(n, k, c, r, raw),
                         RecordingError)
        elif name.endswith((".sqlite", ".db")):
            _read_sqlite(name, raw)
        else:
            raise RecordingError(
                f"{name}: not recorded data (a .csv, .parquet, .sqlite or .db file)")
    recording = _assemble(raw)
    recording.files = files
    if not recording.symbols:
        raise RecordingError(f"{path}: the recorded data holds no rows")
    return recording


def _read_csv(name: str, raw: _Raw) -> None:
    try:
        with open(name, newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise RecordingError(f"{name}: empty file (a header row is needed)")
            columns = [c.strip() for c in header]
            kind = _kind(name, columns)
            _rows(name, kind, columns, ((reader.line_num, row) for row in reader), raw)
    except OSError as error:
        raise RecordingError(f"{name}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise RecordingError(f"{name}: not UTF-8 text") from None


def _kind(name: str, columns: list[str]) -> str:
    present = set(columns)
    for kind, (required, optional) in _KINDS.items():
        if required <= present:
            unknown = present - required - optional - _OPTIONAL
            if unknown:
                raise RecordingError(
                    f"{name}:1: unknown column(s) {', '.join(sorted(unknown))} for "
                    f"{kind} (columns: {', '.join(sorted(required | optional))})")
            return kind
    raise RecordingError(
        f"{name}:1: the header {','.join(columns)} is none of the recorded kinds: "
        + "; ".join(f"{kind}: {','.join(sorted(req))}" for kind, (req, _) in _KINDS.items()))


def _read_sqlite(name: str, raw: _Raw) -> None:
    try:
        connection = sqlite3.connect(f"file:{name}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise RecordingError(f"{name}: {error}") from None
    try:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        found = False
        for table in tables:
            kind = next((k for k in _KINDS if table.endswith(k)), None)
            if kind is None:
                continue
            found = True
            cursor = connection.execute(f'SELECT * FROM "{table}" ORDER BY timestamp')
            columns = [d[0] for d in cursor.description]
            wanted = _KINDS[kind][0] | _KINDS[kind][1]
            index = [i for i, c in enumerate(columns) if c in wanted]
            kept = [columns[i] for i in index]
            rows = (((number + 1), ["" if row[i] is None else str(row[i]) for i in index])
                    for number, row in enumerate(cursor))
            _rows(f"{name}:{table}", kind, kept, rows, raw)
        if not found:
            raise RecordingError(f"{name}: no recorded table (trades, order_book_levels, "
                                 "tickers or candles) in it")
    except sqlite3.Error as error:
        raise RecordingError(f"{name}: {error}") from None
    finally:
        connection.close()


class _Row:
    """One row being read, for messages that name the file, line and column."""

    __slots__ = ("line", "name", "row", "where")

    def __init__(self, name: str, line: int, row: list[str], where: dict[str, int]) -> None:
        self.name, self.line, self.row, self.where = name, line, row, where

    def error(self, column: str, text: str, problem: str) -> RecordingError:
        return RecordingError(f"{self.name}:{self.line}: {column}: {text[:40]!r} {problem}")

    def cell(self, column: str) -> str:
        return self.row[self.where[column]].strip()

    def number(self, column: str, *, optional: bool = False) -> Decimal | None:
        text = self.cell(column)
        if not text and optional:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise self.error(column, text, "is not a decimal number") from None
        if not value.is_finite() or value < 0 or (value == 0 and column != "volume"):
            raise self.error(column, text, "must be a positive number")
        return value

    def required(self, column: str) -> Decimal:
        value = self.number(column)
        assert value is not None
        return value

    def choice(self, column: str, allowed: tuple[str, str]) -> str:
        text = self.cell(column)
        if text not in allowed:
            raise self.error(column, text, f"is not {allowed[0]} or {allowed[1]}")
        return text


_POSTGRES = ("postgresql://", "postgres://", "postgresql+asyncpg://")


def _rows(name: str, kind: str, columns: list[str], rows: Iterable[tuple[int, list[str]]],
          raw: _Raw) -> None:
    where = {column: i for i, column in enumerate(columns)}
    width = len(columns)
    if kind == "trades":
        rows = _common_trades(where, width, rows, raw)
    for line, values in rows:
        if not values or (len(values) == 1 and not values[0].strip()):
            continue
        if len(values) != width:
            raise RecordingError(f"{name}:{line}: {len(values)} values, the header has {width}")
        row = _Row(name, line, values, where)
        t = _time(name, line, row.cell("timestamp"))
        symbol = row.cell("symbol")
        if "/" not in symbol:
            raise row.error("symbol", symbol, "is not BASE/QUOTE")
        if kind == "trades":
            side = row.choice("side", ("buy", "sell"))
            raw.trades.setdefault(symbol, []).append(
                (t, Side(side), row.required("price"), row.required("amount")))
        elif kind == "order_book_levels":
            side = row.choice("side", ("bid", "ask"))
            price = row.required("price")
            row.required("amount")
            if row.cell("level") == "0":
                raw.books.setdefault(symbol, {}).setdefault(t, {})[side] = price
        elif kind == "tickers":
            bid, ask = row.number("bid", optional=True), row.number("ask", optional=True)
            last = row.number("last", optional=True)
            mid = money.mid(bid, ask) if bid is not None and ask is not None else last
            if mid is not None:
                raw.tickers.setdefault(symbol, []).append((t, mid))
        else:
            opened, closed = row.required("open"), row.required("close")
            for column in ("high", "low", "volume"):
                row.required(column)
            frame = row.cell("timeframe") if "timeframe" in where else "1m"
            seconds = _timeframe(name, line, frame)
            series = raw.candles.setdefault(symbol, [])
            series.append((t, opened))
            series.append((t + seconds - 1e-6, closed))


_TAKERS = {"buy": Side.BUY, "sell": Side.SELL}


def _common_trades(where: dict[str, int], width: int, rows: Iterable[tuple[int, list[str]]],
                   raw: _Raw) -> Iterator[tuple[int, list[str]]]:
    """Trades rows in their common form (seconds since the epoch, a side written ``buy`` or
    ``sell``, finite positive numbers) read straight into ``raw``, with no per-row object;
    every other row is passed on, in order, to the careful reading of :func:`_rows`, which
    reads it the same way or names what is wrong with it."""
    at_time, at_symbol, at_side, at_price, at_amount = (
        where[c] for c in ("timestamp", "symbol", "side", "price", "amount"))
    trades = raw.trades
    for line, values in rows:
        if len(values) == width:
            stamp, symbol = values[at_time].strip(), values[at_symbol].strip()
            taker = _TAKERS.get(values[at_side].strip())
            if taker is not None and stamp[:1].isdigit() and "-" not in stamp \
                    and "/" in symbol:
                try:
                    t = float(Decimal(stamp))
                    price, amount = Decimal(values[at_price]), Decimal(values[at_amount])
                except InvalidOperation:
                    pass
                else:
                    if price.is_finite() and amount.is_finite() and price > 0 and amount > 0:
                        trades.setdefault(symbol, []).append((t, taker, price, amount))
                        continue
        yield line, values


def _time(name: str, line: int, text: str) -> float:
    try:
        return float(Decimal(text)) if text and text[0].isdigit() and "-" not in text \
            else _iso(text)
    except (ValueError, InvalidOperation):
        raise RecordingError(f"{name}:{line}: timestamp: {text[:40]!r} is neither ISO 8601 "
                             "nor seconds since the epoch") from None


def _iso(text: str) -> float:
    moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _timeframe(name: str, line: int, text: str) -> int:
    unit = _TIMEFRAMES.get(text[-1:]) if text else None
    if unit is None or not text[:-1].isdigit() or int(text[:-1]) == 0:
        raise RecordingError(f"{name}:{line}: timeframe: {text[:40]!r} is not like 1m, 1h")
    return int(text[:-1]) * unit


def _assemble(raw: _Raw) -> Recording:
    recording = Recording()
    for symbol, trades in raw.trades.items():
        recording.trades[symbol] = sorted(trades, key=lambda trade: trade[0])
    symbols = set(raw.trades) | set(raw.books) | set(raw.tickers) | set(raw.candles)
    for symbol in symbols:
        book = raw.books.get(symbol)
        mids: list[tuple[float, Decimal]]
        if book:
            mids = [(t, money.mid(sides["bid"], sides["ask"])) for t, sides in book.items()
                    if "bid" in sides and "ask" in sides]
        elif symbol in raw.tickers:
            mids = raw.tickers[symbol]
        elif symbol in raw.candles:
            mids = raw.candles[symbol]
        else:
            mids = [(t, price) for t, _, price, _ in recording.trades.get(symbol, [])]
        if mids:
            recording.mids[symbol] = sorted(mids, key=lambda point: point[0])
    return recording
