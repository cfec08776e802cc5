"""The latch every kill switch shares: trip once with a reason, stay tripped until reset."""

from __future__ import annotations

import abc
from typing import TypeVar

from pydantic import BaseModel

from fortuna import Component
from schemas.risk import KillSwitch

__all__ = ["LatchedSwitch"]

ArgsT = TypeVar("ArgsT", bound=BaseModel)


class LatchedSwitch(Component[ArgsT], KillSwitch, abc.ABC):
    """Implement :meth:`evaluate`: the reason to trip now, or None."""

    _reason: str | None = None
    trips = 0
    """How many times it tripped (a reset re-arms it)."""

    @property
    def tripped(self) -> bool:
        return self._reason is not None

    @property
    def reason(self) -> str | None:
        return self._reason

    async def check(self) -> bool:
        if self._reason is not None:
            return True
        reason = await self.evaluate()
        if reason is not None:
            self.trip(reason)
        return self._reason is not None

    def trip(self, reason: str) -> None:
        """Latch now (also for tests and operators)."""
        if self._reason is None:
            self._reason = reason
            self.trips += 1
            self.log.error("kill switch tripped", reason=reason)

    def reset(self) -> None:
        if self._reason is not None:
            self.log.warning("kill switch reset", was=self._reason)
        self._reason = None

    @abc.abstractmethod
    async def evaluate(self) -> str | None:
        """Why trading must halt now, with the figures; None when all is well."""
