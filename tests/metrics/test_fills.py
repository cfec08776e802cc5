"""metrics.fills: every reported fill reaches every sink exactly once, even after failures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fortuna import Context, VirtualClock
from plugins.metrics.fills import FillsCollector
from schemas.metrics import FillRecord, fill_record_id
from tests.metrics.parts import T0, JournalSource, ListSink, a_fill
from tests.sinks.support import LogRecorder, recorded


def collector(source: JournalSource, *sinks: ListSink, **args: Any) -> FillsCollector:
    return FillsCollector(
        FillsCollector.Args(source=source, sinks=list(sinks), mandate="mm-btc", **args),
        Context(name="fills", clock=VirtualClock(VirtualClock.Args(start=T0)), log=LogRecorder()),
    )


def fill_ids(sink: ListSink) -> list[str]:
    return [r.fill_id for r in sink.records if isinstance(r, FillRecord)]


async def test_every_fill_reaches_every_sink_once_in_order() -> None:
    source = JournalSource(venue="sim")
    first, second = ListSink("a"), ListSink("b")
    fills = collector(source, first, second)
    for i in range(3):
        source.journal.append(a_fill(i))
    await fills.tick()
    for i in range(3, 5):
        source.journal.append(a_fill(i))
    await fills.tick()
    await fills.tick()

    assert fill_ids(first) == fill_ids(second) == ["t0", "t1", "t2", "t3", "t4"]


async def test_a_fill_record_keeps_the_fill_exactly() -> None:
    source = JournalSource(venue="sim")
    sink = ListSink()
    fill = a_fill(1, client_order_id="mm-1", liquidity="taker")
    source.journal.append(fill)
    await collector(source, sink).tick()

    (record,) = sink.records
    assert record == FillRecord(
        id=fill_record_id("mm-btc", "sim", "BTC/USDT", "t1"),
        mandate="mm-btc", venue="sim", timestamp=T0, symbol="BTC/USDT", fill_id="t1",
        order_id="o0", client_order_id="mm-1", side="buy",
        price=Decimal("65000.123456789012345678"), amount=Decimal("0.000000000000000002"),
        fee=Decimal("-0.01"), fee_currency="USDT", liquidity="taker",
    )


async def test_a_sink_that_failed_is_sent_its_fills_again_and_the_others_no_duplicates(
) -> None:
    source = JournalSource()
    flaky, steady = ListSink("flaky"), ListSink("steady")
    flaky.fail = 2
    fills = collector(source, flaky, steady)
    source.journal.append(a_fill(0))
    await fills.tick()
    source.journal.append(a_fill(1))
    await fills.tick()
    source.journal.append(a_fill(2))
    await fills.tick()

    assert fill_ids(steady) == ["t0", "t1", "t2"]
    assert fill_ids(flaky) == ["t0", "t1", "t2"]
    assert len(recorded(fills).named("metrics not stored", "error")) == 2


async def test_a_backlog_is_read_page_by_page_in_one_tick() -> None:
    source = JournalSource()
    sink = ListSink()
    for i in range(25):
        source.journal.append(a_fill(i))
    await collector(source, sink, page_size=10).tick()

    assert fill_ids(sink) == [f"t{i}" for i in range(25)]


async def test_fills_the_source_forgot_before_they_were_read_are_reported_loudly() -> None:
    source = JournalSource(keep=3)
    sink = ListSink()
    fills = collector(source, sink)
    for i in range(5):
        source.journal.append(a_fill(i))
    await fills.tick()

    assert fill_ids(sink) == ["t2", "t3", "t4"]
    (missed,) = recorded(fills).named("metrics fills missed", "error")
    assert missed["count"] == 2
    assert fills.missed == 2


async def test_unload_stores_the_fills_reported_since_the_last_tick() -> None:
    source = JournalSource()
    sink = ListSink()
    fills = collector(source, sink, interval="1h")
    await fills.load()
    source.journal.append(a_fill(0))
    await fills.unload()
    await fills.clock.unload()  # type: ignore[attr-defined]

    assert fill_ids(sink) == ["t0"]


def test_a_fill_always_gets_the_same_record_id() -> None:
    fields: dict[str, Any] = {
        "mandate": "m", "venue": "sim", "timestamp": T0, "symbol": "BTC/USDT",
        "fill_id": "t9", "side": "sell", "price": 1, "amount": 1,
    }
    assert FillRecord(**fields).id == FillRecord(**fields).id
    assert FillRecord(**fields).id != FillRecord(**{**fields, "venue": "other"}).id


async def test_a_fill_that_cannot_become_a_record_is_reported_and_skipped_not_stalling_the_rest(
) -> None:
    source = JournalSource()
    sink = ListSink()
    fills = collector(source, sink)
    source.journal.append(a_fill(0))
    source.journal.append(a_fill(1, price=Decimal("123456789012345678901")))  # 21 digits
    source.journal.append(a_fill(2, amount=Decimal("0.0000000000000000001")))  # 19 places
    source.journal.append(a_fill(3))
    await fills.tick()
    source.journal.append(a_fill(4))
    await fills.tick()

    assert fill_ids(sink) == ["t0", "t3", "t4"]
    assert fills.cursors == [5]
    assert fills.unstorable == 2
    first, second = recorded(fills).named("metrics fill not stored", "error")
    too_large = a_fill(1, price=Decimal("123456789012345678901"))
    assert first["fill"] == too_large.model_dump(mode="json")  # every field, amounts as text
    assert first["cursor"] == 1
    assert "more than 20 integer digits" in str(first["error"])
    assert second["cursor"] == 2
    assert "more than 18 decimal places" in str(second["error"])
    assert fills.failed_samples == 0


async def test_a_fill_that_cannot_become_a_record_is_reported_once_when_its_page_is_resent(
) -> None:
    source = JournalSource()
    flaky, steady = ListSink("flaky"), ListSink("steady")
    flaky.fail = 1
    fills = collector(source, flaky, steady)
    source.journal.append(a_fill(0, price=Decimal("123456789012345678901")))
    source.journal.append(a_fill(1))
    await fills.tick()
    await fills.tick()

    assert fill_ids(flaky) == fill_ids(steady) == ["t1"]
    assert fills.unstorable == 1
    assert len(recorded(fills).named("metrics fill not stored", "error")) == 1
