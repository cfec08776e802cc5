"""The runtime API: ``start`` for embedding, ``run`` for a whole run."""

from __future__ import annotations

import asyncio

import pytest

from fortuna import Finding, LoadError, MandateError
from fortuna._internal.plan import Plan
from fortuna._internal.runtime import run, start
from fortuna._internal.ticker import TickerFailed
from tests.runtime.runtime_parts import (
    JOURNALS,
    IdleService,
    Journal,
    Part,
    RecordingTicks,
    plan_of,
    planned,
    refs,
    virtual_clock,
)


@pytest.fixture
def journal(request: pytest.FixtureRequest) -> str:
    key: str = request.node.name
    JOURNALS[key] = Journal()
    return key


def ticking_plan(journal: str, **service_args: object) -> Plan:
    return plan_of(
        virtual_clock(),
        planned("venue", Part, {"journal": journal}, line=3),
        planned(
            "mm",
            RecordingTicks,
            {"journal": journal, "interval": "1m", **service_args},
            line=6,
            deps=["venue"],
        ),
        clock="clock",
    )


async def test_start_yields_a_loaded_graph_and_unloads_it_on_exit(journal: str) -> None:
    async with start(ticking_plan(journal)) as graph:
        assert graph.loaded == ["clock", "venue", "mm"]
        assert JOURNALS[journal].of("load") == ["venue"]
    assert graph.loaded == []
    assert JOURNALS[journal].of("unload") == ["venue"]


async def test_run_runs_the_service_until_it_returns_then_unloads(journal: str) -> None:
    graph = await run(ticking_plan(journal, stop_after=60))
    service = graph["mm"]
    assert isinstance(service, RecordingTicks)
    assert len(service.times) == 60
    assert graph.clock.monotonic() == 59 * 60  # an hour of one-minute ticks, rehearsed
    assert JOURNALS[journal].events[-3:] == ["on_stop:60", "unload-start:venue", "unload:venue"]


async def test_run_reraises_the_services_failure_after_unloading(journal: str) -> None:
    plan = ticking_plan(journal, fail_ticks=[0, 1], max_consecutive_failures=2)
    with pytest.raises(TickerFailed):
        await run(plan)
    assert JOURNALS[journal].of("unload") == ["venue"]


async def test_run_raises_a_load_error_and_runs_nothing(journal: str) -> None:
    plan = plan_of(
        planned("venue", Part, {"journal": journal, "fail_load": True}, line=3),
        planned("svc", IdleService, {"journal": journal}, line=6),
    )
    with pytest.raises(LoadError, match=r"mandate.yaml:3:5: components.venue"):
        await run(plan)
    assert JOURNALS[journal].of("run") == []


async def test_a_stop_requested_while_running_stops_the_service_and_unloads(journal: str) -> None:
    plan = plan_of(
        planned("venue", Part, {"journal": journal}, line=3),
        planned(
            "svc", IdleService, {"journal": journal, "needs": refs("venue")}, line=6, deps=["venue"]
        ),
    )
    stop = asyncio.Event()
    running = asyncio.ensure_future(run(plan, stop=stop))
    await JOURNALS[journal].reached("run:svc")
    stop.set()
    await asyncio.wait_for(running, timeout=5)
    assert JOURNALS[journal].events[-3:] == ["stopped:svc", "unload-start:venue", "unload:venue"]


async def test_a_stop_during_loading_aborts_it_and_unloads_what_loaded(journal: str) -> None:
    plan = plan_of(
        planned("venue", Part, {"journal": journal}, line=3),
        planned("slow", Part, {"journal": journal, "load_seconds": 3600}, line=5),
        planned("svc", IdleService, {"journal": journal}, line=6, deps=["venue", "slow"]),
    )
    stop = asyncio.Event()
    running = asyncio.ensure_future(run(plan, stop=stop))
    await JOURNALS[journal].reached("load-start:slow")
    stop.set()
    await asyncio.wait_for(running, timeout=5)
    assert JOURNALS[journal].of("unload") == ["venue"]
    assert JOURNALS[journal].of("run") == []


async def test_run_refuses_a_plan_with_missing_environment_variables(journal: str) -> None:
    missing = Finding(
        "mandate.yaml",
        "components.venue.args.api_key",
        "environment variable BINANCE_KEY is not set",
    )
    plan = Plan(**{**ticking_plan(journal).__dict__, "missing_env": (missing,)})
    with pytest.raises(MandateError) as caught:
        await run(plan)
    assert caught.value.findings == [missing]
    assert JOURNALS[journal].events == []


async def test_a_duration_stops_the_run_gracefully_after_that_much_clock_time(
    journal: str,
) -> None:
    plan = plan_of(
        virtual_clock(),
        planned("svc", IdleService, {"journal": journal}, line=6),
        clock="clock",
    )
    graph = await run(plan, duration=86_400)
    assert graph.clock.monotonic() == 86_400
    assert JOURNALS[journal].events == ["run:svc", "stopped:svc"]
