"""A mandate run in a child process by the signal tests: ``signal_child.py MARKERS MODE``.

It runs the same code path as ``fortuna run`` after validation (``execute``), and writes a
line to MARKERS at every step the parent wants to see: ticks starting and ending, the
service's ``on_stop``, the venue's unload.
"""

from __future__ import annotations

import asyncio
import sys

from fortuna import (
    Component,
    ComponentArgs,
    NoArgs,
    Position,
    Resettable,
    Service,
    TickArgs,
    TickService,
)
from fortuna._internal.cli.run_command import execute
from fortuna._internal.plan import Plan, PlannedComponent, Ref
from fortuna._internal.settings import Settings

MARKERS = sys.argv[1]
MODE = sys.argv[2]


def mark(line: str) -> None:
    with open(MARKERS, "a") as out:
        out.write(line + "\n")


class Venue(Component[NoArgs], Resettable):
    reason = "tripped in the test"

    async def load(self) -> None:
        mark("load:venue")

    def reset(self) -> None:
        mark("reset:venue")

    async def unload(self) -> None:
        mark("unload:venue")


class MakerArgs(TickArgs):
    venue: Venue


class Maker(TickService[MakerArgs]):
    async def tick(self) -> None:
        mark("tick-start")
        await self.clock.sleep(0.5)  # a signal arrives while this tick is in progress
        mark("tick-end")

    async def on_stop(self) -> None:
        mark("on_stop")


class Chatty(Maker):
    """Logs a line every tick: a log reader that goes away is noticed at once."""

    async def tick(self) -> None:
        mark("tick-start")
        self.log.info("tick", n=self.ticker.ticks)
        await self.clock.sleep(0.05)
        mark("tick-end")


class Failing(Maker):
    async def tick(self) -> None:
        raise ConnectionError("venue unreachable")


class StubbornArgs(ComponentArgs):
    venue: Venue


class Stubborn(Service[StubbornArgs]):
    """Ignores request_stop: only a forced stop ends it."""

    async def run(self) -> None:
        mark("run")
        while True:  # noqa: ASYNC110 (deliberately deaf to request_stop)
            await asyncio.sleep(0.05)


def plan() -> Plan:
    classes: dict[str, type[Component]] = {  # type: ignore[type-arg]
        "tick": Maker,
        "chatty": Chatty,
        "failing": Failing,
        "stubborn": Stubborn,
    }
    args: dict[str, object] = {"venue": Ref("venue")}
    if MODE != "stubborn":
        interval = {"tick": "2s", "chatty": "100ms"}.get(MODE, "10ms")
        args |= {"interval": interval, "max_consecutive_failures": 2}
    service_cls = classes[MODE]
    return Plan(
        source="child.yaml",
        service="svc",
        components={
            "venue": PlannedComponent("venue", "tests.venue", Venue, {}, (), Position(3, 3)),
            "svc": PlannedComponent(
                "svc", "tests.svc", service_cls, args, ("venue",), Position(5, 3)
            ),
        },
    )


if __name__ == "__main__":
    code = execute(plan(), Settings.resolve(log_format="json", log_level="info"))
    mark(f"exit:{code}")
    sys.exit(code)
