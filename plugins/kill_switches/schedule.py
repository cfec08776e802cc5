"""``kill_switches.schedule``: tripped outside the mandate's trading windows (UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fortuna import ComponentArgs
from plugins.kill_switches._action import OnTrip
from plugins.kill_switches._latch import LatchedSwitch
from schemas.risk import TripPolicy

__all__ = ["ScheduleArgs", "ScheduleSwitch", "Window"]

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Window(BaseModel):
    """A daily window, ``start`` inclusive to ``end`` exclusive, in UTC; ``end`` before
    ``start`` runs past midnight (22:00 to 02:00) and belongs to the day it starts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    days: list[Day] = Field(default_factory=lambda: list(_DAYS), min_length=1,
                            description='days it opens on, e.g. ["mon", "tue"] (all by default)')
    start: time = Field(description='opening time, UTC, e.g. "08:00"')
    end: time = Field(description='closing time, UTC, e.g. "17:30"')

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if self.start == self.end:
            raise ValueError(f"window {self.start} to {self.end} is empty")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("window times are UTC: give them without an offset")
        return self

    def contains(self, moment: datetime) -> bool:
        """Whether ``moment`` (aware) is inside the window."""
        utc = moment.astimezone(UTC)
        clock, day = utc.time().replace(tzinfo=None), utc.weekday()
        if self.start < self.end:
            return _DAYS[day] in self.days and self.start <= clock < self.end
        if clock >= self.start:
            return _DAYS[day] in self.days
        return clock < self.end and _DAYS[(day - 1) % 7] in self.days


class ScheduleArgs(ComponentArgs):
    windows: list[Window] = Field(
        min_length=1, max_length=100,
        description="when trading is allowed; outside every window the switch is tripped",
    )
    on_trip: OnTrip = Field(default_factory=OnTrip, description="what the mandate does then")


class ScheduleSwitch(LatchedSwitch[ScheduleArgs]):
    """Tripped outside the trading windows (UTC); clears by itself when a window opens.

    Unlike the other switches it needs no operator to resume: a schedule is not a fault."""

    @property
    def policy(self) -> TripPolicy:
        return self.args.on_trip.policy()

    async def check(self) -> bool:
        if self.tripped and await self.evaluate() is None:
            self.log.info("trading window open: schedule switch clears")
            self._reason = None
        return await super().check()

    async def evaluate(self) -> str | None:
        now = self.clock.now().astimezone(UTC)
        if any(window.contains(now) for window in self.args.windows):
            return None
        return f"{now:%a %H:%M:%S} UTC is outside every trading window"
