"""Mandates for the listener tests: the price tests' idle mandate plus a listener or two."""

from __future__ import annotations

from typing import Any

from fortuna import Graph
from plugins.exchanges.sim.venue import SimExchange
from plugins.listeners._listener import Listener
from tests.prices.support import SYMBOL, mandate, sim

__all__ = ["SYMBOL", "listener", "mandate", "sim", "spec_of", "venue"]


def spec_of(kind: str, **args: Any) -> dict[str, Any]:
    """A ``listeners.<kind>`` component on the venue ``sim``."""
    market = {} if kind in ("balances", "open_orders", "closed_orders") else {"symbol": SYMBOL}
    return {"id": f"listeners.{kind}",
            "args": {"exchange": "@sim", "interval": "5s", **market, **args}}


def listener(graph: Graph, name: str) -> Listener[Any, Any]:
    component = graph[name]
    assert isinstance(component, Listener)
    return component


def venue(graph: Graph) -> SimExchange:
    component = graph["sim"]
    assert isinstance(component, SimExchange)
    return component
