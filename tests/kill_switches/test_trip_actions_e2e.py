"""The trailing kill switches (pnl, spread_sla, schedule, venue_health): each trips at its
threshold, and the action it declares (halt, reduce-only, flatten) is what the mandate does.
On the simulated venue, virtual clock, real container."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from fortuna import Context, NoArgs, VirtualClock
from plugins.kill_switches.pnl import PnlSwitch
from plugins.kill_switches.schedule import ScheduleSwitch
from plugins.kill_switches.spread_sla import breach
from schemas import Side
from schemas.risk import TripAction
from tests.kill_switches.support import Held, Mark, guarded, switch
from tests.market_making.mandates import SYMBOL, Session, session, sim

D = Decimal


async def btc(s: Session) -> Decimal:
    return (await s.venue.fetch_balances()).total("BTC")


# --- pnl: thresholds, marked to market -----------------------------------------------


async def pnl_switch(**limits: str) -> tuple[PnlSwitch, Mark]:
    clock = VirtualClock(VirtualClock.Args())
    mark = Mark(NoArgs(), Context(name="mark", clock=clock))
    held = Held(NoArgs(), Context(name="held", clock=clock))
    pnl = PnlSwitch(PnlSwitch.Args.model_validate(
        {"exchange": held, "symbol": SYMBOL, "price": mark, **limits}),
        Context(name="pnl", clock=clock))
    return pnl, mark


async def test_pnl_trails_the_peak_and_trips_at_the_loss_from_it() -> None:
    pnl, mark = await pnl_switch(max_loss_from_peak="50")
    assert not await pnl.check()                 # value 2000: start and peak
    mark.value = D(110)
    assert not await pnl.check()                 # 2100: a new peak
    mark.value = D("105.1")
    assert not await pnl.check()                 # 49 below the peak
    mark.value = D(105)
    assert await pnl.check()                     # 50 below: the threshold
    assert pnl.reason == ("marked value 2050 USDT is 50 below its peak 2100 "
                          "(max loss from peak 50; mark 105)")


async def test_pnl_trips_at_the_loss_since_start() -> None:
    pnl, mark = await pnl_switch(max_loss_since_start="30")
    await pnl.check()
    mark.value = D(120)
    assert not await pnl.check()
    mark.value = D("97.1")
    assert not await pnl.check()                 # 29 below the start
    mark.value = D(97)
    assert await pnl.check()
    assert "30 below its start 2000" in (pnl.reason or "")


async def test_pnl_needs_a_limit() -> None:
    clock = VirtualClock(VirtualClock.Args())
    held = Held(NoArgs(), Context(name="held", clock=clock))
    mark = Mark(NoArgs(), Context(name="mark", clock=clock))
    with pytest.raises(ValidationError, match="give max_loss_from_peak"):
        PnlSwitch.Args.model_validate({"exchange": held, "symbol": SYMBOL, "price": mark})


async def test_pnl_trip_flattens_inventory_to_its_target_within_limits() -> None:
    spec = guarded(
        {"pnl": {"id": "kill_switches.pnl", "args": {
            "exchange": "@sim", "symbol": SYMBOL, "price": "@price", "max_loss_since_start": "1",
            "on_trip": {"action": "flatten", "target": "9", "max_amount": "0.4"}}}},
        venue=sim(balances={"BTC": "10", "USDT": "10000"}),
    )
    async with session(spec) as s:
        await s.ticks(1)
        pnl = switch(s, "pnl")
        assert isinstance(pnl, PnlSwitch)
        pnl.trip("test: a loss")                 # the threshold is tested above
        await s.ticks(1)
        assert s.mm.restriction is not None
        assert s.mm.restriction.action is TripAction.FLATTEN
        await s.ticks(5)
        assert await btc(s) == D(9)
        resting = await s.own_open_orders()
        assert all(o.side is Side.SELL for o in resting)
        assert sum(o.remaining for o in resting) == 0


# --- spread_sla: missing or wide quotes past a grace ---------------------------------


async def test_spread_sla_trips_after_its_grace_and_goes_reduce_only() -> None:
    # the ladder quotes 99.8/100.2: a 40 bps spread, over the 30 bps SLA
    spec = guarded({"sla": {"id": "kill_switches.spread_sla", "args": {
        "exchange": "@sim", "symbol": SYMBOL, "mandate": "test_mm", "max_spread": "0.003",
        "grace": "3s", "on_trip": {"action": "reduce_only", "target": "9.85"}}}})
    async with session(spec) as s:
        await s.ticks(3)                         # in breach from t=0 (nothing resting yet)
        assert not switch(s, "sla").tripped
        await s.ticks(1)                         # t=3: the grace is over
        sla = switch(s, "sla")
        assert sla.reason == ("quote SLA broken for 3 s (grace 3 s): spread 0.004 "
                              "(bid 99.80, ask 100.20) is over 0.003")
        await s.ticks(1)
        resting = await s.own_open_orders()
        assert resting
        assert all(o.side is Side.SELL for o in resting)
        assert sum(o.remaining for o in resting) == D("0.15")


async def test_spread_sla_holds_while_the_quote_is_inside_it() -> None:
    spec = guarded({"sla": {"id": "kill_switches.spread_sla", "args": {
        "exchange": "@sim", "symbol": SYMBOL, "mandate": "test_mm", "max_spread": "0.005",
        "grace": "2s"}}})
    async with session(spec) as s:
        await s.ticks(10)
        assert not switch(s, "sla").tripped


def test_spread_sla_counts_a_missing_side_and_a_wide_spread() -> None:
    assert breach([D(99)], [], D("0.01")) == "no ask resting"
    assert breach([], [], D("0.01")) == "no bid and ask resting"
    assert breach([D(99)], [D(101)], D("0.01")) == "spread 0.02 (bid 99, ask 101) is over 0.01"
    assert breach([D(99), D(98)], [D(101)], D("0.02")) is None


# --- schedule: trading windows ---------------------------------------------------------


def scheduled(start: str, windows: list[dict[str, Any]]) -> dict[str, Any]:
    spec = guarded({"hours": {"id": "kill_switches.schedule", "args": {"windows": windows}}})
    spec["components"]["clock"] = {"id": "clock.virtual", "args": {"start": start}}
    return spec


async def test_schedule_halts_outside_its_window_and_opens_with_it() -> None:
    # Monday 07:59:57 UTC; the window opens at 08:00
    spec = scheduled("2026-01-05T07:59:57Z", [{"days": ["mon"], "start": "08:00",
                                               "end": "17:00"}])
    async with session(spec) as s:
        await s.ticks(2)
        assert switch(s, "hours").tripped
        assert switch(s, "hours").reason == "Mon 07:59:57 UTC is outside every trading window"
        assert await s.own_open_orders() == []
        await s.ticks(2)
        assert not switch(s, "hours").tripped
        assert len(await s.own_open_orders()) == 6


async def test_spread_sla_does_not_run_while_the_schedule_halts() -> None:
    spec = scheduled("2026-01-05T07:59:50Z", [{"days": ["mon"], "start": "08:00",
                                               "end": "17:00"}])
    spec["components"]["sla"] = {"id": "kill_switches.spread_sla", "args": {
        "exchange": "@sim", "symbol": SYMBOL, "mandate": "test_mm", "max_spread": "0.005",
        "grace": "3s", "paused_by": ["@hours"]}}
    spec["components"]["mm"]["args"]["kill_switches"] = ["@hours", "@sla"]
    async with session(spec) as s:
        await s.ticks(9)
        assert switch(s, "hours").tripped
        assert not switch(s, "sla").tripped
        await s.ticks(5)
        assert not switch(s, "sla").tripped
        assert len(await s.own_open_orders()) == 6


def test_a_window_past_midnight_belongs_to_the_day_it_opens() -> None:
    window = ScheduleSwitch.Args.model_validate(
        {"windows": [{"days": ["fri"], "start": "22:00", "end": "02:00"}]}).windows[0]
    assert window.contains(datetime(2026, 1, 9, 23, 0, tzinfo=UTC))       # Friday night
    assert window.contains(datetime(2026, 1, 10, 1, 59, tzinfo=UTC))      # Saturday early
    assert not window.contains(datetime(2026, 1, 10, 23, 0, tzinfo=UTC))  # Saturday night
    assert not window.contains(datetime(2026, 1, 9, 1, 0, tzinfo=UTC))    # Friday early


@pytest.mark.parametrize(("window", "message"), [
    ({"start": "08:00", "end": "08:00"}, "is empty"),
    ({"start": "08:00", "end": "25:00"}, "end"),
    ({"days": ["someday"], "start": "08:00", "end": "09:00"}, "days"),
    ({"days": [], "start": "08:00", "end": "09:00"}, "days"),
])
def test_a_bad_window_is_refused(window: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ScheduleSwitch.Args.model_validate({"windows": [window]})


# --- venue_health: error rate and latency -----------------------------------------------


async def test_venue_health_trips_on_latency_and_halts() -> None:
    spec = guarded({"health": {"id": "kill_switches.venue_health", "args": {
        "exchange": "@sim", "symbol": SYMBOL, "window": 3, "max_latency": "1500ms"}}},
        venue=sim(latency="2s"))
    async with session(spec) as s:
        await s.ticks(3)
        health = switch(s, "health")
        assert health.tripped
        assert health.reason == "median latency 2 s over the last 3 probes of sim (max 1.5 s)"
        assert s.mm.halted
        assert await s.own_open_orders() == []


async def test_venue_health_trips_on_the_error_rate() -> None:
    spec = guarded({"health": {"id": "kill_switches.venue_health", "args": {
        "exchange": "@sim", "symbol": SYMBOL, "window": 10, "max_error_rate": "0.3"}}},
        venue=sim(faults={"error_rate": "0.6"}))
    async with session(spec, started=False) as s:
        await s.ticks(20)
        assert switch(s, "health").tripped
        assert "probes of sim failed" in (switch(s, "health").reason or "")


async def test_a_healthy_venue_does_not_trip() -> None:
    spec = guarded({"health": {"id": "kill_switches.venue_health", "args": {
        "exchange": "@sim", "symbol": SYMBOL, "window": 3, "max_error_rate": "0.1",
        "max_latency": "1s"}}})
    async with session(spec) as s:
        await s.ticks(6)
        assert not switch(s, "health").tripped
