"""Risk contracts shared by every trading service: kill switches.

A kill switch is a first-class component. Services (market making, arbitrage, execution)
take kill switches by reference and ask them before acting; when one trips, the service
halts and cancels its resting orders. Tripping latches: trading stays halted until an
operator resets the switch.

A tripped switch also declares what the mandate does (:class:`TripPolicy`, read from
:attr:`KillSwitch.policy`): ``halt`` (cancel every resting order and wait: the default, and
what every switch without a policy of its own does), ``reduce_only`` (keep quoting only the
side that brings inventory back towards a target, never past it), or ``flatten`` (cancel,
then trade inventory back to the target with one marketable order a tick, each at most
``max_amount`` and at most ``max_slippage`` through the reference). When several switches
are tripped the strictest wins: halt, then flatten, then reduce-only.

Some switches also hear how each tick of the service went (:class:`TickObserver`, such as
``kill_switches.consecutive_errors``): every trading service reports each tick through
:func:`report_tick` to the observers :func:`tick_observers` finds among its switches.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from fortuna import MetricsSource, Readiness, Resettable

__all__ = [
    "KillSwitch",
    "TickObserver",
    "TripAction",
    "TripPolicy",
    "report_tick",
    "strictest",
    "tick_observers",
]


class TripAction(StrEnum):
    """What a mandate does while a kill switch is tripped."""

    HALT = "halt"
    """Cancel every resting order and quote nothing until a reset."""
    FLATTEN = "flatten"
    """Cancel, then trade inventory back to the target within limits."""
    REDUCE_ONLY = "reduce_only"
    """Quote only the side that reduces inventory towards the target."""


_SEVERITY = {TripAction.HALT: 0, TripAction.FLATTEN: 1, TripAction.REDUCE_ONLY: 2}


@dataclass(frozen=True, slots=True)
class TripPolicy:
    """A switch's declared action, with its limits (``target`` in base currency;
    ``max_amount`` base per flattening order; ``max_slippage`` a fraction of the reference)."""

    action: TripAction = TripAction.HALT
    target: Decimal = Decimal(0)
    max_amount: Decimal | None = None
    max_slippage: Decimal = Decimal("0.005")


HALT = TripPolicy()


def strictest(policies: list[TripPolicy]) -> TripPolicy:
    """The policy that wins among several tripped switches: halt, then flatten, then
    reduce-only (first one given on a tie). An empty list is a halt."""
    if not policies:
        return HALT
    return min(policies, key=lambda policy: _SEVERITY[policy.action])


class KillSwitch(Resettable, Readiness, MetricsSource, abc.ABC):
    """A safety condition that halts trading when it trips, latched until reset.

    Every switch reports itself to ``fortuna run --http``: a tripped switch makes
    ``/readyz`` fail with its reason, and ``fortuna_kill_switch_tripped{switch}`` is 1.
    """

    def not_ready(self) -> str | None:
        """A tripped switch holds the mandate not ready (trading halted or restricted)."""
        return f"kill switch tripped: {self.reason}" if self.tripped else None

    def metrics(self) -> Iterable[Any]:
        """``fortuna_kill_switch_tripped{switch}``: 1 while tripped, else 0."""
        from prometheus_client.core import GaugeMetricFamily

        family = GaugeMetricFamily("fortuna_kill_switch_tripped",
                                   "1 while the kill switch is tripped (latched), else 0",
                                   labels=["switch"])
        family.add_metric([str(getattr(self, "name", type(self).__name__))],
                          1.0 if self.tripped else 0.0)
        return [family]

    @property
    @abc.abstractmethod
    def tripped(self) -> bool:
        """Whether trading must stay halted (latched: stays true until ``reset``)."""

    @property
    @abc.abstractmethod
    def reason(self) -> str | None:
        """Why it tripped, with the figures, or ``None`` while it has not."""

    @property
    def policy(self) -> TripPolicy:
        """What the mandate does while this switch is tripped (halt unless declared)."""
        return HALT

    @abc.abstractmethod
    async def check(self) -> bool:
        """Evaluate the condition now, trip if it holds, and return ``tripped``."""

    @abc.abstractmethod
    def reset(self) -> None:
        """An operator's decision to resume: clear the latch (SIGUSR1 to ``fortuna run``)."""


class TickObserver(abc.ABC):
    """Hears how each tick of a trading service went (kill switches counting errors)."""

    @abc.abstractmethod
    def tick_succeeded(self) -> None:
        """A tick completed without an error."""

    @abc.abstractmethod
    def tick_failed(self, error: str) -> None:
        """A tick failed or one of its orders hit a venue error."""


def tick_observers(switches: Iterable[KillSwitch]) -> list[TickObserver]:
    """The switches among ``switches`` that observe ticks. Switches nested in
    ``kill_switches.any`` are reached through it (it is an observer itself)."""
    return [switch for switch in switches if isinstance(switch, TickObserver)]


def report_tick(observers: Sequence[TickObserver], error: str | None) -> None:
    """Tell every observer the tick succeeded (``error`` None) or failed with ``error``."""
    for observer in observers:
        if error is None:
            observer.tick_succeeded()
        else:
            observer.tick_failed(error)
