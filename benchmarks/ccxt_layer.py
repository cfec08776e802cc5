"""Overhead of the exact-number layer over plain ccxt parsing, in one run.

Plain: ccxt as shipped (``number = float``) parsing a binance order book of 1,000 levels
per side and 1,000 binance trades (``parse_order_book``, ``parse_trades``): what a float
pipeline would pay. Exact: the same payloads through the exact layer (``number = str``,
string book levels) and on to ``schemas`` models with ``Decimal`` in every field, through
the guards the component uses (``guard.one`` for the book, ``guard.each`` for the trades).

The book is measured twice. First every level is new to the layer (what a first read
pays, and what this script measured before the component kept a memo of the last book).
Then as the component reads a market again: with the market's
:class:`~plugins.exchanges.ccxt.book.LevelMemo`, reading two books in turn that differ in
the amounts of their best 100 levels a side (a tenth of the book changed since the last
read; the other levels are reused by their texts). "both" sums the first book row and
the trades, as before. "of which levels alone" is the part of a first read no parsing
can save: its 2,000 levels built through :func:`schemas.trusted` from Decimals already
parsed (the one public way to build a contract model without validating it again).

Usage: ``.venv/bin/python benchmarks/ccxt_layer.py [repetitions]``. Prints the time per
parse of each and the ratio exact / plain (target: at most 2x).
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from plugins.exchanges.ccxt import book as books
from plugins.exchanges.ccxt import convert, guard
from plugins.exchanges.ccxt.exact import exact_class

LEVELS = 1000
TRADES = 1000


class _Silent:
    """A logger that writes nothing (no record is dropped here anyway)."""

    def bind(self, **fields: Any) -> _Silent:
        return self

    def debug(self, event: str, *args: Any, **fields: Any) -> None: ...

    def info(self, event: str, *args: Any, **fields: Any) -> None: ...

    def warning(self, event: str, *args: Any, **fields: Any) -> None: ...

    def error(self, event: str, *args: Any, **fields: Any) -> None: ...

    def critical(self, event: str, *args: Any, **fields: Any) -> None: ...

    def exception(self, event: str, *args: Any, **fields: Any) -> None: ...


SILENT = _Silent()


def book_payload() -> dict[str, Any]:
    bids = [[f"{Decimal('30000.00') - i * Decimal('0.01'):.8f}", f"{Decimal('0.12345') + i:.8f}"]
            for i in range(LEVELS)]
    asks = [[f"{Decimal('30000.01') + i * Decimal('0.01'):.8f}", f"{Decimal('0.5') + i:.8f}"]
            for i in range(LEVELS)]
    return {"lastUpdateId": 1027024, "bids": bids, "asks": asks}


def changed_payload(book: dict[str, Any], changed: int = LEVELS // 10) -> dict[str, Any]:
    """``book`` with the amounts of its best ``changed`` levels a side changed."""
    def side(levels: list[list[str]]) -> list[list[str]]:
        return [[price, f"{Decimal(amount) + Decimal('0.001'):.8f}"] if i < changed
                else [price, amount] for i, (price, amount) in enumerate(levels)]

    return {**book, "bids": side(book["bids"]), "asks": side(book["asks"])}


def trades_payload() -> list[dict[str, Any]]:
    return [{"a": 26129 + i, "p": f"{Decimal('30000.10') + i * Decimal('0.01'):.8f}",
             "q": f"{Decimal('0.001') + i * Decimal('0.00001'):.8f}", "f": 27781 + i,
             "l": 27781 + i, "T": 1700000000000 + i, "m": i % 2 == 0, "M": True}
            for i in range(TRADES)]


def market(client: Any) -> Any:
    from tests.ccxt.conftest import new_ledger
    from tests.ccxt.standins.binance import BinanceStandIn

    client.options["crossMarginPairsData"] = []
    client.options["isolatedMarginPairsData"] = []
    info = BinanceStandIn(new_ledger()).exchange_info()["symbols"][0]
    parsed = client.parse_market(info)
    client.set_markets([parsed])
    return client.market("BTC/USDT")


def timed(plain: Callable[[], Any], exact: Callable[[], Any],
          repetitions: int) -> tuple[float, float]:
    """Median time of each, measured alternately so machine load hits both alike, with the
    cyclic garbage collector paused during each sample as :mod:`timeit` does (a collection
    of the whole heap landing in one sample says nothing about the parse)."""
    plain(), exact()  # warm up
    plain_samples: list[float] = []
    exact_samples: list[float] = []
    for _ in range(repetitions):
        for work, samples in ((plain, plain_samples), (exact, exact_samples)):
            gc.collect()
            gc.disable()
            try:
                start = time.perf_counter()
                work()
                samples.append(time.perf_counter() - start)
            finally:
                gc.enable()
    return statistics.median(plain_samples), statistics.median(exact_samples)


async def main(repetitions: int) -> None:
    import ccxt.async_support as ccxt_async

    plain = ccxt_async.binance()
    exact = exact_class("binance")()
    exact.number = str
    plain_market, exact_market = market(plain), market(exact)
    book, trades = book_payload(), trades_payload()
    now = datetime.now(UTC)

    def plain_book() -> Any:
        return plain.parse_order_book(book, "BTC/USDT")

    def exact_book() -> Any:
        raw = exact.parse_order_book(book, "BTC/USDT")
        return guard.one("order book", "binance",
                         lambda: books.order_book(raw, "BTC/USDT", now))

    memo = books.LevelMemo()
    turns = [book, changed_payload(book)]

    def plain_book_again() -> Any:
        turns.reverse()
        return plain.parse_order_book(turns[0], "BTC/USDT")

    def exact_book_again() -> Any:
        turns.reverse()
        raw = exact.parse_order_book(turns[0], "BTC/USDT")
        return guard.one("order book", "binance",
                         lambda: books.order_book(raw, "BTC/USDT", now, memo))

    parsed = [(Decimal(price), Decimal(amount)) for price, amount in book["bids"] + book["asks"]]

    def levels_alone() -> Any:
        return books.levels(parsed)

    def plain_trades() -> Any:
        return plain.parse_trades(trades, plain_market)

    def exact_trades() -> Any:
        return guard.each("trade", exact.parse_trades(trades, exact_market),
                          lambda t: convert.trade(t, now), venue="binance", log=SILENT)

    results = {}
    cases = (("order book, 1,000 levels a side", plain_book, exact_book),
             ("  of which levels alone", plain_book, levels_alone),
             ("same, read again, 10% changed", plain_book_again, exact_book_again),
             ("1,000 trades", plain_trades, exact_trades))
    for name, plain_work, exact_work in cases:
        plain_time, exact_time = timed(plain_work, exact_work, repetitions)
        results[name] = (plain_time, exact_time)
        print(f"{name:34} plain ccxt {plain_time * 1e3:8.2f} ms   exact layer "
              f"{exact_time * 1e3:8.2f} ms   ratio {exact_time / plain_time:5.2f}x")
    both = [results["order book, 1,000 levels a side"], results["1,000 trades"]]
    total_plain = sum(p for p, _ in both)
    total_exact = sum(e for _, e in both)
    print(f"{'both':34} plain ccxt {total_plain * 1e3:8.2f} ms   exact layer "
          f"{total_exact * 1e3:8.2f} ms   ratio {total_exact / total_plain:5.2f}x "
          "(target <= 2x)")
    sample = books.order_book(exact.parse_order_book(book, "BTC/USDT"), "BTC/USDT", now)
    assert isinstance(sample.bids[0].price, Decimal)
    await plain.close()
    await exact.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 30))
