"""The container: one instance per name, dependency-ordered concurrent loading, reverse
unloading, rollback on a failed load, and bounded unloads."""

from __future__ import annotations

import asyncio
import time

import pytest

from fortuna import LoadError, Position
from fortuna._internal.clock import VirtualClock, WallClock
from fortuna._internal.container import Graph
from fortuna._internal.plan import PlannedComponent
from tests.runtime.runtime_parts import (
    JOURNALS,
    SOURCE,
    IdleService,
    Journal,
    Part,
    Quiet,
    plan_of,
    planned,
    refs,
    virtual_clock,
)


@pytest.fixture
def journal(request: pytest.FixtureRequest) -> Journal:
    key = request.node.name
    JOURNALS[key] = Journal()
    return JOURNALS[key]


def part(name: str, journal: Journal, line: int, *needs: str, **args: object) -> PlannedComponent:
    key = next(k for k, v in JOURNALS.items() if v is journal)
    return planned(
        name, Part, {"journal": key, "needs": refs(*needs), **args}, line=line, deps=needs
    )


async def test_components_load_after_their_dependencies_and_unload_in_reverse(
    journal: Journal,
) -> None:
    plan = plan_of(
        part("venue", journal, 3),
        part("prices", journal, 6, "venue"),
        part("strategy", journal, 9, "prices", "venue"),
    )
    graph = Graph(plan)
    await graph.load()
    assert journal.of("load") == ["venue", "prices", "strategy"]
    assert graph.loaded == ["venue", "prices", "strategy"]
    await graph.unload()
    assert journal.of("unload") == ["strategy", "prices", "venue"]
    assert graph.loaded == []


async def test_unload_follows_the_reverse_of_load_completion_not_of_the_file(
    journal: Journal,
) -> None:
    plan = plan_of(
        virtual_clock(),
        part("slow", journal, 3, load_seconds=5),
        part("fast", journal, 6, load_seconds=1),
        clock="clock",
    )
    async with Graph(plan) as graph:
        assert journal.of("load") == ["fast", "slow"]
        assert graph.loaded == ["clock", "fast", "slow"]  # the clock loads first, alone
    assert journal.of("unload") == ["slow", "fast"]


async def test_independent_components_load_concurrently(journal: Journal) -> None:
    parts = [part(f"exchange_{i}", journal, 3 + i, load_seconds=1) for i in range(30)]
    graph = Graph(plan_of(virtual_clock(), *parts, clock="clock"))
    assert isinstance(graph.clock, VirtualClock)
    await graph.load()
    # Thirty one-second loads, all at once: one second of (virtual) time, not thirty.
    assert graph.clock.monotonic() == 1.0
    assert len(journal.of("load")) == 30
    await graph.unload()


async def test_independent_loads_overlap_in_real_time(journal: Journal) -> None:
    parts = [part(f"exchange_{i}", journal, 3 + i, load_seconds=0.2) for i in range(30)]
    graph = Graph(plan_of(*parts))
    started = time.perf_counter()
    await graph.load()
    elapsed = time.perf_counter() - started
    await graph.unload()
    assert elapsed < 3.0  # sequential would be 6 s; concurrent is about 0.2 s


async def test_a_component_starts_loading_only_when_all_its_dependencies_have_loaded(
    journal: Journal,
) -> None:
    plan = plan_of(
        virtual_clock(),
        part("a", journal, 3, load_seconds=1),
        part("b", journal, 6, load_seconds=3),
        part("both", journal, 9, "a", "b"),
        part("only_a", journal, 12, "a"),
        clock="clock",
    )
    graph = Graph(plan)
    await graph.load()
    events = journal.events
    assert events.index("load-start:both") > events.index("load:b")
    assert events.index("load-start:only_a") < events.index("load:b")
    await graph.unload()


async def test_the_third_of_five_failing_rolls_back_in_reverse_and_names_it(
    journal: Journal,
) -> None:
    plan = plan_of(
        part("first", journal, 3),
        part("second", journal, 6, "first"),
        part("third", journal, 9, "second", fail_load=True),
        part("fourth", journal, 12, "third"),
        part("fifth", journal, 15, "fourth"),
    )
    graph = Graph(plan)
    with pytest.raises(LoadError) as caught:
        await graph.load()
    assert journal.of("load") == ["first", "second"]
    assert journal.of("unload") == ["second", "first"]
    assert "load-start:fourth" not in journal.events
    error = caught.value
    assert error.name == "third"
    assert error.position == Position(9, 5)
    assert str(error).startswith(f"{SOURCE}:9:5: components.third: tests.part failed to load")
    assert "cannot reach its venue" in str(error)
    assert graph.loaded == []


async def test_loads_in_flight_when_one_fails_finish_and_are_unloaded(journal: Journal) -> None:
    plan = plan_of(
        virtual_clock(),
        part("broken", journal, 3, load_seconds=1, fail_load=True),
        part("slow", journal, 6, load_seconds=5),
        part("after_slow", journal, 9, "slow"),
        clock="clock",
    )
    graph = Graph(plan)
    with pytest.raises(LoadError, match=r"components\.broken"):
        await graph.load()
    assert journal.of("load") == ["slow"]
    assert journal.of("unload") == ["slow"]
    assert "load-start:after_slow" not in journal.events


async def test_a_cancelled_load_unloads_what_loaded(journal: Journal) -> None:
    plan = plan_of(part("quick", journal, 3), part("stuck", journal, 6, load_seconds=3600))
    graph = Graph(plan)
    loading = asyncio.ensure_future(graph.load())
    await journal.reached("load-start:stuck")
    loading.cancel()
    with pytest.raises(asyncio.CancelledError):
        await loading
    assert journal.of("unload") == ["quick"]
    assert graph.loaded == []


async def test_a_hanging_unload_is_abandoned_after_the_timeout(journal: Journal) -> None:
    plan = plan_of(
        part("first", journal, 3),
        part("hangs", journal, 6, "first", unload_seconds=3600),
        part("last", journal, 9, "hangs"),
    )
    graph = Graph(plan, unload_timeout=0.2)
    await graph.load()
    started = time.perf_counter()
    await graph.unload()
    assert time.perf_counter() - started < 5
    assert journal.of("unload-start") == ["last", "hangs", "first"]
    assert journal.of("unload") == ["last", "first"]


async def test_a_failing_unload_does_not_stop_the_others(journal: Journal) -> None:
    plan = plan_of(
        part("first", journal, 3),
        part("breaks", journal, 6, "first", fail_unload=True),
        part("last", journal, 9, "breaks"),
    )
    graph = Graph(plan)
    await graph.load()
    await graph.unload()
    assert journal.of("unload") == ["last", "first"]


async def test_one_name_is_one_instance_for_every_reference(journal: Journal) -> None:
    plan = plan_of(
        part("venue", journal, 3),
        part("left", journal, 6, "venue"),
        part("right", journal, 9, "venue", "venue"),
    )
    graph = Graph(plan)
    venue = graph["venue"]
    assert graph["left"].args.needs == [venue]
    assert graph["right"].args.needs[0] is venue
    assert graph["right"].args.needs[1] is venue
    await graph.load()
    assert journal.of("load").count("venue") == 1
    await graph.unload()


async def test_every_component_gets_its_name_id_position_and_the_graph_clock(
    journal: Journal,
) -> None:
    graph = Graph(plan_of(virtual_clock(), part("venue", journal, 7), clock="clock"))
    venue = graph["venue"]
    assert venue.name == "venue"
    assert venue.context.id == "tests.part"
    assert venue.context.position == Position(7, 5)
    assert venue.clock is graph.clock
    assert graph.clock is graph["clock"]  # type: ignore[comparison-overlap]


def test_without_a_clock_component_the_graph_runs_on_the_wall_clock(journal: Journal) -> None:
    graph = Graph(plan_of(part("venue", journal, 3)))
    assert isinstance(graph.clock, WallClock)
    assert graph["venue"].clock is graph.clock


def test_the_root_service_is_the_planned_service(journal: Journal) -> None:
    key = next(k for k, v in JOURNALS.items() if v is journal)
    plan = plan_of(
        part("venue", journal, 3),
        planned("mm", IdleService, {"journal": key}, line=6),
        service="mm",
    )
    graph = Graph(plan)
    assert graph.service is graph["mm"]
    assert "mm" in graph
    assert list(graph) == ["venue", "mm"]


def test_args_the_component_refuses_at_build_are_a_located_error(journal: Journal) -> None:
    plan = plan_of(planned("venue", Quiet, {"journal": "x", "typo": 1}, line=4))
    with pytest.raises(LoadError) as caught:
        Graph(plan)
    assert caught.value.name == "venue"
    assert str(caught.value).startswith(f"{SOURCE}:4:5: components.venue: tests.quiet could not")
    assert "typo" in str(caught.value)


async def test_components_without_a_lifecycle_load_and_unload_without_tasks() -> None:
    plan = plan_of(*(planned(f"q{i}", Quiet, {"journal": "x"}, line=i + 1) for i in range(100)))
    graph = Graph(plan)
    await graph.load()
    assert len(graph.loaded) == 100
    await graph.unload()
    assert graph.loaded == []


async def test_components_whose_dependencies_never_load_are_a_located_error(
    journal: Journal,
) -> None:
    key = next(k for k, v in JOURNALS.items() if v is journal)
    plan = plan_of(
        planned("a", Part, {"journal": key}, line=3, deps=["b"]),
        planned("b", Part, {"journal": key}, line=6, deps=["a"]),
    )
    with pytest.raises(LoadError, match=r"mandate\.yaml:3:5: components\.a: .*never loaded"):
        await Graph(plan).load()
    assert journal.events == []
