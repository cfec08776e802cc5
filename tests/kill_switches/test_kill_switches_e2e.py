"""Kill switches end to end: on the simulated venue, virtual clock, real container.

Each trips on its condition, the service halts and cancels the mandate's resting orders,
and trading stays halted until an operator resets the switch.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import structlog

from fortuna import Component, Context, NoArgs, VirtualClock, validate
from plugins.kill_switches.any import AnySwitch
from plugins.kill_switches.consecutive_errors import ConsecutiveErrorsSwitch
from plugins.kill_switches.drawdown import DrawdownSwitch
from plugins.kill_switches.manual_halt import ManualHaltSwitch
from plugins.kill_switches.stale_data import StaleDataSwitch
from schemas import PriceProvider, PriceQuote
from tests.kill_switches.support import guarded, switch
from tests.market_making.mandates import SYMBOL, session, sim

TICKER = {"id": "prices.ticker", "args": {"exchange": "@sim", "symbol": SYMBOL}}


async def test_inventory_switch_trips_on_a_balance_over_its_maximum() -> None:
    spec = guarded({"inv": {"id": "kill_switches.inventory",
                            "args": {"exchange": "@sim", "symbol": SYMBOL, "base_max": "5"}}})
    async with session(spec) as s:
        await s.ticks(3)
        assert switch(s, "inv").tripped
        assert "BTC total balance 10 is above the maximum 5" in (switch(s, "inv").reason or "")
        assert s.mm.halted
        assert await s.all_orders() == []


async def test_inventory_switch_lets_trading_go_on_within_bounds() -> None:
    spec = guarded({"inv": {"id": "kill_switches.inventory",
                            "args": {"exchange": "@sim", "symbol": SYMBOL, "base_min": "1",
                                     "quote_min": "100"}}})
    async with session(spec) as s:
        await s.ticks(3)
        assert not switch(s, "inv").tripped
        assert len(await s.own_open_orders()) == 6


async def test_tripping_cancels_the_resting_orders(tmp_path: Path) -> None:
    halt = tmp_path / "HALT"
    spec = guarded({"halt": {"id": "kill_switches.manual_halt", "args": {"path": str(halt)}}})
    async with session(spec) as s:
        await s.ticks(2)
        assert len(await s.own_open_orders()) == 6
        halt.touch()
        await s.ticks(1)
        assert s.mm.halted
        assert await s.own_open_orders() == []


async def test_a_tripped_switch_stays_tripped_until_an_operator_resets_it(
    tmp_path: Path,
) -> None:
    halt = tmp_path / "HALT"
    spec = guarded({"halt": {"id": "kill_switches.manual_halt", "args": {"path": str(halt)}}})
    async with session(spec) as s:
        halt.touch()
        await s.ticks(1)
        halt.unlink()
        await s.ticks(5)
        assert s.mm.halted
        assert await s.own_open_orders() == []
        switch(s, "halt").reset()
        await s.ticks(1)
        mm = s.mm  # a fresh name: mypy would keep "halted" narrowed to True across the ticks
        assert not mm.halted
        assert len(await s.own_open_orders()) == 6


async def test_manual_halt_reports_the_file_in_its_reason(tmp_path: Path) -> None:
    halt = tmp_path / "HALT"
    halt.touch()
    spec = guarded({"halt": {"id": "kill_switches.manual_halt", "args": {"path": str(halt)}}})
    with structlog.testing.capture_logs() as logs:
        async with session(spec) as s:
            await s.ticks(1)
            component = s.graph["halt"]
            assert isinstance(component, ManualHaltSwitch)
    tripped = [e for e in logs if e["event"] == "kill switch tripped: trading halted"]
    assert tripped[0]["reasons"] == [f"halt file {halt} is present"]


async def test_stale_data_switch_trips_when_the_price_is_unreadable_too_long() -> None:
    venue = sim(faults={"outages": [{"start": "10s", "duration": "5m"}]})
    spec = guarded(
        {"stale": {"id": "kill_switches.stale_data",
                   "args": {"price": "@price", "max_age": "30s"}}},
        price=TICKER, venue=venue, max_consecutive_failures=1000,
    )
    async with session(spec) as s:
        await s.ticks(25)
        assert not switch(s, "stale").tripped
        await s.ticks(30)
        assert switch(s, "stale").tripped
        assert "no price for" in (switch(s, "stale").reason or "")
        await s.ticks(300)  # the venue is back: the halt cancels what was left resting
        assert await s.own_open_orders() == []


class FrozenFeed(Component[NoArgs], PriceProvider):
    """A feed that stopped updating: always the quote it had when it loaded."""

    async def load(self) -> None:
        self.stamp = self.clock.now()

    async def price(self) -> Decimal:
        return Decimal(100)

    async def quote(self) -> PriceQuote:
        return PriceQuote(price=Decimal(100), timestamp=self.stamp, source=self.name)


async def test_stale_data_switch_trips_on_a_quote_older_than_its_max_age() -> None:
    clock = VirtualClock(VirtualClock.Args())
    feed = FrozenFeed(NoArgs(), Context(name="feed", clock=clock))
    stale = StaleDataSwitch(StaleDataSwitch.Args(price=feed, max_age="2s"),
                            Context(name="stale", clock=clock))
    await feed.load()
    await stale.load()
    await clock.advance(2)
    assert not await stale.check()
    await clock.advance(1)
    assert await stale.check()
    assert stale.reason == "price 100 from feed is 3 s old (max 2 s)"
    await clock.unload()


async def test_price_deviation_switch_trips_when_prices_disagree() -> None:
    spec = guarded(
        {"dev": {"id": "kill_switches.price_deviation",
                 "args": {"price": "@price", "reference": "@other",
                          "max_deviation": "0.02"}}},
        extra={"other": {"id": "prices.fixed", "args": {"price": "103"}}},
    )
    async with session(spec) as s:
        await s.ticks(1)
        assert switch(s, "dev").tripped
        assert "from the reference 103" in (switch(s, "dev").reason or "")
        assert await s.all_orders() == []


async def test_price_deviation_switch_stays_quiet_within_its_limit() -> None:
    spec = guarded(
        {"dev": {"id": "kill_switches.price_deviation",
                 "args": {"price": "@price", "reference": "@ticker",
                          "max_deviation": "0.05"}}},
        extra={"ticker": TICKER},
    )
    async with session(spec) as s:
        await s.ticks(10)
        assert not switch(s, "dev").tripped


async def test_drawdown_switch_trips_when_value_falls_from_its_peak() -> None:
    spec = guarded(
        {"dd": {"id": "kill_switches.drawdown",
                "args": {"exchange": "@sim", "symbol": SYMBOL, "price": "@mark",
                         "max_loss": "1"}}},
        extra={"mark": TICKER},
        venue=sim(volatility="3"),
    )
    async with session(spec) as s:
        await s.ticks(600)
        dd = s.graph["dd"]
        assert isinstance(dd, DrawdownSwitch)
        assert dd.tripped
        assert dd.peak is not None
        assert dd.value is not None
        assert dd.peak - dd.value > 1
        assert await s.own_open_orders() == []


async def test_consecutive_errors_switch_trips_after_failed_ticks_in_a_row() -> None:
    venue = sim(faults={"outages": [{"start": "5s", "duration": "20s"}]})
    spec = guarded(
        {"errors": {"id": "kill_switches.consecutive_errors", "args": {"max_errors": 3}}},
        venue=venue, max_consecutive_failures=1000,
    )
    async with session(spec) as s:
        await s.ticks(5)
        assert not switch(s, "errors").tripped
        await s.ticks(4)
        errors = s.graph["errors"]
        assert isinstance(errors, ConsecutiveErrorsSwitch)
        assert errors.tripped
        assert "3 ticks in a row failed" in (errors.reason or "")
        await s.ticks(30)  # after the outage, the halt cancels what was resting
        assert await s.own_open_orders() == []


async def test_consecutive_errors_switch_forgives_an_isolated_error() -> None:
    venue = sim(faults={"outages": [{"start": "5s", "duration": "1500ms"}]})
    spec = guarded(
        {"errors": {"id": "kill_switches.consecutive_errors", "args": {"max_errors": 3}}},
        venue=venue, max_consecutive_failures=1000,
    )
    async with session(spec) as s:
        await s.ticks(30)
        assert not switch(s, "errors").tripped


async def test_any_switch_trips_when_one_of_its_switches_does(tmp_path: Path) -> None:
    halt = tmp_path / "HALT"
    spec = guarded(
        {"any": {"id": "kill_switches.any", "args": {"switches": ["@halt", "@inv"]}}},
        extra={
            "halt": {"id": "kill_switches.manual_halt", "args": {"path": str(halt)}},
            "inv": {"id": "kill_switches.inventory",
                    "args": {"exchange": "@sim", "symbol": SYMBOL, "base_min": "1"}},
        },
    )
    async with session(spec) as s:
        await s.ticks(2)
        assert not switch(s, "any").tripped
        halt.touch()
        await s.ticks(1)
        aggregate = s.graph["any"]
        assert isinstance(aggregate, AnySwitch)
        assert aggregate.tripped
        assert (aggregate.reason or "").startswith("halt: halt file")
        assert await s.own_open_orders() == []
        halt.unlink()
        aggregate.reset()
        assert not switch(s, "halt").tripped


async def test_a_trip_with_on_trip_stop_ends_the_service(tmp_path: Path) -> None:
    halt = tmp_path / "HALT"
    halt.touch()
    spec = guarded({"halt": {"id": "kill_switches.manual_halt", "args": {"path": str(halt)}}},
                   on_trip="stop")
    async with session(spec) as s:
        await s.ticks(1)
        assert s.mm.stop_requested


def test_inventory_switch_needs_at_least_one_bound() -> None:
    spec = guarded({"inv": {"id": "kill_switches.inventory",
                            "args": {"exchange": "@sim", "symbol": SYMBOL}}})
    findings = [str(f) for f in validate(spec).findings]
    assert any("give at least one of base_min" in f for f in findings)
