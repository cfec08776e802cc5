"""Order books, depth walking, tickers, trades, candles and balances."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from schemas import Balance, Balances, Candle, OrderBook, OrderBookLevel, Side, Ticker, Trade

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def book(
    bids: Any = (("99", "1"), ("98", "2")), asks: Any = (("101", "1"), ("102", "3"))
) -> OrderBook:
    return OrderBook.model_validate(
        {"symbol": "BTC/USDT", "bids": list(bids), "asks": list(asks), "timestamp": NOW}
    )


def test_level_parses_from_a_pair() -> None:
    level = OrderBookLevel.model_validate(["1.5", "2"])
    assert (level.price, level.amount) == (Decimal("1.5"), Decimal(2))


def test_level_refuses_a_float_pair() -> None:
    with pytest.raises(ValidationError, match="float"):
        OrderBookLevel.model_validate([1.5, 2])


def test_level_refuses_zero_amount() -> None:
    with pytest.raises(ValidationError):
        OrderBookLevel.model_validate(["1", "0"])


def test_bids_must_descend() -> None:
    with pytest.raises(ValidationError, match="bids must be sorted by strictly descending "
                       "price: 98 is followed by 99"):
        book(bids=[("98", "1"), ("99", "1")])


def test_asks_must_ascend() -> None:
    with pytest.raises(ValidationError, match="asks must be sorted by strictly ascending "
                       "price: 102 is followed by 101"):
        book(asks=[("102", "1"), ("101", "1")])


def test_duplicate_price_levels_are_refused() -> None:
    with pytest.raises(ValidationError, match="bids must be sorted by strictly"):
        book(bids=[("99", "1"), ("99", "1")])
    with pytest.raises(ValidationError, match="asks must be sorted by strictly"):
        book(asks=[("101", "1"), ("101", "1")])


def test_best_levels_mid_and_spread() -> None:
    b = book()
    assert b.best_bid is not None
    assert b.best_ask is not None
    assert (b.best_bid.price, b.best_ask.price) == (Decimal(99), Decimal(101))
    assert b.mid == Decimal(100)
    assert b.spread == Decimal(2)
    assert b.relative_spread == Decimal("0.02")


def test_empty_side_has_no_mid_or_spread() -> None:
    b = book(asks=[])
    assert b.best_ask is None
    assert b.mid is None
    assert b.spread is None


def test_crossed_book_is_accepted_and_flagged() -> None:
    b = book(bids=[("102", "1")], asks=[("101", "1")])
    assert b.crossed
    assert not book().crossed


def test_buy_walks_the_asks() -> None:
    assert book().average_fill_price(Side.BUY, Decimal(2)) == Decimal("101.5")


def test_sell_walks_the_bids_to_a_34_digit_average_rounded_half_even() -> None:
    # 295 / 3 = 98.333...: the money module's ratio, not the thread's decimal context
    assert book().average_fill_price(Side.SELL, Decimal(3)) == Decimal(
        "98.33333333333333333333333333333333"
    )


def test_fill_within_the_first_level_is_at_its_price() -> None:
    assert book().average_fill_price(Side.BUY, Decimal("0.5")) == Decimal(101)


def test_too_thin_book_gives_none() -> None:
    assert book().average_fill_price(Side.BUY, Decimal(5)) is None
    assert book().cost(Side.BUY, Decimal(5)) is None


def test_cost_of_taking() -> None:
    assert book().cost(Side.BUY, Decimal(2)) == Decimal(203)


def test_depth_walk_refuses_a_non_positive_amount() -> None:
    with pytest.raises(ValueError, match="positive"):
        book().cost(Side.BUY, Decimal(0))


def test_walk_yields_the_pieces_best_first() -> None:
    assert list(book().walk(Side.BUY, Decimal(2))) == [
        (Decimal(101), Decimal(1)),
        (Decimal(102), Decimal(1)),
    ]


def test_available_up_to_a_limit_price() -> None:
    assert book().available(Side.BUY, Decimal(101)) == Decimal(1)
    assert book().available(Side.SELL) == Decimal(3)


def test_depth_within_a_fraction_of_mid() -> None:
    b = book()
    assert b.depth("bids", Decimal("0.01")) == Decimal(1)
    assert b.depth("asks", Decimal("0.02")) == Decimal(4)
    assert b.depth("bids", Decimal("0.02"), quote=True) == Decimal(99 + 196)


def test_ticker_mid() -> None:
    ticker = Ticker.model_validate(
        {"symbol": "BTC/USDT", "bid": "99", "ask": "101", "last": "100", "timestamp": NOW}
    )
    assert ticker.mid == Decimal(100)
    assert ticker.spread == Decimal(2)


def test_ticker_without_a_side_has_no_mid() -> None:
    ticker = Ticker.model_validate({"symbol": "BTC/USDT", "bid": "99", "timestamp": NOW})
    assert ticker.mid is None


def test_trade_cost() -> None:
    trade = Trade.model_validate(
        {"id": "1", "symbol": "A/B", "side": "sell", "price": "2", "amount": "3", "timestamp": NOW}
    )
    assert trade.cost == Decimal(6)


def test_candle_refuses_high_below_close() -> None:
    with pytest.raises(ValidationError, match="low <= open"):
        Candle.model_validate(
            {"timestamp": NOW, "open": "1", "high": "2", "low": "1", "close": "3"}
        )


def test_balance_total_defaults_to_free_plus_used() -> None:
    assert Balance(currency="BTC", free=Decimal(1), used=Decimal(2)).total == Decimal(3)


def test_balance_keeps_a_reported_total() -> None:
    balance = Balance.model_validate({"currency": "BTC", "free": "1", "used": "0", "total": "5"})
    assert balance.total == Decimal(5)


def test_balance_refuses_negative_free() -> None:
    with pytest.raises(ValidationError):
        Balance.model_validate({"currency": "BTC", "free": "-1"})


def test_balances_read_missing_currencies_as_zero() -> None:
    balances = Balances.of([Balance.model_validate({"currency": "BTC", "free": "1"})])
    assert balances.free("BTC") == Decimal(1)
    assert balances.free("ETH") == 0
    assert balances.total("ETH") == 0
    assert "BTC" in balances
    assert "ETH" not in balances
    assert balances.currencies() == ["BTC"]


def test_balances_index_raises_for_a_missing_currency() -> None:
    with pytest.raises(KeyError):
        Balances.of([])["ETH"]


def test_balances_keys_must_match_currencies() -> None:
    with pytest.raises(ValidationError, match="filed under"):
        Balances.model_validate({"balances": {"ETH": {"currency": "BTC", "free": "1"}}})
