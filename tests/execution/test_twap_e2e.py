"""``execution.twap`` end to end on the simulated venue, on the virtual clock."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fortuna import run
from plugins.execution.twap import Twap
from schemas import Side
from tests.execution.mandates import SYMBOL, mandate, report_of, session, sim, venue_of

D = Decimal


async def test_fills_stay_within_one_slice_of_the_straight_schedule_at_every_tick() -> None:
    async with session(mandate("twap", amount="12", window="20m", slices=12)) as s:
        slice_amount = D(12) / 12
        while await s.step():
            elapsed = s.service._elapsed()
            straight = min(D(12), D(12) * D(repr(elapsed)) / D(1200))
            filled = s.service.progress.filled
            assert abs(filled - straight) <= slice_amount, (elapsed, filled, straight)
        await s.service.on_stop()
        assert s.failures == []


async def test_the_whole_amount_fills_exactly_and_the_service_stops_by_itself() -> None:
    graph = await run(mandate("twap", amount="7.777", window="10m", slices=7))
    twap = graph["algo"]
    assert isinstance(twap, Twap)
    assert twap.report is not None
    assert twap.report.filled == D("7.777")
    assert twap.report.state == "done"
    assert twap.report.sent == 7
    assert graph.clock.monotonic() < 600


async def test_the_report_states_average_slippage_fees_and_children() -> None:
    graph = await run(mandate("twap", amount="3", window="5m", slices=3))
    report = report_of(graph)
    assert report.average is not None
    assert report.arrival == D("100.00")
    assert report.slippage_arrival_bps == (
        (report.average - report.arrival) * 10_000 / report.arrival).quantize(D("0.01"))
    assert report.vwap is not None
    assert report.slippage_vwap_bps is not None
    assert report.fees > 0
    assert report.fee_currency == "USDT"
    assert (report.sent, report.refused, report.cancelled) == (3, 0, 0)


async def test_a_buy_never_pays_above_its_limit_price() -> None:
    graph = await run(mandate("twap", amount="5", window="5m", slices=5, limit_price="99.90"))
    venue = venue_of(graph)
    fills = await venue.fetch_my_trades(SYMBOL)
    assert all(f.price <= D("99.90") for f in fills)
    assert report_of(graph).state in ("expired", "done")


async def test_the_window_ends_the_order_unfilled_with_no_child_resting() -> None:
    # A limit child at the near touch rarely fills in a quiet market: the window ends first.
    spec = mandate("twap", amount="50", window="5m", slices=5, style="limit",
                   venue=sim(trade_rate="0.05"))
    graph = await run(spec)
    report = report_of(graph)
    assert report.state == "expired"
    assert report.remaining > 0
    venue = venue_of(graph)
    assert await venue.fetch_open_orders(SYMBOL) == []
    assert report.cancelled >= 1


async def test_limit_children_rest_at_the_near_touch_and_are_replaced_each_slice() -> None:
    spec = mandate("twap", amount="10", window="5m", slices=5, style="limit",
                   venue=sim(trade_rate="0.05"))
    async with session(spec) as s:
        await s.step()
        (first,) = await s.own_open_orders()
        book = await s.venue.fetch_order_book(SYMBOL)
        assert first.price == book.bids[0].price
        for _ in range(61):
            await s.step()
        (second,) = await s.own_open_orders()
        assert second.id != first.id
        # the second slice's target is 4: what the first child filled, plus the new child
        assert s.service.progress.filled + second.amount == D(4)
        await s.service.on_stop()
        assert await s.own_open_orders() == []


async def test_seeded_jitter_gives_the_same_run_and_still_the_exact_total() -> None:
    def spec() -> dict:  # type: ignore[type-arg]
        return mandate("twap", amount="6", window="10m", slices=6, size_jitter="0.5",
                       time_jitter="0.5", seed=3)

    first = await run(spec())
    second = await run(spec())
    fills = [await venue_of(g).fetch_my_trades(SYMBOL) for g in (first, second)]
    assert [(f.timestamp, f.amount) for f in fills[0]] == [
        (f.timestamp, f.amount) for f in fills[1]]
    assert sum(f.amount for f in fills[0]) == D(6)


async def test_without_catch_up_a_slice_sends_at_most_one_slice() -> None:
    spec = mandate("twap", amount="4", window="4m", slices=4, catch_up=False,
                   limit_price="99.00")
    async with session(spec) as s:
        while await s.step():
            pass
        await s.service.on_stop()
        closed = await s.venue.fetch_closed_orders(SYMBOL)
        assert closed
        assert all(o.amount <= D(1) for o in closed)


async def test_a_sell_parent_order_sells_the_exact_amount() -> None:
    graph = await run(mandate("twap", side="sell", amount="2.5", window="5m", slices=5))
    report = report_of(graph)
    assert report.side is Side.SELL
    assert report.filled == D("2.5")


@pytest.mark.parametrize(("args", "message"), [
    ({"slices": 1000, "window": "10m"}, "shorter than the tick interval"),
    ({"slices": 0}, "must be at least 1 (got 0)"),
    ({"size_jitter": "0.6"}, "must be at most 0.5 (got '0.6')"),
    ({"window": "0s"}, "must be above 0 (got '0s')"),
])
async def test_bad_args_are_refused_with_the_reason(args: dict, message: str) -> None:  # type: ignore[type-arg]
    from fortuna import validate

    report = validate(mandate("twap", **{"window": "10m", "slices": 10, **args}))
    assert any(message in f.message for f in report.findings), report.findings
