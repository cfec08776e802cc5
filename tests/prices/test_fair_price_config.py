"""configs/market_making/fair_price.yaml: a composite fair price from two venues, with
staleness guards, and kill switches that read listeners instead of the venue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

import fortuna
from fortuna import Mandate, validate
from plugins.listeners._listener import Listener
from plugins.market_making.service import MarketMaking
from plugins.prices.median import MedianPrice
from schemas.risk import KillSwitch

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "market_making" / "fair_price.yaml"
VENUES = {"alpha", "beta"}


def components() -> dict[str, Any]:
    loaded = yaml.safe_load(CONFIG.read_text())
    assert isinstance(loaded, dict)
    found = loaded["components"]
    assert isinstance(found, dict)
    return found


def references(value: Any) -> set[str]:
    if isinstance(value, str) and value.startswith("@") and not value.startswith("@@"):
        return {value[1:]}
    if isinstance(value, dict):
        return set().union(*(references(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(references(v) for v in value))
    return set()


def test_the_fair_price_config_validates() -> None:
    assert list(validate(Mandate.from_file(CONFIG)).findings) == []


def test_only_listeners_and_the_quoting_service_call_the_venues() -> None:
    readers = {name for name, spec in components().items()
               if references(spec.get("args", {})) & VENUES}
    kinds = {components()[name]["id"] for name in readers}
    assert kinds == {"listeners.ticker", "listeners.trades", "listeners.balances",
                     "market_making"}


def test_the_kill_switches_read_listeners_through_prices_never_a_venue() -> None:
    specs = components()

    def reaches(name: str) -> set[str]:
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            for ref in references(specs.get(current, {}).get("args", {})):
                if ref in specs and ref not in seen:
                    seen.add(ref)
                    if not specs[ref]["id"].startswith("listeners."):
                        todo.append(ref)  # a listener is where reading stops
        return seen

    switches = [n for n, s in specs.items() if s["id"].startswith("kill_switches.")]
    assert len(switches) == 4
    for switch in switches:
        assert not reaches(switch) & VENUES, switch
        assert any(specs[r]["id"].startswith("listeners.") for r in reaches(switch)), switch


async def test_a_rehearsal_quotes_around_the_fair_price_with_no_switch_tripped() -> None:
    graph = await fortuna.run(Mandate.from_file(CONFIG), duration=600)
    mm, fair, ticker = graph["mm"], graph["fair"], graph["alpha_ticker"]
    assert isinstance(mm, MarketMaking)
    assert isinstance(fair, MedianPrice)
    assert isinstance(ticker, Listener)
    assert mm.ticks >= 600
    assert not mm.halted
    assert ticker.fetches == 601  # once at load, then every second for 600 s
    for name in ("stale_fair", "venues_apart", "inventory", "drawdown"):
        switch = graph[name]
        assert isinstance(switch, KillSwitch)
        assert not switch.tripped, switch.reason


async def test_a_silent_venue_pulls_the_quotes_then_trips_the_staleness_guard() -> None:
    text = CONFIG.read_text().replace(
        "      price_offset: 0.0005\n",
        "      price_offset: 0.0005\n      faults: {outages: [{start: 2m, duration: 1h}]}\n")
    graph = await fortuna.run(Mandate.from_yaml(text), duration=300)
    mm, stale = graph["mm"], graph["stale_fair"]
    assert isinstance(mm, MarketMaking)
    assert isinstance(stale, KillSwitch)
    assert mm.halted
    assert stale.tripped
    assert stale.reason is not None
    assert "no price for" in stale.reason
    assert mm.args.executor.resting == []
