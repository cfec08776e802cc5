"""Venue faults, unknown outcomes and kill switches: the parent order stays exact and no
child is left resting unknowingly."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from fortuna import run
from plugins.execution._parent import ExecutionService
from plugins.kill_switches.manual_halt import ManualHaltSwitch
from tests.execution.mandates import SYMBOL, mandate, report_of, session, sim, venue_of

D = Decimal


async def test_timeouts_and_errors_never_push_the_fills_past_the_parent_amount() -> None:
    # One call in four fails; half of the timed-out placements took effect anyway. Each
    # such child is looked up by its client order id, never sent twice, never guessed.
    venue = sim(faults={"error_rate": "0.1", "timeout_rate": "0.15", "timeout": "2s"})
    graph = await run(mandate("twap", amount="6", window="10m", slices=12, venue=venue,
                              max_consecutive_failures=1000))
    twap = graph["algo"]
    assert isinstance(twap, ExecutionService)
    assert twap.report is not None
    sim_venue = venue_of(graph)
    own = []
    for _ in range(50):
        try:
            own = await sim_venue.fetch_my_trades(SYMBOL)
            break
        except Exception:
            continue
    filled = sum((f.amount for f in own), D(0))
    assert filled == twap.report.filled <= D(6)
    assert twap.report.state == "done"


async def test_a_timed_out_child_that_took_effect_is_found_and_counted() -> None:
    venue = sim(faults={"timeout_rate": "0.3", "timeout": "1s"}, seed=1)
    async with session(mandate("twap", amount="4", window="4m", slices=4, venue=venue,
                               max_consecutive_failures=1000)) as s:
        while await s.step():
            pass
        await s.service.on_stop()
        progress = s.service.progress
        closed = []
        for _ in range(50):
            try:
                closed = await s.venue.fetch_closed_orders(SYMBOL)
                break
            except Exception:
                continue
        placed = [o for o in closed if (o.client_order_id or "").startswith("exec_test-")]
        assert progress.sent == len(placed)  # every child that reached the venue, once
        assert progress.filled == sum((o.filled for o in placed), D(0))


async def test_a_tripped_kill_switch_cancels_the_working_child_and_sends_none(
    tmp_path: Path,
) -> None:
    halt = tmp_path / "HALT"
    spec = mandate("pegger", amount="500", window="1h", kill_switches=["@halt"],
                   venue=sim(trade_rate="0.05"),
                   extra={"halt": {"id": "kill_switches.manual_halt",
                                   "args": {"path": str(halt)}}})
    async with session(spec) as s:
        await s.step()
        assert len(await s.own_open_orders()) == 1
        halt.touch()
        for _ in range(5):
            await s.step()
            assert await s.own_open_orders() == []
        assert s.service.halted
        halt.unlink()
        switch = s.graph["halt"]
        assert isinstance(switch, ManualHaltSwitch)
        await s.step()
        assert await s.own_open_orders() == []  # latched until an operator resets it
        switch.reset()
        await s.step()
        assert len(await s.own_open_orders()) == 1
        await s.service.on_stop()


async def test_pre_trade_limits_refuse_a_child_over_the_size_cap() -> None:
    spec = mandate("twap", amount="4", window="2m", slices=2, risk="@risk",
                   extra={"risk": {"id": "market_making.risk", "args": {"max_amount": "1"}}})
    graph = await run(spec)
    report = report_of(graph)
    assert report.filled == 0
    assert report.refused >= 1
    assert report.sent == 0
    assert await venue_of(graph).fetch_closed_orders(SYMBOL) == []
