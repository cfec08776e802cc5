"""At run time, orders the mandate's own limits refuse tick after tick trip
``kill_switches.consecutive_errors`` instead of being logged forever."""

from __future__ import annotations

from decimal import Decimal

from plugins.kill_switches.consecutive_errors import ConsecutiveErrorsSwitch
from plugins.market_making.service import tick_error
from schemas import OrderRequest
from schemas.market_making import ExecutionReport
from tests.market_making.mandates import ladder, mandate, session

RISK = {"id": "market_making.risk", "args": {"max_amount": "0.05"}}
ERRORS = {"id": "kill_switches.consecutive_errors", "args": {"max_errors": 3}}


async def test_orders_refused_tick_after_tick_trip_the_consecutive_errors_switch() -> None:
    # levels of 0.05, 0.1, 0.15: the first rests after tick one, the others are refused on
    # every tick and nothing new is placed
    spec = mandate(ladder(amount="0.05", amount_step="0.05"),
                   extra={"risk": RISK, "errors": ERRORS}, risk="@risk",
                   kill_switches=["@errors"])
    async with session(spec) as s:
        switch = s.graph["errors"]
        assert isinstance(switch, ConsecutiveErrorsSwitch)
        await s.ticks(1)
        assert switch.trips == 0
        await s.ticks(4)
        assert switch.trips == 1
        assert s.mm.halted
        assert switch.last_error is not None
        assert switch.last_error.startswith(
            "4 order(s) refused and none placed; first: amount 0.100 is over the cap 0.05")
        assert await s.own_open_orders() == []


async def test_a_tick_that_places_orders_is_no_failure_even_with_refusals() -> None:
    spec = mandate(ladder(amount="0.05", amount_step="0.05"),
                   extra={"risk": RISK, "errors": ERRORS}, risk="@risk",
                   kill_switches=["@errors"])
    async with session(spec) as s:
        await s.ticks(1)
        switch = s.graph["errors"]
        assert isinstance(switch, ConsecutiveErrorsSwitch)
        assert switch.errors == 0


def test_a_tick_with_nothing_refused_reports_no_error() -> None:
    request = OrderRequest(symbol="BTC/USDT", side="buy", price=Decimal(1), amount=Decimal(1))
    assert tick_error(None) is None
    assert tick_error(ExecutionReport(kept=3)) is None
    assert tick_error(ExecutionReport(errors=["venue down"], refused=[(request, "x")])) == (
        "venue down")
    assert tick_error(ExecutionReport(refused=[(request, "too big")])) == (
        "1 order(s) refused and none placed; first: too big")
