"""Mandates on the simulated venue, as the dicts an operator's YAML would load to."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from fortuna import Graph, start
from plugins.exchanges.sim.venue import SimExchange
from plugins.market_making.service import MarketMaking
from schemas import ExchangeError, Order

SYMBOL = "BTC/USDT"
MANDATE = "test_mm"


def sim(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "markets": [{"symbol": SYMBOL, "price": "100.00", "amount_increment": "0.001"}],
        "balances": {"BTC": "10", "USDT": "10000"},
        "seed": 7,
        "history": 100_000,
    }
    args.update(overrides)
    return {"id": "exchanges.sim", "args": args}


def ladder(**overrides: Any) -> dict[str, Any]:
    args = {"levels": 3, "spread": "0.002", "step": "0.001", "amount": "0.1", **overrides}
    return {"id": "market_making.strategies.ladder", "args": args}


def mandate(
    strategy: dict[str, Any] | None = None,
    *,
    venue: dict[str, Any] | None = None,
    price: dict[str, Any] | None = None,
    executor: dict[str, Any] | None = None,
    extra: dict[str, dict[str, Any]] | None = None,
    **service_args: Any,
) -> dict[str, Any]:
    """A market-making mandate on ``exchanges.sim`` with a virtual clock. The reference
    defaults to a fixed 100 (deterministic quotes); ``extra`` adds components."""
    components: dict[str, dict[str, Any]] = {
        "clock": {"id": "clock.virtual"},
        "sim": venue or sim(),
        "price": price or {"id": "prices.fixed", "args": {"price": "100"}},
        "strategy": strategy or ladder(),
        "executor": executor or {"id": "market_making.executors.exchange"},
        **(extra or {}),
    }
    args = {
        "exchange": "@sim",
        "symbol": SYMBOL,
        "price": "@price",
        "strategy": "@strategy",
        "executor": "@executor",
        "mandate": MANDATE,
        "interval": "1s",
        **service_args,
    }
    components["mm"] = {"id": "market_making", "args": args}
    return {"service": "@mm", "components": components}


@dataclass
class Session:
    graph: Graph
    mm: MarketMaking
    venue: SimExchange

    async def own_open_orders(self) -> list[Order]:
        """The mandate's open orders on the venue (asked again past injected faults)."""
        for _ in range(50):
            try:
                orders = await self.venue.fetch_open_orders(SYMBOL)
            except ExchangeError:
                continue
            return [o for o in orders if (o.client_order_id or "").startswith(f"{MANDATE}-")]
        raise AssertionError("the venue never answered")

    async def all_orders(self) -> list[Order]:
        """Every order the venue ever received on the market (open and final)."""
        closed = await self.venue.fetch_closed_orders(SYMBOL)
        return closed + await self.venue.fetch_open_orders(SYMBOL)

    failures: int = 0

    async def ticks(self, count: int) -> None:
        """``count`` ticks, one virtual second apart, driven by hand; a tick that raises
        is counted, as the service's tick loop would."""
        clock = self.graph.clock
        for _ in range(count):
            try:
                await self.mm.tick()
            except Exception:
                self.failures += 1
            await clock.sleep(1.0)


@contextlib.asynccontextmanager
async def session(spec: dict[str, Any], *, started: bool = True) -> AsyncIterator[Session]:
    """The loaded graph of ``spec``; ``on_start`` already run unless ``started=False``."""
    async with start(spec) as graph:
        mm = graph["mm"]
        venue = graph["sim"]
        assert isinstance(mm, MarketMaking)
        assert isinstance(venue, SimExchange)
        if started:
            await mm.on_start()
        yield Session(graph, mm, venue)
