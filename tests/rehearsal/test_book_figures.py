"""The summary's figures of one quoted market, from fills and balances, exactly."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from plugins.rehearsal._book import Book
from schemas import Fill, Market, Side

D = Decimal
T = datetime(2026, 1, 1, tzinfo=UTC)


def _fill(n: int, symbol: str, side: Side, price: str, amount: str, fee: str) -> Fill:
    return Fill(id=str(n), order_id=str(n), symbol=symbol, side=side, price=D(price),
                amount=D(amount), fee=D(fee), fee_currency=symbol.split("/")[1], timestamp=T)


def _book(symbol: str, base: str, quote: str) -> Book:
    book = Book(venue="sim", market=Market(symbol=symbol, price_increment=D("0.01"),
                                           amount_increment=D("0.001")))
    book.base_start, book.quote_start = D(base), D(quote)
    return book


def test_pnl_is_the_value_change_at_the_mark_and_splits_exactly() -> None:
    book = _book("BTC/USDT", "1", "1000")
    book.add_fill(_fill(1, "BTC/USDT", Side.BUY, "100", "2", "0.2"))
    book.add_fill(_fill(2, "BTC/USDT", Side.SELL, "103", "1", "0.103"))
    book.base_end, book.quote_end, book.mark = D("2"), D("902.697"), D("101")
    figures = book.figures()
    assert figures["reconciliation"]["ok"]
    assert figures["pnl"]["total"] == D("3.697")  # -97.303 + 1 * 101
    assert figures["pnl"]["fees"] == D("0.303")
    assert figures["pnl"]["realised"] == D("2.697")  # 1 * (103 - 100) - 0.303
    assert figures["pnl"]["unrealised"] == D("1.000")


def test_a_balance_moved_by_something_else_is_not_reconciled() -> None:
    book = _book("BTC/USDT", "1", "1000")
    book.add_fill(_fill(1, "BTC/USDT", Side.BUY, "100", "1", "0"))
    book.base_end, book.quote_end, book.mark = D("2"), D("1000"), D("100")  # a deposit
    check = book.figures()["reconciliation"]
    assert not check["ok"]
    assert check["problems"] == ["USDT changed by 0, fills say -100"]


def test_books_sharing_a_venue_reconcile_together() -> None:
    btc, eth = _book("BTC/USDT", "1", "1000"), _book("ETH/USDT", "10", "1000")
    btc.add_fill(_fill(1, "BTC/USDT", Side.BUY, "100", "1", "0"))
    eth.add_fill(_fill(2, "ETH/USDT", Side.SELL, "10", "2", "0"))
    for book in (btc, eth):
        book.quote_end = D("920")  # -100 + 20, on the one USDT balance
    btc.base_end, eth.base_end = D("2"), D("8")
    btc.mark, eth.mark = D("100"), D("10")
    assert btc.figures([eth])["reconciliation"]["ok"]
    assert eth.figures([btc])["reconciliation"]["ok"]
    assert btc.figures([eth])["pnl"]["total"] == D("0")
    assert not btc.figures()["reconciliation"]["ok"]  # alone, ETH's fills are missing


def test_inventory_extremes_come_from_every_fill() -> None:
    book = _book("BTC/USDT", "1", "1000")
    book.add_fill(_fill(1, "BTC/USDT", Side.BUY, "100", "3", "0"))
    book.add_fill(_fill(2, "BTC/USDT", Side.SELL, "100", "3.5", "0"))
    book.base_end, book.quote_end, book.mark = D("0.5"), D("1050"), D("100")
    book.sample(0.0, D("100"), [])  # one sample, after both fills
    inventory = book.figures()["inventory"]
    assert inventory["min"] == D("0.5")
    assert inventory["max"] == D("4")  # reached between the samples, after the buy
