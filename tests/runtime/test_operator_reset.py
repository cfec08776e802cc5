"""An operator's reset clears every latch in a running graph, and only latches."""

from __future__ import annotations

from fortuna import Component, NoArgs, Resettable
from fortuna._internal.container import Graph
from fortuna._internal.plan import Plan, PlannedComponent


class Latch(Component[NoArgs], Resettable):
    """A latch that remembers being reset."""

    resets = 0
    reason: str | None = "tripped"

    def reset(self) -> None:
        self.resets += 1
        self.reason = None


class BrokenLatch(Latch):
    """A latch whose reset fails."""

    def reset(self) -> None:
        raise RuntimeError("stuck")


class Plain(Component[NoArgs]):
    """Holds no latch."""


def graph_of(**classes: type[Component[NoArgs]]) -> Graph:
    components = {name: PlannedComponent(name, f"test.{name}", cls, {}, ())
                  for name, cls in classes.items()}
    return Graph(Plan(source="m.yaml", service=next(iter(classes)), components=components))


async def test_reset_clears_every_loaded_latch_and_names_them() -> None:
    graph = graph_of(a=Latch, plain=Plain, b=Latch)
    await graph.load()
    try:
        assert graph.reset() == ["a", "b"]
        assert (graph["a"].resets, graph["b"].resets) == (1, 1)  # type: ignore[attr-defined]
    finally:
        await graph.unload()


async def test_a_reset_that_fails_does_not_stop_the_others() -> None:
    graph = graph_of(broken=BrokenLatch, fine=Latch)
    await graph.load()
    try:
        assert graph.reset() == ["fine"]
        assert graph["fine"].resets == 1  # type: ignore[attr-defined]
    finally:
        await graph.unload()


async def test_nothing_is_reset_before_loading() -> None:
    graph = graph_of(a=Latch)
    assert graph.reset() == []
