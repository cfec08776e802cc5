"""Telling the kill switches that observe ticks how each tick went.

A trading service holds kill switches; some also implement
:class:`schemas.market_making.TickObserver` (``kill_switches.consecutive_errors``, and
``kill_switches.any``, which passes what it hears on to the switches it aggregates). After
every tick the service tells each of them whether the tick succeeded or failed, with the
first error. Not a component: a helper for services.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from schemas.market_making import TickObserver
from schemas.risk import KillSwitch

__all__ = ["report_tick", "tick_observers"]


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
