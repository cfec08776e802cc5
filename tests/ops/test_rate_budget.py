"""``rate_limits.redis``: one request budget per API key, shared by many processes.

Real parts: the Redis server at 127.0.0.1:6379, real ccxt in child processes, and the
Binance stand-in counting every request it receives. Each test uses keys under a prefix
of its own (a fresh uuid) and deletes them.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp import web
from aiohttp.typedefs import Handler

from plugins.rate_limits.redis import RedisBudget
from schemas import ExchangeUnavailable
from schemas.limits import key_identity
from tests.ccxt.conftest import new_ledger
from tests.ccxt.standins.binance import BinanceStandIn
from tests.sinks.support import CuttableProxy

REDIS = "redis://127.0.0.1:6379/0"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class CountingBinance(BinanceStandIn):
    """The Binance stand-in, noting when each request arrived (monotonic seconds)."""

    def __init__(self) -> None:
        super().__init__(new_ledger())
        self.arrivals: list[float] = []

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.arrivals.append(time.monotonic())
        return await super()._middleware(request, handler)


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    name = f"test:{uuid.uuid4().hex}:"
    yield name
    client = aioredis.Redis.from_url(REDIS)
    try:
        keys = [key async for key in client.scan_iter(match=f"{name}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


async def budget(prefix: str, rate: float, burst: int, url: str = REDIS) -> RedisBudget:
    component = RedisBudget(RedisBudget.Args.model_validate(
        {"url": url, "rate": rate, "burst": burst, "prefix": prefix}))
    await component.load()
    return component


def most_in_any_window(arrivals: list[float], window: float) -> int:
    times = sorted(arrivals)
    most, first = 0, 0
    for last, at in enumerate(times):
        while times[first] < at - window:
            first += 1
        most = max(most, last - first + 1)
    return most


async def test_thirty_exchange_instances_in_six_processes_never_exceed_the_shared_rate(
    prefix: str, tmp_path: Path
) -> None:
    rate, burst, seconds = 40.0, 5, 4.0
    venue = CountingBinance()
    url = await venue.start()
    try:
        children = [
            await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tests.ops.budget_child", url, prefix, "5", str(rate),
                str(burst), str(seconds), "one-api-key", str(tmp_path / f"grants{i}.json"),
                cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            for i in range(6)
        ]
        outputs = [await child.communicate() for child in children]
    finally:
        await venue.stop()
    assert [child.returncode for child in children] == [0] * 6, outputs
    fetched = sum(int(out.decode().strip()) for out, _ in outputs)
    arrivals = venue.arrivals
    assert len(arrivals) == fetched + 30  # a ticker each, and each instance's markets
    grants = [t for i in range(6) for t in json.loads((tmp_path / f"grants{i}.json").read_text())]
    assert len(grants) == len(arrivals)  # every request the venue saw was granted first
    for window in (0.1, 0.25, 1.0, 3.0):
        # On Redis's clock, exactly the token bucket's bound (timestamps to the microsecond).
        assert most_in_any_window(grants, window) <= burst + rate * (window + 2e-6)
        # At the venue, requests arrive later than granted, each by its own delay: on this
        # shared machine the stand-in's process may be off the CPU for a few tenths of a
        # second, then stamps the requests that waited all at once.
        assert most_in_any_window(arrivals, window) <= burst + rate * (window + 0.5)
    # The budget was the limit, not the demand: some one-second window was nearly full.
    assert most_in_any_window(grants, 1.0) >= 0.7 * rate


async def test_a_bucket_grants_its_burst_at_once_then_tells_how_long_to_wait(
    prefix: str
) -> None:
    component = await budget(prefix, rate=10.0, burst=3)
    try:
        assert [await component.take("venue:k") for _ in range(3)] == [0.0, 0.0, 0.0]
        wait = await component.take("venue:k")
        assert 0.0 < wait <= 0.1
        assert await component.take("venue:other") == 0.0  # another key, another budget
    finally:
        await component.unload()


async def test_the_bucket_key_is_a_hash_of_the_api_key_never_the_key(prefix: str) -> None:
    component = await budget(prefix, rate=10.0, burst=3)
    try:
        await component.acquire(key_identity("binance", "AKIA-very-secret-key"))
    finally:
        await component.unload()
    client = aioredis.Redis.from_url(REDIS)
    try:
        keys = [key.decode() async for key in client.scan_iter(match=f"{prefix}*")]
    finally:
        await client.aclose()
    assert keys == [prefix + key_identity("binance", "AKIA-very-secret-key")]
    assert "AKIA" not in keys[0]


def test_one_api_key_is_one_budget_per_venue() -> None:
    assert key_identity("binance", "k1") == key_identity("binance", "k1")
    assert key_identity("binance", "k1") != key_identity("binance", "k2")
    assert key_identity("binance", "k1") != key_identity("okx", "k1")
    assert key_identity("binance", None) == "binance:public"


async def test_a_budget_without_redis_fails_to_load() -> None:
    with pytest.raises(ConnectionError, match="Redis unreachable"):
        await budget("x:", rate=1.0, burst=1, url="redis://127.0.0.1:1/0")


async def test_losing_redis_makes_a_request_fail_as_the_venue_unavailable(prefix: str) -> None:
    proxy = CuttableProxy("127.0.0.1", 6379)
    await proxy.start()
    component = await budget(prefix, rate=100.0, burst=10,
                             url=f"redis://127.0.0.1:{proxy.port}/0")
    try:
        await component.acquire("venue:k")
        await proxy.cut()
        with pytest.raises(ExchangeUnavailable, match="Redis did not answer"):
            await component.acquire("venue:k")
    finally:
        await component.unload()
        await proxy.close()


async def test_a_request_larger_than_the_bucket_is_refused(prefix: str) -> None:
    component = await budget(prefix, rate=1.0, burst=2)
    try:
        with pytest.raises(ValueError, match="never fits"):
            await component.acquire("venue:k", cost=3)
    finally:
        await component.unload()


@pytest.mark.parametrize(("args", "message"), [
    ({"rate": 0}, "greater than 0"),
    ({"rate": 1, "burst": 0}, "greater than or equal to 1"),
])
def test_rate_and_burst_are_bounded(args: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RedisBudget.Args.model_validate(args)
