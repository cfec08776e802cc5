"""The sample collectors: balances, spread and depth, exact, concurrent to every sink."""

from __future__ import annotations

import asyncio
from decimal import Decimal, localcontext
from typing import Any

import pytest

from fortuna import Context, VirtualClock
from plugins.metrics.balances import BalancesCollector
from plugins.metrics.depth import DepthCollector
from plugins.metrics.spread import SpreadCollector
from schemas.metrics import BalanceRecord, DepthRecord, SpreadRecord
from tests.metrics.parts import T0, FixedVenue, ListSink, balances, book
from tests.sinks.support import LogRecorder, recorded


def context(name: str = "collector", log: LogRecorder | None = None) -> Context:
    clock = VirtualClock(VirtualClock.Args(start=T0))
    return Context(name=name, clock=clock, log=log if log is not None else LogRecorder())


def spread_collector(exchange: FixedVenue, *sinks: ListSink, **args: Any) -> SpreadCollector:
    return SpreadCollector(
        SpreadCollector.Args(exchange=exchange, symbol="BTC/USDT", sinks=list(sinks),
                             mandate="mm-btc", **args),
        context(),
    )


async def test_balances_are_recorded_for_every_currency_the_venue_reports() -> None:
    venue = FixedVenue(balances=balances(BTC=("1.5", "0.25"), USDT=("1000.000001", "0")))
    sink = ListSink()
    collector = BalancesCollector(
        BalancesCollector.Args(exchange=venue, sinks=[sink], mandate="mm-btc"), context()
    )
    await collector.tick()

    assert [(r.currency, r.free, r.used, r.total) for r in sink.records  # type: ignore[attr-defined]
            ] == [
        ("BTC", Decimal("1.5"), Decimal("0.25"), Decimal("1.75")),
        ("USDT", Decimal("1000.000001"), Decimal(0), Decimal("1000.000001")),
    ]


async def test_a_listed_currency_the_venue_does_not_hold_is_recorded_as_zero() -> None:
    venue = FixedVenue(balances=balances(BTC=("1", "0")))
    sink = ListSink()
    collector = BalancesCollector(
        BalancesCollector.Args(exchange=venue, sinks=[sink], mandate="m",
                               currencies=["BTC", "ETH"]),
        context(),
    )
    await collector.tick()

    eth = [r for r in sink.records if isinstance(r, BalanceRecord) and r.currency == "ETH"]
    assert [(r.free, r.used, r.total) for r in eth] == [(Decimal(0), Decimal(0), Decimal(0))]


async def test_records_carry_the_mandate_the_venue_and_the_clock_time() -> None:
    venue = FixedVenue(book([("100.1", "1")], [("100.3", "2")]), venue="sim")
    sink = ListSink()
    await spread_collector(venue, sink).tick()
    await spread_collector(venue, sink, venue="sim-eu").tick()

    assert [(r.mandate, r.venue, r.timestamp) for r in sink.records] == [
        ("mm-btc", "sim", T0), ("mm-btc", "sim-eu", T0)
    ]


async def test_spread_records_the_top_of_book_mid_and_spread_in_bps() -> None:
    venue = FixedVenue(book([("100.1", "1.5"), ("100", "3")], [("100.3", "0.25")]))
    sink = ListSink()
    await spread_collector(venue, sink).tick()

    (record,) = sink.records
    assert isinstance(record, SpreadRecord)
    assert (record.bid, record.ask, record.bid_amount, record.ask_amount) == (
        Decimal("100.1"), Decimal("100.3"), Decimal("1.5"), Decimal("0.25")
    )
    assert (record.mid, record.spread) == (Decimal("100.2"), Decimal("0.2"))
    assert record.spread_bps == Decimal("19.960079840319361277")  # 0.2 / 100.2 * 1e4, 18 places


async def test_a_one_sided_book_is_skipped_with_a_warning() -> None:
    venue = FixedVenue(book([("100.1", "1")], []))
    sink = ListSink()
    collector = spread_collector(venue, sink)
    await collector.tick()

    assert sink.records == []
    assert recorded(collector).named("metrics book one sided", "warning")


async def test_depth_sums_amount_and_notional_within_each_band() -> None:
    # mid 100; 10 bps band: bids >= 99.9, asks <= 100.1; 100 bps: bids >= 99, asks <= 101.
    venue = FixedVenue(book(
        [("99.95", "1"), ("99.9", "2"), ("99.5", "4"), ("98.9", "8")],
        [("100.05", "0.5"), ("100.1", "1.5"), ("101", "3"), ("101.01", "6")],
    ))
    sink = ListSink()
    collector = DepthCollector(
        DepthCollector.Args(exchange=venue, symbol="BTC/USDT", sinks=[sink], mandate="m",
                            bands=[10, 100]),
        context(),
    )
    await collector.tick()

    depth = {r.band_bps: r for r in sink.records if isinstance(r, DepthRecord)}
    assert (depth[Decimal(10)].bid_amount, depth[Decimal(10)].ask_amount) == (
        Decimal(3), Decimal(2)
    )
    assert depth[Decimal(10)].bid_notional == Decimal("99.95") + Decimal("199.8")
    assert depth[Decimal(10)].ask_notional == Decimal("50.025") + Decimal("150.15")
    assert (depth[Decimal(100)].bid_amount, depth[Decimal(100)].ask_amount) == (
        Decimal(7), Decimal(5)
    )
    assert depth[Decimal(100)].mid == Decimal(100)
    assert venue.book_limits == [100]


async def test_depth_is_exact_for_large_notionals_and_18_decimal_amounts() -> None:
    venue = FixedVenue(book(
        [("123456789.123456789", "9999999999.999999999999999999")],
        [("123456789.123456790", "0.000000000000000001")],
    ))
    sink = ListSink()
    collector = DepthCollector(
        DepthCollector.Args(exchange=venue, symbol="BTC/USDT", sinks=[sink], mandate="m",
                            bands=[50]),
        context(),
    )
    await collector.tick()

    (record,) = sink.records
    assert isinstance(record, DepthRecord)
    with localcontext() as wide:
        wide.prec = 100
        notional = Decimal("123456789.123456789") * Decimal("9999999999.999999999999999999")
        expected = notional.quantize(Decimal("1E-18"))
    assert record.bid_amount == Decimal("9999999999.999999999999999999")
    assert record.ask_amount == Decimal("0.000000000000000001")
    assert record.bid_notional == expected
    assert record.bid_notional != Decimal("123456789.123456789") * Decimal(
        "9999999999.999999999999999999"
    ), "the default 28-digit context would have rounded this product"


async def test_every_sink_gets_the_records_while_another_sink_fails() -> None:
    venue = FixedVenue(book([("100.1", "1")], [("100.3", "2")]))
    broken, healthy = ListSink("broken"), ListSink("healthy")
    broken.fail = 1
    collector = spread_collector(venue, broken, healthy)
    await collector.tick()

    assert len(healthy.records) == 1
    (refused,) = recorded(collector).named("metrics not stored", "error")
    assert (refused["sink"], refused["count"]) == ("broken", 1)


async def test_sinks_are_written_concurrently() -> None:
    venue = FixedVenue(book([("100.1", "1")], [("100.3", "2")]))
    slow, fast = ListSink("slow"), ListSink("fast")
    slow.gate = asyncio.Event()
    tick = asyncio.create_task(spread_collector(venue, slow, fast).tick())
    for _ in range(10):
        await asyncio.sleep(0)

    assert len(fast.records) == 1
    assert slow.records == []
    slow.gate.set()
    await tick
    assert len(slow.records) == 1


async def test_a_venue_error_is_logged_and_sampling_goes_on() -> None:
    venue = FixedVenue(book([("100.1", "1")], [("100.3", "2")]))
    sink = ListSink()
    collector = spread_collector(venue, sink)
    venue.down = True
    await collector.tick()
    venue.down = False
    await collector.tick()

    assert len(sink.records) == 1
    assert recorded(collector).named("metrics sample failed", "error")
    assert (collector.samples, collector.failed_samples) == (1, 1)


async def test_a_loaded_collector_samples_every_interval_until_unloaded() -> None:
    venue = FixedVenue(book([("100.1", "1")], [("100.3", "2")]))
    sink = ListSink()
    collector = spread_collector(venue, sink, interval="10s")
    clock = collector.clock
    await collector.load()
    await clock.sleep(35)
    await collector.unload()
    await clock.sleep(60)

    assert [(r.timestamp - T0).total_seconds() for r in sink.records] == [0, 10, 20, 30]
    await clock.unload()  # type: ignore[attr-defined]


def test_a_collector_needs_at_least_one_sink() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        SpreadCollector.Args(exchange=FixedVenue(), symbol="BTC/USDT", sinks=[], mandate="m")
