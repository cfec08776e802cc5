"""A run observer watches a run and never takes part in it: one that fails or hangs is
left behind, and the run goes on exactly as without it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import fortuna
from fortuna._internal import runtime
from tests.rehearsal.support import demo_copy


class Failing:
    async def started(self, graph: Any) -> None:
        raise RuntimeError("observer broken")

    async def finished(self, graph: Any) -> None:
        raise RuntimeError("observer broken")


class Hanging:
    finished_called = False

    async def started(self, graph: Any) -> None:
        import asyncio

        await asyncio.Event().wait()  # never set

    async def finished(self, graph: Any) -> None:
        self.finished_called = True


class Recording:
    def __init__(self) -> None:
        self.moments: list[tuple[str, bool]] = []

    async def started(self, graph: Any) -> None:
        self.moments.append(("started", "sim" in graph.loaded))

    async def finished(self, graph: Any) -> None:
        self.moments.append(("finished", "sim" in graph.loaded))


async def test_observers_are_told_after_loading_and_before_unloading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    observer = Recording()
    await fortuna.run(demo_copy(tmp_path), duration=60, observers=[observer])
    assert observer.moments == [("started", True), ("finished", True)]


async def test_a_failing_observer_does_not_fail_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    graph = await fortuna.run(demo_copy(tmp_path), duration=60, observers=[Failing()])
    assert graph.service.ticks > 0  # type: ignore[attr-defined]


async def test_a_hanging_observer_is_left_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(runtime, "OBSERVER_TIMEOUT", 0.2)
    observer = Hanging()
    graph = await fortuna.run(demo_copy(tmp_path), duration=60, observers=[observer])
    assert graph.service.ticks > 0  # type: ignore[attr-defined]
    assert observer.finished_called
