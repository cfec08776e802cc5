"""Mandates for the price tests: a virtual clock, simulated venues, an idle root service."""

from __future__ import annotations

from typing import Any

from fortuna import Graph
from schemas import PriceProvider

SYMBOL = "BTC/USDT"


def sim(price: str = "100.00", seed: int = 3, **args: Any) -> dict[str, Any]:
    """An ``exchanges.sim`` component of one market."""
    return {"id": "exchanges.sim",
            "args": {"markets": [{"symbol": SYMBOL, "price": price}], "seed": seed, **args}}


def fixed(price: str) -> dict[str, Any]:
    return {"id": "prices.fixed", "args": {"price": price}}


def mandate(components: dict[str, Any]) -> dict[str, Any]:
    """``components`` on the virtual clock, beside a venue ``sim`` (unless given) and an idle
    market-making service quoting nothing (a mandate needs a root service)."""
    return {
        "service": "@idle",
        "components": {
            "clock": {"id": "clock.virtual"},
            "sim": sim(),
            "idle_price": fixed("100"),
            "idle": {"id": "market_making", "args": {
                "exchange": "@sim", "symbol": SYMBOL, "price": "@idle_price",
                "mandate": "idle", "strategy": "@idle_ladder", "executor": "@idle_dry",
                "interval": "1s"}},
            "idle_ladder": {"id": "market_making.strategies.ladder",
                            "args": {"spread": "0.01", "amount": "1"}},
            "idle_dry": {"id": "market_making.executors.dry_run"},
            **components,
        },
    }


def provider(graph: Graph, name: str) -> PriceProvider:
    component = graph[name]
    assert isinstance(component, PriceProvider)
    return component
