"""Risk contracts shared by every trading service: kill switches.

A kill switch is a first-class component. Services (market making, arbitrage, execution)
take kill switches by reference and ask them before acting; when one trips, the service
halts and cancels its resting orders. Tripping latches: trading stays halted until an
operator resets the switch.
"""

from __future__ import annotations

import abc

from fortuna import Resettable

__all__ = ["KillSwitch"]


class KillSwitch(Resettable, abc.ABC):
    """A safety condition that halts trading when it trips, latched until reset."""

    @property
    @abc.abstractmethod
    def tripped(self) -> bool:
        """Whether trading must stay halted (latched: stays true until ``reset``)."""

    @property
    @abc.abstractmethod
    def reason(self) -> str | None:
        """Why it tripped, with the figures, or ``None`` while it has not."""

    @abc.abstractmethod
    async def check(self) -> bool:
        """Evaluate the condition now, trip if it holds, and return ``tripped``."""

    @abc.abstractmethod
    def reset(self) -> None:
        """An operator's decision to resume: clear the latch (SIGUSR1 to ``fortuna run``)."""
