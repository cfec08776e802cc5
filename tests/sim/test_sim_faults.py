"""Latency and injected faults, on the virtual clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from schemas import (
    ExchangeError,
    ExchangeUnavailable,
    NetworkError,
    OrderStatus,
    RateLimited,
    RequestTimeout,
)
from tests.sim.helpers import STATIC, SYMBOL, D, limit, new_clock, venue


async def test_every_call_takes_the_configured_latency_of_clock_time() -> None:
    clock = new_clock()
    sim = await venue(clock, latency="50ms", **STATIC)
    start = clock.now()
    ticker = await sim.fetch_ticker(SYMBOL)
    assert ticker.timestamp - start == timedelta(milliseconds=50)
    order = await sim.create_order(limit("buy", "1", "99.00"))
    assert order.timestamp - start == timedelta(milliseconds=100)


async def test_jitter_adds_a_seeded_delay_within_its_bound() -> None:
    clock = new_clock()
    sim = await venue(clock, latency="10ms", latency_jitter="20ms", **STATIC)
    stamps = []
    for _ in range(20):
        before = clock.time()
        await sim.fetch_balances()
        stamps.append(clock.time() - before)
    assert all(0.01 <= s <= 0.03 + 1e-9 for s in stamps)
    assert len({round(s, 6) for s in stamps}) > 1


async def test_an_outage_window_makes_every_call_unavailable_until_it_ends() -> None:
    clock = new_clock()
    sim = await venue(clock, faults={"outages": [{"start": "10s", "duration": "30s"}]}, **STATIC)
    await sim.fetch_balances()
    await clock.advance(15)
    with pytest.raises(ExchangeUnavailable) as down:
        await sim.create_order(limit("buy", "1", "99.00"))
    assert down.value.retryable
    await clock.advance(30)
    assert (await sim.create_order(limit("buy", "1", "99.00"))).status is OrderStatus.OPEN


async def test_an_error_rate_of_one_fails_every_call_with_a_retryable_network_error() -> None:
    sim = await venue(faults={"error_rate": D(1)}, **STATIC)
    with pytest.raises(NetworkError) as failed:
        await sim.fetch_ticker(SYMBOL)
    assert failed.value.retryable
    assert failed.value.venue == "sim"


async def test_an_error_rate_fails_about_that_fraction_of_calls() -> None:
    sim = await venue(faults={"error_rate": D("0.2")}, **STATIC)
    failures = 0
    for _ in range(1000):
        try:
            await sim.fetch_balances()
        except NetworkError:
            failures += 1
    assert 150 < failures < 250


async def test_faults_are_the_same_for_the_same_seed() -> None:
    async def pattern() -> list[bool]:
        sim = await venue(faults={"error_rate": D("0.5")}, **STATIC)
        outcome = []
        for _ in range(50):
            try:
                await sim.fetch_balances()
                outcome.append(True)
            except ExchangeError:
                outcome.append(False)
        return outcome

    assert await pattern() == await pattern()


async def test_a_timeout_waits_then_fails_and_a_placement_may_have_taken_effect() -> None:
    clock = new_clock()
    sim = await venue(clock, faults={"timeout_rate": D(1), "timeout": "5s"}, **STATIC)
    start = clock.time()
    for _ in range(20):
        with pytest.raises(RequestTimeout):
            await sim.create_order(limit("buy", "0.1", "99.00"))
    assert clock.time() - start == pytest.approx(100)
    placed = len(sim._account.open)
    assert 0 < placed < 20


async def test_calls_over_the_rate_limit_fail_with_a_retry_after() -> None:
    clock = new_clock()
    sim = await venue(clock, faults={"rate_limit": 5}, **STATIC)
    for _ in range(5):
        await sim.fetch_balances()
    with pytest.raises(RateLimited) as limited:
        await sim.fetch_balances()
    assert limited.value.retryable
    assert limited.value.retry_after == pytest.approx(1.0)
    await clock.advance(1)
    await sim.fetch_balances()


async def test_when_faults_are_off_nothing_fails() -> None:
    sim = await venue(**STATIC)
    for _ in range(100):
        await sim.fetch_balances()

