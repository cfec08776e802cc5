"""N ``exchanges.ccxt.binance`` instances in one process, sharing one Redis budget.

``python -m tests.ops.budget_child URL PREFIX INSTANCES RATE BURST SECONDS API_KEY GRANTS``:
each instance loads (its markets), then asks for the ticker as fast as it can for SECONDS;
the budget (``rate_limits.redis``) is the only pacing (ccxt's own is set to 1 ms). Writes
the Redis time of every grant to GRANTS (JSON) and prints the number of tickers fetched.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from pydantic import SecretStr

from plugins.exchanges.ccxt.component import CcxtExchange
from plugins.exchanges.ccxt.family import FAMILY
from plugins.rate_limits.redis import RedisBudget


class Stamped(RedisBudget):
    """The budget, noting Redis's time at every grant."""

    grants: list[float]

    async def acquire(self, key: str, cost: int = 1) -> None:
        await super().acquire(key, cost)
        assert self.server_time is not None
        self.grants.append(self.server_time)


async def main(url: str, prefix: str, instances: int, rate: float, burst: int, seconds: float,
               api_key: str) -> tuple[int, list[float]]:
    budget = Stamped(Stamped.Args(rate=rate, burst=burst, prefix=prefix))
    budget.grants = []
    await budget.load()
    cls = FAMILY.resolve("binance")
    assert issubclass(cls, CcxtExchange)
    venues = [cls(cls.Args(api_key=SecretStr(api_key), secret=SecretStr("secret"),
                           api_url=url, rate_limit=0.001, rate_budget=budget))
              for _ in range(instances)]
    await asyncio.gather(*(venue.load() for venue in venues))
    deadline = time.monotonic() + seconds
    fetched = 0

    async def hammer(venue: CcxtExchange) -> None:
        nonlocal fetched
        while time.monotonic() < deadline:
            await venue.fetch_ticker("BTC/USDT")
            fetched += 1

    await asyncio.gather(*(hammer(venue) for venue in venues))
    for venue in venues:
        await venue.unload()
    await budget.unload()
    return fetched, budget.grants


if __name__ == "__main__":
    url, prefix, instances, rate, burst, seconds, api_key, grants = sys.argv[1:9]
    fetched, granted = asyncio.run(main(url, prefix, int(instances), float(rate), int(burst),
                                        float(seconds), api_key))
    Path(grants).write_text(json.dumps(granted))
    print(fetched)
