"""Metric records: exact amounts that fit the columns, UTC timestamps, the fill journal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.metrics import BalanceRecord, FillJournal, quantize_metric
from tests.metrics.parts import a_fill

FIELDS: dict[str, Any] = {
    "mandate": "m", "venue": "sim", "timestamp": datetime(2026, 1, 1, tzinfo=UTC),
    "currency": "BTC", "free": Decimal(1), "used": Decimal(0), "total": Decimal(1),
}


def balance(**values: Any) -> BalanceRecord:
    return BalanceRecord(**{**FIELDS, **values})


def test_a_float_amount_is_refused() -> None:
    with pytest.raises(ValidationError, match="float"):
        balance(free=0.1)


def test_an_amount_with_more_than_18_decimal_places_is_refused_not_rounded() -> None:
    with pytest.raises(ValidationError, match="more than 18 decimal places"):
        balance(free=Decimal("1.0000000000000000000000000001"))


def test_trailing_zeros_beyond_18_places_are_not_digits() -> None:
    assert balance(free=Decimal("1.50000000000000000000000")).free == Decimal("1.5")


def test_an_amount_with_more_than_20_integer_digits_is_refused() -> None:
    with pytest.raises(ValidationError, match="more than 20 integer digits"):
        balance(total=Decimal("100000000000000000000"))


def test_the_widest_amount_that_fits_is_accepted() -> None:
    widest = Decimal("99999999999999999999.999999999999999999")
    assert balance(total=widest).total == widest


def test_a_naive_timestamp_is_refused() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        balance(timestamp=datetime(2026, 1, 1))


def test_a_timestamp_is_converted_to_utc() -> None:
    paris = datetime(2026, 1, 1, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    assert balance(timestamp=paris).timestamp == paris
    assert balance(timestamp=paris).timestamp.utcoffset() == timedelta(0)


def test_every_record_gets_its_own_id() -> None:
    assert balance().id != balance().id


def test_quantize_metric_rounds_half_to_even_at_18_places() -> None:
    assert quantize_metric(Decimal("0.0000000000000000005")) == Decimal(0)
    assert quantize_metric(Decimal("0.0000000000000000015")) == Decimal("0.000000000000000002")
    wide = Decimal("12345678901234567890.1234567890123456789")
    assert quantize_metric(wide) == Decimal("12345678901234567890.123456789012345679")


def test_a_journal_numbers_fills_in_order_and_pages_them() -> None:
    journal = FillJournal()
    for i in range(5):
        journal.append(a_fill(i))
    page = journal.since(1, limit=3)

    assert [f.id for f in page.fills] == ["t1", "t2", "t3"]
    assert (page.next_cursor, page.missed) == (4, 0)
    assert journal.since(5).fills == ()
    assert journal.since(5).next_cursor == 5


def test_a_journal_ignores_a_fill_it_already_has() -> None:
    journal = FillJournal()
    assert journal.append(a_fill(1))
    assert not journal.append(a_fill(1))
    assert journal.next_cursor == 1


def test_a_full_journal_forgets_the_oldest_and_says_how_many_a_reader_missed() -> None:
    journal = FillJournal(keep=2)
    for i in range(5):
        journal.append(a_fill(i))
    page = journal.since(0)

    assert [f.id for f in page.fills] == ["t3", "t4"]
    assert (page.next_cursor, page.missed) == (5, 3)
