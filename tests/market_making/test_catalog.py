"""The catalog entries of this area: registered, described, every arg documented."""

from __future__ import annotations

import importlib.metadata
from typing import Any

import pytest

from fortuna import Component

FAMILIES = ("market_making", "kill_switches", "prices")
IDS = sorted(
    entry.name
    for entry in importlib.metadata.entry_points(group="fortuna.components")
    if entry.name.split(".")[0] in FAMILIES and not entry.name.startswith("prices.sim")
)
EXPECTED = {
    "market_making", "market_making.risk",
    *(f"market_making.strategies.{s}"
      for s in ("ladder", "band", "skewed", "price_threshold", "multi")),
    "market_making.executors.exchange", "market_making.executors.dry_run",
    *(f"kill_switches.{k}" for k in ("inventory", "stale_data", "price_deviation", "drawdown",
                                     "consecutive_errors", "manual_halt", "any")),
    "prices.ticker", "prices.order_book", "prices.fixed",
}


def component(component_id: str) -> type[Component[Any]]:
    entry = importlib.metadata.entry_points(group="fortuna.components")[component_id]
    cls: type[Any] = entry.load()
    assert issubclass(cls, Component)
    return cls


def test_every_id_of_the_area_is_registered() -> None:
    assert set(IDS) >= EXPECTED


@pytest.mark.parametrize("component_id", sorted(EXPECTED))
def test_a_component_has_a_catalog_line_and_documented_args(component_id: str) -> None:
    cls = component(component_id)
    assert (cls.__doc__ or "").strip().splitlines()[0].endswith(".")
    undocumented = [name for name, f in cls.Args.model_fields.items() if not f.description]
    assert undocumented == []
