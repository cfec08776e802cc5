"""Running an arbitrage mandate's service until it has executed, for the end-to-end tests."""

from __future__ import annotations

import asyncio

from fortuna import Graph
from plugins.arbitrage._decision import Execution
from plugins.arbitrage.service import Arbitrage

__all__ = ["first_legs", "until_executed"]


async def until_executed(graph: Graph, seconds: float = 30.0) -> tuple[Arbitrage, list[Execution]]:
    """Run the graph's arbitrage service until its first execution (or ``seconds``), stop
    it, and return it with every execution it recorded. The service exposes no event: its
    record is polled every 0.2 s."""
    service = graph.service
    assert isinstance(service, Arbitrage)
    running = asyncio.ensure_future(service.run())
    for _ in range(int(seconds / 0.2)):
        if service.executions:
            break
        await asyncio.sleep(0.2)
    service.request_stop()
    await asyncio.wait_for(running, 30)
    return service, list(service.executions)


def first_legs(executions: list[Execution]) -> tuple[str, str]:
    """The venues (buy, sell) of the first execution, which must exist and be complete,
    both legs done."""
    assert executions, "no arbitrage was executed"
    first = executions[0]
    assert first.complete
    assert first.buy is not None
    assert first.sell is not None
    return first.buy.venue, first.sell.venue
