"""A ccxt venue's latency histogram, and its requests through a shared budget, in process."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from plugins.exchanges.ccxt.component import CcxtExchange
from plugins.exchanges.ccxt.family import FAMILY
from plugins.rate_limits.redis import RedisBudget
from schemas.limits import key_identity
from tests.ccxt.conftest import new_ledger
from tests.ccxt.standins.okx import OkxStandIn

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def budget() -> AsyncIterator[RedisBudget]:
    """A budget that refills too slowly to matter within a test (one token in 100 s)."""
    prefix = f"test:{uuid.uuid4().hex}:"
    component = RedisBudget(RedisBudget.Args(rate=0.01, burst=100, prefix=prefix))
    await component.load()
    yield component
    await component.unload()
    client = aioredis.Redis.from_url(REDIS)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


async def okx(url: str, budget: RedisBudget | None = None) -> CcxtExchange:
    cls = FAMILY.resolve("okx")
    assert issubclass(cls, CcxtExchange)
    venue = cls(cls.Args(api_key=SecretStr("key"), secret=SecretStr("secret"),
                         password=SecretStr("pass"), api_url=url, rate_limit=0.001,
                         rate_budget=budget))
    await venue.load()
    return venue


async def test_every_call_to_the_venue_is_one_latency_observation() -> None:
    standin = OkxStandIn(new_ledger())
    venue = await okx(await standin.start())
    try:
        for _ in range(3):
            await venue.fetch_ticker("BTC/USDT")

        class Venue:
            def collect(self) -> object:
                return venue.metrics()

        registry = CollectorRegistry()
        registry.register(Venue())  # type: ignore[arg-type]
        [family] = text_string_to_metric_families(generate_latest(registry).decode())
    finally:
        await venue.unload()
        await standin.stop()
    assert family.name == "fortuna_venue_latency_seconds"
    count = [s.value for s in family.samples if s.name.endswith("_count")]
    assert count == [4]  # loading the markets, then three tickers


async def test_a_call_that_sends_several_requests_takes_one_token_for_each(
    budget: RedisBudget
) -> None:
    standin = OkxStandIn(new_ledger())
    url = await standin.start()
    try:
        venue = await okx(url, budget)
        loading = len(standin.seen)
        await venue.fetch_ticker("BTC/USDT")
        await venue.unload()
    finally:
        await standin.stop()
    assert loading > 1  # okx loads currencies, then instruments
    assert budget.server_time is not None
    assert venue.budget_key == key_identity("okx", "key")
    assert budget.args.burst - await remaining(budget, venue.budget_key) == loading + 1


async def remaining(budget: RedisBudget, key: str) -> int:
    """Tokens left in ``key``'s bucket, read by taking none (cost 0 is always granted)."""
    await budget.take(key, 0)
    client = aioredis.Redis.from_url(REDIS)
    try:
        tokens = await client.hget(budget.args.prefix + key, "tokens")
    finally:
        await client.aclose()
    assert tokens is not None
    return int(float(tokens))
