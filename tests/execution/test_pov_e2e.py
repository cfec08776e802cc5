"""``execution.pov`` end to end on the simulated venue, on the virtual clock."""

from __future__ import annotations

from decimal import Decimal

from fortuna import run
from plugins.execution.pov import Pov
from tests.execution.mandates import SYMBOL, mandate, report_of, session, sim, venue_of

D = Decimal


async def test_participation_stays_within_its_band_after_every_tick() -> None:
    # The band, measured from the venue's tape right after each tick: never more than
    # max_ahead past rate * the others' volume, never further behind than min_child.
    spec = mandate("pov", amount="1000", rate="0.1", min_child="0.05", max_child="5",
                   max_ahead="0.02", window="20m", venue=sim(trade_rate="1"))
    async with session(spec) as s:
        pov = s.service
        started = pov.progress.started
        while True:
            await pov.tick()
            tape = [t for t in await s.venue.fetch_trades(SYMBOL) if t.timestamp >= started]
            own = sum((f.amount for f in await s.venue.fetch_my_trades(SYMBOL)), D(0))
            target = D("0.1") * (sum((t.amount for t in tape), D(0)) - own)
            assert own == pov.progress.filled
            assert own <= target + D("0.02"), (own, target)
            assert own >= target - D("0.05"), (own, target)
            if pov.stop_requested:
                break
            await s.graph.clock.sleep(1)
        await pov.on_stop()
        assert pov.report is not None
        assert pov.report.state == "expired"
        assert pov.report.filled > 0


async def test_own_fills_are_not_counted_as_market_volume() -> None:
    # At a rate of one half, counting its own fills would make it chase itself to the
    # whole amount at once; it trades half of the others' volume instead.
    spec = mandate("pov", amount="1000", rate="0.5", min_child="0.01", max_child="50",
                   window="10m")
    graph = await run(spec)
    pov = graph["algo"]
    assert isinstance(pov, Pov)
    tape = await venue_of(graph).fetch_trades(SYMBOL)
    own = sum(f.amount for f in await venue_of(graph).fetch_my_trades(SYMBOL))
    started = pov.progress.started
    market = sum(t.amount for t in tape if t.timestamp >= started)
    others = market - own
    assert pov.progress.filled == own
    assert D("0.5") * others - D("0.01") - D("0.5") * D(60) <= own <= D("0.5") * others


async def test_no_child_is_larger_than_max_child() -> None:
    spec = mandate("pov", amount="1000", rate="0.5", min_child="0.01", max_child="0.2",
                   window="5m", venue=sim(trade_rate="3"))
    graph = await run(spec)
    orders = await venue_of(graph).fetch_closed_orders(SYMBOL)
    assert orders
    assert max(o.amount for o in orders) <= D("0.2")


async def test_the_parent_amount_is_never_exceeded_and_the_service_stops_when_done() -> None:
    spec = mandate("pov", amount="1.234", rate="0.5", min_child="0.01", max_child="10",
                   window="1h", venue=sim(trade_rate="2"))
    graph = await run(spec)
    report = report_of(graph)
    assert report.state == "done"
    assert report.filled == D("1.234")
    own = sum(f.amount for f in await venue_of(graph).fetch_my_trades(SYMBOL))
    assert own == D("1.234")
    assert graph.clock.monotonic() < 3600


async def test_min_child_larger_than_max_child_is_refused() -> None:
    from fortuna import validate

    report = validate(mandate("pov", rate="0.1", min_child="2", max_child="1"))
    assert any("min_child 2 is larger than max_child 1" in f.message for f in report.findings)


async def test_a_rate_above_one_half_is_refused() -> None:
    from fortuna import validate

    report = validate(mandate("pov", rate="0.9", min_child="0.1", max_child="1"))
    assert any("rate" in f.path and "0.5" in f.message for f in report.findings), \
        report.findings
