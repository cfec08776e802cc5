"""Execution mandates on the simulated venue with a virtual clock, as an operator's YAML
would load to, and a session that drives their ticks by hand."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fortuna import Graph, start
from plugins.exchanges.sim.venue import SimExchange
from plugins.execution._parent import ExecutionService
from plugins.execution._progress import CompletionReport
from plugins.execution._service import ParentService
from schemas import ExchangeError, Order

SYMBOL = "BTC/USDT"
MANDATE = "exec_test"
D = Decimal


def sim(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "markets": [{"symbol": SYMBOL, "price": "100.00", "amount_increment": "0.001",
                     "level_amount": "5"}],
        "balances": {"BTC": "100", "USDT": "1000000"},
        "seed": 11,
        "history": 100_000,
    }
    args.update(overrides)
    return {"id": "exchanges.sim", "args": args}


def mandate(algorithm: str, *, venue: dict[str, Any] | None = None,
            extra: dict[str, dict[str, Any]] | None = None,
            services: tuple[str, ...] = ("algo",), **args: Any) -> dict[str, Any]:
    """A mandate whose service ``algo`` is ``execution.<algorithm>``; ``services`` names
    more services of the same args (a second run of the mandate, in the same graph)."""
    components: dict[str, dict[str, Any]] = {
        "clock": {"id": "clock.virtual"},
        "sim": venue or sim(),
        **(extra or {}),
    }
    service_args = {"exchange": "@sim", "symbol": SYMBOL, "side": "buy", "amount": "10",
                    "mandate": MANDATE, "interval": "1s", **args}
    for name in services:
        components[name] = {"id": f"execution.{algorithm}", "args": dict(service_args)}
    return {"service": f"@{services[0]}", "components": components}


@dataclass
class Session:
    graph: Graph
    venue: SimExchange
    service: ExecutionService[Any]
    failures: list[BaseException] = field(default_factory=list)

    async def own_open_orders(self) -> list[Order]:
        for _ in range(50):
            try:
                orders = await self.venue.fetch_open_orders(SYMBOL)
            except ExchangeError:
                continue
            return [o for o in orders if (o.client_order_id or "").startswith(f"{MANDATE}-")]
        raise AssertionError("the venue never answered")

    steps: int = 0

    async def step(self, service: ExecutionService[Any] | None = None) -> bool:
        """:func:`tick_once` for ``service`` (the session's by default)."""
        self.steps += 1
        return await tick_once(self.graph, service or self.service, first=self.steps == 1,
                               failures=self.failures)


async def tick_once(graph: Graph, service: ParentService[Any], *, first: bool,
                    failures: list[BaseException]) -> bool:
    """One interval of the clock (none before the ``first`` tick), then one tick, so what a
    test reads next is what the tick left (a failure is kept in ``failures``); False once
    the service asked to stop."""
    if not first:
        await graph.clock.sleep(service.args.interval)
    try:
        await service.tick()
    except Exception as exc:
        failures.append(exc)
    return not service.stop_requested


@contextlib.asynccontextmanager
async def session(spec: dict[str, Any], *, started: bool = True,
                  name: str = "algo") -> AsyncIterator[Session]:
    async with start(spec) as graph:
        service = graph[name]
        venue = graph["sim"]
        assert isinstance(service, ExecutionService)
        assert isinstance(venue, SimExchange)
        if started:
            await service.on_start()
        yield Session(graph, venue, service)


def venue_of(graph: Graph) -> SimExchange:
    venue = graph["sim"]
    assert isinstance(venue, SimExchange)
    return venue


def report_of(graph: Graph, name: str = "algo") -> CompletionReport:
    """The completion report of the service ``name`` after its run."""
    service = graph[name]
    assert isinstance(service, ExecutionService)
    assert service.report is not None, "the service logged no report"
    return service.report
