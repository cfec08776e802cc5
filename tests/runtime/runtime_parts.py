"""Components and plan builders for the runtime tests (real components, no mocks)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import Field

from fortuna import Component, ComponentArgs, Context, Position, Service
from fortuna._internal.clock import VirtualClock
from fortuna._internal.plan import Plan, PlannedComponent, Ref
from fortuna._internal.ticker import TickArgs, TickService

SOURCE = "mandate.yaml"


class Journal:
    """Where test components write what happened, in order."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self._changed = asyncio.Event()

    def __call__(self, event: str) -> None:
        self.events.append(event)
        self._changed.set()

    async def reached(self, event: str) -> None:
        """Return once ``event`` has been journaled."""
        while event not in self.events:
            self._changed.clear()
            await self._changed.wait()

    def of(self, kind: str) -> list[str]:
        return [e.split(":", 1)[1] for e in self.events if e.startswith(kind + ":")]


JOURNALS: dict[str, Journal] = {}


class PartArgs(ComponentArgs):
    journal: str = Field(description="key of the journal in JOURNALS")
    needs: list[Any] = Field(default_factory=list, description="references to other parts")
    load_seconds: float = 0.0
    unload_seconds: float = 0.0
    fail_load: bool = False
    fail_unload: bool = False


class Part(Component[PartArgs]):
    """A component that journals its lifecycle and can be slow or fail on demand."""

    @property
    def journal(self) -> Journal:
        return JOURNALS[self.args.journal]

    async def load(self) -> None:
        self.journal(f"load-start:{self.name}")
        if self.args.load_seconds:
            await self.clock.sleep(self.args.load_seconds)
        if self.args.fail_load:
            self.journal(f"load-failed:{self.name}")
            raise RuntimeError(f"{self.name} cannot reach its venue")
        self.journal(f"load:{self.name}")

    async def unload(self) -> None:
        self.journal(f"unload-start:{self.name}")
        if self.args.unload_seconds:
            await asyncio.sleep(self.args.unload_seconds)  # real time: a hanging teardown
        if self.args.fail_unload:
            raise RuntimeError(f"{self.name} cannot close")
        self.journal(f"unload:{self.name}")


class Quiet(Component[PartArgs]):
    """A part with no lifecycle of its own."""


class IdleService(Service[PartArgs]):
    """A service that waits for a stop and journals it."""

    async def run(self) -> None:
        JOURNALS[self.args.journal](f"run:{self.name}")
        await self.stop_event.wait()
        JOURNALS[self.args.journal](f"stopped:{self.name}")


class RecordingTickArgs(TickArgs):
    journal: str
    tick_seconds: float = 0.0
    fail_ticks: list[int] = Field(default_factory=list)
    stop_after: int | None = None


class RecordingTicks(TickService[RecordingTickArgs]):
    """A tick service that journals the clock time of each tick and fails on demand."""

    def __init__(self, args: RecordingTickArgs, context: Context | None = None) -> None:
        super().__init__(args, context)
        self.times: list[float] = []

    async def on_start(self) -> None:
        JOURNALS[self.args.journal]("on_start:")

    async def tick(self) -> None:
        index = len(self.times)
        self.times.append(self.clock.monotonic())
        if self.args.tick_seconds:
            await self.clock.sleep(self.args.tick_seconds)
        if self.args.stop_after is not None and len(self.times) >= self.args.stop_after:
            self.request_stop()
        if index in self.args.fail_ticks:
            raise ValueError(f"tick {index} fails")

    async def on_stop(self) -> None:
        JOURNALS[self.args.journal](f"on_stop:{len(self.times)}")


def planned(
    name: str,
    cls: type[Component[Any]],
    args: Mapping[str, Any],
    *,
    line: int,
    deps: Iterable[str] = (),
) -> PlannedComponent:
    return PlannedComponent(
        name=name,
        id=f"tests.{cls.__name__.lower()}",
        cls=cls,
        raw_args=dict(args),
        dependencies=tuple(deps),
        position=Position(line, 5),
    )


def plan_of(
    *components: PlannedComponent, service: str | None = None, clock: str | None = None
) -> Plan:
    return Plan(
        source=SOURCE,
        service=service or components[-1].name,
        components={c.name: c for c in components},
        clock=clock,
    )


def virtual_clock(line: int = 1) -> PlannedComponent:
    return planned("clock", VirtualClock, {}, line=line)


def refs(*names: str) -> list[Ref]:
    return [Ref(name) for name in names]
