"""The order book a ccxt venue answers, as the contract's exact book (plugins.exchanges.ccxt.book).

A side of plain texts is read at once; a side with anything else is read level by level:
both must give the same levels."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from plugins.exchanges.ccxt.book import order_book
from schemas import OrderBook

D = Decimal
NOW = datetime(2026, 1, 1, tzinfo=UTC)
GOOD_BIDS = [["30000.10", "1.5"], ["29999.9", "0.00000001"], ["29999", "2"]]


def book(bids: Any = (), asks: Any = ()) -> OrderBook:
    return order_book({"bids": list(bids), "asks": list(asks)}, "BTC/USDT", NOW)


def pairs(levels: Any) -> list[tuple[Decimal, Decimal]]:
    return [(level.price, level.amount) for level in levels]


def test_plain_texts_keep_every_digit_and_the_venues_order() -> None:
    assert pairs(book(bids=GOOD_BIDS).bids) == [
        (D("30000.10"), D("1.5")), (D("29999.9"), D("0.00000001")), (D("29999"), D("2"))]


def test_a_side_out_of_order_is_sorted_on_the_decimal_price() -> None:
    result = book(bids=[["9", "1"], ["10", "1"], ["9.5", "1"]],
                  asks=[["100", "1"], ["9.5", "1"], ["10.5", "1"]])
    assert [level.price for level in result.bids] == [D("10"), D("9.5"), D("9")]
    assert [level.price for level in result.asks] == [D("9.5"), D("10.5"), D("100")]


def test_a_repeated_price_keeps_its_first_level() -> None:
    result = book(asks=[["10", "1"], ["11", "1"], ["10", "2"], ["10.0", "3"]])
    assert pairs(result.asks) == [(D("10"), D("1")), (D("11"), D("1"))]


@pytest.mark.parametrize("odd", [
    ["1e-3", "1"], ["0.001", "1E0"], [D("0.001"), "1"], ["0.001", 1], ["0.001", "1", "7"],
    [0.001, "1"], ["1." + "0" * 120, "1"],
], ids=["exponent", "exponent in amount", "Decimal", "int", "extra field", "float",
        "long text"])
def test_one_level_of_another_form_changes_nothing_about_the_others(odd: Any) -> None:
    result = book(bids=[*GOOD_BIDS, odd])
    assert pairs(result.bids)[:3] == pairs(book(bids=GOOD_BIDS).bids)
    assert pairs(result.bids)[3:] == [(D(str(odd[0])), D(1))]


@pytest.mark.parametrize("bad", [
    ["NaN", "1"], ["sNaN", "1"], ["Infinity", "1"], ["-Infinity", "1"], ["1", "inf"],
    ["0", "1"], ["1", "0"], ["-1", "1"], ["x", "1"], ["", "1"], [], ["1"], None,
    {"price": "1"}, ["1", None], ["9" * 150, "1"], ["1", "1e500"],
], ids=repr)
def test_a_level_that_is_not_a_pair_of_positive_numbers_is_left_out(bad: Any) -> None:
    assert pairs(book(bids=[*GOOD_BIDS, bad]).bids) == pairs(book(bids=GOOD_BIDS).bids)


def test_a_side_that_is_not_a_list_is_empty() -> None:
    raw = {"bids": {"30000": "1"}, "asks": "30001"}
    result = order_book(raw, "BTC/USDT", NOW)
    assert (result.bids, result.asks) == ((), ())
