"""``kill_switches.any``: one switch that trips when any of several does."""

from __future__ import annotations

import asyncio
from typing import Annotated

from pydantic import Field

from fortuna import Component, ComponentArgs
from schemas.risk import KillSwitch, TickObserver

__all__ = ["AnyArgs", "AnySwitch"]


class AnyArgs(ComponentArgs):
    switches: Annotated[list[KillSwitch], Field(min_length=1)] = Field(
        description='the switches aggregated, e.g. ["@stale", "@inventory"]'
    )


class AnySwitch(Component[AnyArgs], KillSwitch, TickObserver):
    """Trips when any of several kill switches trips; a reset resets them all."""

    @property
    def tripped(self) -> bool:
        return any(switch.tripped for switch in self.args.switches)

    @property
    def reason(self) -> str | None:
        reasons = [
            f"{getattr(s, 'name', type(s).__name__)}: {s.reason}"
            for s in self.args.switches
            if s.tripped
        ]
        return "; ".join(reasons) if reasons else None

    async def check(self) -> bool:
        switches = self.args.switches
        if len(switches) == 1:
            await switches[0].check()
        else:
            await asyncio.gather(*(switch.check() for switch in switches))
        return self.tripped

    def reset(self) -> None:
        for switch in self.args.switches:
            switch.reset()

    def tick_succeeded(self) -> None:
        for switch in self.args.switches:
            if isinstance(switch, TickObserver):
                switch.tick_succeeded()

    def tick_failed(self, error: str) -> None:
        for switch in self.args.switches:
            if isinstance(switch, TickObserver):
                switch.tick_failed(error)
