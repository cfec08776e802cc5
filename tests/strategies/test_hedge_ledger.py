"""The hedge ledger: maker fills in, hedges out, partial and failed hedges, the halt."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from plugins.market_making._hedge import HedgeLedger, HedgeState
from schemas import Order, OrderStatus, Side

D = Decimal


def order(side: str, filled: str, status: OrderStatus = OrderStatus.OPEN) -> Order:
    return Order(id="m1", symbol="BTC/USDT", side=side, price=D(100), amount=D("0.1"),
                 filled=D(filled), status=status, timestamp=datetime(2026, 1, 1, tzinfo=UTC))


def ledger(attempts: int = 3) -> HedgeLedger:
    return HedgeLedger(increment=D("0.001"), attempts=attempts)


def test_a_maker_buy_fill_asks_for_a_sell_hedge_of_the_same_size() -> None:
    book = ledger()
    assert book.maker_order(order("buy", "0.04")) == D("0.04")
    assert book.hedge_needed() == (Side.SELL, D("0.04"))


def test_only_the_new_part_of_a_fill_counts() -> None:
    book = ledger()
    book.maker_order(order("sell", "0.03"))
    assert book.maker_order(order("sell", "0.05")) == D("-0.02")
    assert book.maker_order(order("sell", "0.05")) == 0
    assert book.exposure == D("-0.05")


def test_a_fill_seen_after_the_cancel_is_hedged_too() -> None:
    book = ledger()
    book.maker_order(order("buy", "0.02"))
    book.hedge_result(Side.SELL, D("0.02"))
    book.maker_order(order("buy", "0.07", OrderStatus.CANCELED))
    assert book.hedge_needed() == (Side.SELL, D("0.05"))


def test_a_partial_hedge_is_a_failed_attempt_and_the_rest_is_asked_again() -> None:
    book = ledger()
    book.maker_order(order("buy", "0.1"))
    book.hedge_result(Side.SELL, D("0.06"))
    assert (book.failures, book.hedge_needed()) == (1, (Side.SELL, D("0.04")))
    book.hedge_result(Side.SELL, D("0.04"))
    assert (book.failures, book.state) == (0, HedgeState.FLAT)


def test_failed_attempts_in_a_row_halt_with_the_exact_exposure() -> None:
    book = ledger(attempts=2)
    book.maker_order(order("buy", "0.1"))
    book.hedge_result(Side.SELL, D("0.03"), "InsufficientFunds: no BTC")
    book.hedge_result(Side.SELL, D(0), "InsufficientFunds: no BTC")
    assert book.state is HedgeState.HALTED
    assert book.exposure == D("0.07")
    assert book.hedge_needed() is None
    assert book.halted_because == (
        "2 hedge attempts in a row left 0.07 base unhedged; last: InsufficientFunds: no BTC")


def test_exposure_below_the_increment_counts_flat() -> None:
    book = ledger()
    book.maker_order(order("buy", "0.0004"))
    assert book.state is HedgeState.FLAT
    assert book.hedge_needed() is None
