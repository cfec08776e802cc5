"""The order book a ccxt venue answers, as the contract's exact book (plugins.exchanges.ccxt.book).

A side of plain texts is read at once; a side with anything else is read level by level;
with the market's memo, the levels of the last read are reused by their texts: each way
must give the same levels. Every behaviour is checked fresh and with a memo that has
already read a book (``read``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from plugins.exchanges.ccxt.book import LevelMemo, order_book
from schemas import OrderBook

D = Decimal
NOW = datetime(2026, 1, 1, tzinfo=UTC)
GOOD_BIDS = [["30000.10", "1.5"], ["29999.9", "0.00000001"], ["29999", "2"]]
Read = Callable[..., OrderBook]


def raw(bids: Any = (), asks: Any = ()) -> dict[str, Any]:
    return {"bids": list(bids), "asks": list(asks)}


@pytest.fixture(params=["fresh", "remembered"])
def read(request: pytest.FixtureRequest) -> Read:
    memo: LevelMemo | None = None
    if request.param == "remembered":
        memo = LevelMemo()
        order_book(raw(GOOD_BIDS, [["30000.2", "1"], ["10", "1"]]), "BTC/USDT", NOW, memo)

    def reading(bids: Any = (), asks: Any = ()) -> OrderBook:
        return order_book(raw(bids, asks), "BTC/USDT", NOW, memo)

    return reading


def pairs(levels: Any) -> list[tuple[Decimal, Decimal]]:
    return [(level.price, level.amount) for level in levels]


def test_plain_texts_keep_every_digit_and_the_venues_order(read: Read) -> None:
    assert pairs(read(bids=GOOD_BIDS).bids) == [
        (D("30000.10"), D("1.5")), (D("29999.9"), D("0.00000001")), (D("29999"), D("2"))]


def test_a_side_out_of_order_is_sorted_on_the_decimal_price(read: Read) -> None:
    result = read(bids=[["9", "1"], ["10", "1"], ["9.5", "1"]],
                  asks=[["100", "1"], ["9.5", "1"], ["10.5", "1"]])
    assert [level.price for level in result.bids] == [D("10"), D("9.5"), D("9")]
    assert [level.price for level in result.asks] == [D("9.5"), D("10.5"), D("100")]


def test_a_repeated_price_keeps_its_first_level(read: Read) -> None:
    result = read(asks=[["10", "1"], ["11", "1"], ["10", "2"], ["10.0", "3"]])
    assert pairs(result.asks) == [(D("10"), D("1")), (D("11"), D("1"))]


@pytest.mark.parametrize("odd", [
    ["1e-3", "1"], ["0.001", "1E0"], [D("0.001"), "1"], ["0.001", 1], ["0.001", "1", "7"],
    [0.001, "1"], ["1." + "0" * 120, "1"], ["+0.001", "1"],
], ids=["exponent", "exponent in amount", "Decimal", "int", "extra field", "float",
        "long text", "plus sign"])
def test_one_level_of_another_form_changes_nothing_about_the_others(
    odd: Any, read: Read
) -> None:
    result = read(bids=[*GOOD_BIDS, odd])
    assert pairs(result.bids)[:3] == pairs(read(bids=GOOD_BIDS).bids)
    assert pairs(result.bids)[3:] == [(D(str(odd[0])), D(1))]


@pytest.mark.parametrize("bad", [
    ["NaN", "1"], ["sNaN", "1"], ["Infinity", "1"], ["-Infinity", "1"], ["1", "inf"],
    ["INF", "1"], ["1", "iNf"], ["nan", "1"],
    ["0", "1"], ["1", "0"], ["-1", "1"], ["+0", "1"], ["-0", "1"], ["1", "0.000"],
    ["x", "1"], ["", "1"], [], ["1"], None,
    {"price": "1"}, ["1", None], ["9" * 150, "1"], ["1", "1e500"], [["1"], "1"],
], ids=repr)
def test_a_level_that_is_not_a_pair_of_positive_numbers_is_left_out(
    bad: Any, read: Read
) -> None:
    assert pairs(read(bids=[*GOOD_BIDS, bad]).bids) == pairs(read(bids=GOOD_BIDS).bids)


@pytest.mark.parametrize(("bids", "asks"), [
    (GOOD_BIDS, [["30000.2", "1"], ["30001", "2"]]),
    ([["9", "1"], ["10", "1"], ["9", "2"], ["9.5", "1"]], [["11", "1"], ["10.5", "1"]]),
], ids=["in order", "out of order, a price repeated"])
def test_the_book_is_the_one_the_contract_validates(bids: Any, asks: Any, read: Read) -> None:
    book = read(bids=bids, asks=asks)
    assert OrderBook.model_validate(book.model_dump()) == book


def test_the_time_is_checked_by_the_contract() -> None:
    from datetime import timedelta, timezone

    east = datetime(2026, 1, 1, 2, tzinfo=timezone(timedelta(hours=2)))
    assert order_book(raw(GOOD_BIDS), "BTC/USDT", east).timestamp.tzinfo is UTC
    with pytest.raises(ValidationError, match="timezone-aware"):
        order_book(raw(GOOD_BIDS), "BTC/USDT", datetime(2026, 1, 1))


def test_a_side_that_is_not_a_list_is_empty(read: Read) -> None:
    result = read(bids={"30000": "1"}, asks="30001")
    assert (result.bids, result.asks) == ((), ())


def test_a_level_sent_again_as_the_same_texts_is_reused() -> None:
    memo = LevelMemo()
    first = order_book(raw(GOOD_BIDS), "BTC/USDT", NOW, memo)
    changed = [GOOD_BIDS[0], ["29999.9", "0.5"], GOOD_BIDS[2]]
    again = order_book(raw(changed), "BTC/USDT", NOW, memo)
    assert again.bids[0] is first.bids[0]
    assert again.bids[2] is first.bids[2]
    assert pairs(again.bids)[1] == (D("29999.9"), D("0.5"))


def test_the_memo_holds_the_latest_book_only() -> None:
    memo = LevelMemo()
    order_book(raw(GOOD_BIDS), "BTC/USDT", NOW, memo)
    order_book(raw([["1", "1"]], [["2", "1"]]), "BTC/USDT", NOW, memo)
    assert sorted(memo.levels) == [("1", "1"), ("2", "1")]
