"""The shipped demo mandate, unchanged but for injected venue faults: an outage, a venue
that never comes back, a rate limit. No order is ever left resting unknowingly."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from fortuna import LeftBehind, start
from fortuna._internal.clock import VirtualClock
from fortuna._internal.loader import load_file
from fortuna._internal.ticker import TickerFailed
from plugins.exchanges.sim.venue import SimExchange
from plugins.kill_switches.consecutive_errors import ConsecutiveErrorsSwitch
from plugins.market_making.service import MarketMaking

ROOT = Path(__file__).resolve().parents[2]
SYMBOL = "BTC/USDT"


def demo(tmp_path: Path, faults: dict[str, Any]) -> dict[str, Any]:
    """configs/demo.yaml as shipped, with ``faults`` on its venue and its SQLite file in
    ``tmp_path``."""
    data = copy.deepcopy(load_file(str(ROOT / "configs" / "demo.yaml")).data)
    components = data["components"]
    components["sim"]["args"]["faults"] = faults
    components["metrics_db"]["args"]["path"] = str(tmp_path / "demo.sqlite")
    components["manual_halt"]["args"]["path"] = str(tmp_path / "HALT")
    return dict(data)


class Run:
    def __init__(self, graph: Any) -> None:
        self.graph = graph
        self.mm: MarketMaking = graph["mm"]
        self.sim: SimExchange = graph["sim"]
        self.clock: VirtualClock = graph.clock

    async def resting(self) -> list[str]:
        """Ids of the mandate's orders resting on the venue (read once the venue is up)."""
        return sorted(o.id for o in await self.sim.fetch_open_orders(SYMBOL)
                      if (o.client_order_id or "").startswith("demo-"))


async def test_a_ten_minute_outage_with_the_shipped_defaults_leaves_no_order_resting(
    tmp_path: Path,
) -> None:
    spec = demo(tmp_path, {"outages": [{"start": "10m", "duration": "10m"}]})
    async with start(spec) as graph:
        run = Run(graph)
        with pytest.raises(TickerFailed):
            await run.mm.run()
        assert run.clock.monotonic() > 20 * 60  # it kept cancelling until the venue was back
        assert run.mm.left_behind == []
        assert await run.resting() == []
        assert len(await run.sim.fetch_closed_orders(SYMBOL)) > 0  # it did quote before


async def test_a_venue_that_never_returns_ends_with_the_exact_list_of_orders_left(
    tmp_path: Path,
) -> None:
    spec = demo(tmp_path, {"outages": [{"start": "10m", "duration": "30d"}]})
    async with start(spec) as graph:
        run = Run(graph)
        with pytest.raises(LeftBehind) as left:
            await run.mm.run()
        gave_up_at = run.clock.monotonic()
        assert 10 * 60 + 900 <= gave_up_at < 10 * 60 + 900 + 120  # cancel_timeout: 15 min
        assert isinstance(left.value.__cause__, TickerFailed)
        # The venue's own book, read behind its outage (the test's oracle, not a client's
        # view): every order it holds for the mandate is listed, and nothing else.
        held = sorted(o.id for o in run.sim._account.open.values()
                      if (o.client_order_id or "").startswith("demo-"))
        listed = sorted(str(item["id"]) for item in left.value.items)
        assert listed
        assert listed == held
        assert {item["venue"] for item in left.value.items} == {"sim"}
        assert all(item["client_order_id"].startswith("demo-")
                   for item in left.value.items)


async def test_a_venue_limited_to_three_calls_a_second_is_paced_not_failed(
    tmp_path: Path,
) -> None:
    spec = demo(tmp_path, {"rate_limit": 3})
    async with start(spec) as graph:
        run = Run(graph)
        await run.mm.run()  # the shipped duration (1 h): no exception, no give-up
        assert run.mm.pacing.refusals > 0  # the venue did refuse calls...
        assert run.mm.pacing.pace is not None
        assert run.mm.pacing.pace <= 3
        assert run.mm.ticker.failures == 0  # ...and no tick failed for it
        assert run.mm.ticks > 100
        assert run.mm.left_behind == []
        await run.clock.advance(2.0)  # the test's own reads count against the limit too
        assert len(await run.sim.fetch_closed_orders(SYMBOL)) > 0  # it quoted
        await run.clock.advance(2.0)
        assert await run.resting() == []


async def test_failed_ticks_trip_a_consecutive_errors_switch_before_the_service_gives_up(
) -> None:
    from tests.market_making.mandates import mandate, sim

    switch = {"id": "kill_switches.consecutive_errors", "args": {"max_errors": 3}}
    spec = mandate(venue=sim(faults={"outages": [{"start": "30s", "duration": "5m"}]}),
                   extra={"errors": switch}, kill_switches=["@errors"],
                   max_consecutive_failures=3, interval="1s", duration="10m")
    async with start(spec) as graph:
        mm = graph["mm"]
        venue = graph["sim"]
        assert isinstance(mm, MarketMaking)
        assert isinstance(venue, SimExchange)
        await mm.run()  # the third failure trips the switch first: the halt takes over
        errors = graph["errors"]
        assert isinstance(errors, ConsecutiveErrorsSwitch)
        assert errors.tripped
        assert mm.halted
        assert mm.ticker.failures == 2
        assert mm.left_behind == []
        assert await venue.fetch_open_orders(SYMBOL) == []  # cancelled once it was back
