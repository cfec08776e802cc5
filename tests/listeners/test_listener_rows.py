"""What each listener stores: one row per observation, every amount exact (SQLite file)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from fortuna import start
from schemas import OrderRequest, Side
from tests.listeners.support import SYMBOL, listener, mandate, sim, spec_of, venue


def with_db(path: Path, components: dict[str, Any]) -> dict[str, Any]:
    spec = mandate({"db": {"id": "sinks.sqlite", "args": {
        "path": str(path), "flush_interval": "1s"}}, **components})
    spec["components"]["sim"] = sim(balances={"USDT": "1000", "BTC": "1"})
    return spec


def rows(path: Path, table: str, columns: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute(
            f"SELECT {columns} FROM fortuna_{table} ORDER BY timestamp").fetchall()


def stored(args: dict[str, Any]) -> dict[str, Any]:
    return {**args, "sinks": ["@db"], "mandate": "m1"}


async def test_order_book_rows_are_each_level_of_each_sample_exactly(tmp_path: Path) -> None:
    db = tmp_path / "m.sqlite"
    async with start(with_db(db, {"b": spec_of("order_book", **stored({"depth": 2}))})) as g:
        book = listener(g, "b").reading().value  # the one sample: loaded, then unloaded
    found = rows(db, "order_book_levels", "side, level, price, amount, venue, symbol, mandate")
    assert sorted((s, lv, Decimal(p), Decimal(a)) for s, lv, p, a, *_ in found) == [
        ("ask", 0, book.asks[0].price, book.asks[0].amount),
        ("ask", 1, book.asks[1].price, book.asks[1].amount),
        ("bid", 0, book.bids[0].price, book.bids[0].amount),
        ("bid", 1, book.bids[1].price, book.bids[1].amount),
    ]
    assert {r[4:] for r in found} == {("sim", SYMBOL, "m1")}


async def test_each_fetched_ticker_is_one_row_exactly(tmp_path: Path) -> None:
    db = tmp_path / "m.sqlite"
    async with start(with_db(db, {"t": spec_of("ticker", **stored({}))})) as graph:
        await graph.clock.sleep(21)  # fetches at 0, 5, 10, 15 and 20 s
        last = listener(graph, "t").reading().value
    found = rows(db, "tickers", "bid, ask, last, volume, quote_volume")
    assert len(found) == 5
    assert tuple(Decimal(v) for v in found[-1]) == (
        last.bid, last.ask, last.last, last.volume, last.quote_volume)


async def test_balance_rows_are_the_venues_balances_exactly(tmp_path: Path) -> None:
    db = tmp_path / "m.sqlite"
    async with start(with_db(db, {"bal": spec_of("balances", **stored(
            {"currencies": ["BTC", "USDT"]}))})) as graph:
        balances = await venue(graph).fetch_balances()
    assert [(c, Decimal(f), Decimal(u), Decimal(t)) for c, f, u, t in
            rows(db, "balances", "currency, free, used, total")] == [
        ("BTC", balances.free("BTC"), balances.used("BTC"), Decimal(1)),
        ("USDT", balances.free("USDT"), balances.used("USDT"), Decimal(1000)),
    ]


async def test_only_closed_candles_are_stored_and_each_once(tmp_path: Path) -> None:
    db = tmp_path / "m.sqlite"
    async with start(with_db(db, {"c": spec_of("ohlcv", **stored(
            {"candles": 3, "interval": "20s"}))})) as graph:
        started = graph.clock.now()
        await graph.clock.sleep(250)  # fetches every 20 s; candles up to 3 min have closed
        # The first fetch (at load) reported the three candles up to the one opening then.
        candles = await venue(graph).fetch_ohlcv(
            SYMBOL, "1m", since=started - timedelta(minutes=2))
    found = rows(db, "candles", "timestamp, open, high, low, close, volume, timeframe")
    closed = [c for c in candles if c.timestamp < started + timedelta(minutes=4)]
    assert len(closed) == 6
    assert [tuple(Decimal(v) for v in r[1:6]) for r in found] == [
        (c.open, c.high, c.low, c.close, c.volume) for c in closed]
    assert {r[6] for r in found} == {"1m"}


async def test_open_order_rows_are_one_per_order_per_sample(tmp_path: Path) -> None:
    db = tmp_path / "m.sqlite"
    async with start(with_db(db, {"o": spec_of("open_orders", **stored({}))})) as graph:
        placed = await venue(graph).create_order(OrderRequest(
            symbol=SYMBOL, side=Side.BUY, amount=Decimal("0.0125"), price=Decimal("50.25")))
        await graph.clock.sleep(11)  # samples at 5 s and 10 s
    found = rows(db, "open_orders", "order_id, price, amount, remaining, status, side")
    assert [(i, Decimal(p), Decimal(a), Decimal(r), s, d) for i, p, a, r, s, d in found] == [
        (placed.id, Decimal("50.25"), Decimal("0.0125"), Decimal("0.0125"), "open", "buy")] * 2


async def test_a_trade_no_column_holds_exactly_is_skipped_and_the_others_stored(
    tmp_path: Path,
) -> None:
    db = tmp_path / "m.sqlite"
    spec = with_db(db, {"tr": spec_of("trades", **stored({"lag": "0s"}))})
    # amounts to 19 decimal places: one more than NUMERIC(38, 18) holds
    spec["components"]["sim"] = sim(markets=[{
        "symbol": SYMBOL, "price": "100.00", "amount_increment": "0.0000000000000000001",
        "trade_amount": "0.1234567890123456789"}])
    async with start(spec) as graph:
        await graph.clock.sleep(61)
        feed = listener(graph, "tr")
        taken = feed.reading().value
        assert feed.fetches == 13  # the loop never stopped on them
    fits = [t for t in taken if t.amount == t.amount.quantize(Decimal("1e-18"))]
    assert 0 < len(fits) < len(taken)
    assert feed.unstorable == len(taken) - len(fits)
    assert sorted(r[0] for r in rows(db, "trades", "trade_id")) == sorted(t.id for t in fits)
