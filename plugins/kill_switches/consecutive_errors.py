"""``kill_switches.consecutive_errors``: trip after too many failed ticks in a row."""

from __future__ import annotations

from pydantic import Field

from fortuna import ComponentArgs
from plugins.kill_switches._latch import LatchedSwitch
from schemas.risk import TickObserver

__all__ = ["ConsecutiveErrorsArgs", "ConsecutiveErrorsSwitch"]


class ConsecutiveErrorsArgs(ComponentArgs):
    max_errors: int = Field(
        ge=1, description="trip once this many ticks in a row failed or hit a venue error"
    )


class ConsecutiveErrorsSwitch(LatchedSwitch[ConsecutiveErrorsArgs], TickObserver):
    """Trips after a number of consecutive failed ticks (errors from the venue or a tick)."""

    errors = 0
    last_error: str | None = None

    def tick_succeeded(self) -> None:
        self.errors = 0

    def tick_failed(self, error: str) -> None:
        self.errors += 1
        self.last_error = error

    async def evaluate(self) -> str | None:
        if self.errors >= self.args.max_errors:
            return f"{self.errors} ticks in a row failed; last: {self.last_error}"
        return None

    def reset(self) -> None:
        super().reset()
        self.errors = 0
