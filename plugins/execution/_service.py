"""The part of an execution service that does not depend on where its children go.

A parent order is worked on a tick by :class:`ParentService`: it stops once the window
(:meth:`ParentService.deadline`) is over, reports every tick's outcome to the kill
switches' observers, holds off while a kill switch is tripped (latched until an operator
resets it), and on stopping journals the final state (``done``, ``expired`` or
``stopped``) and logs the completion report. What a tick sends, and to which venue, is the
subclass's: child orders on a centralized venue (:mod:`plugins.execution._parent`) or
swaps in a pool (:mod:`plugins.execution._swap_parent`).
"""

from __future__ import annotations

import abc
from typing import Any, TypeVar

from fortuna import TickService
from plugins.execution._args import ParentOrderArgs
from plugins.execution._journal import Journal
from plugins.execution._progress import CompletionReport, Progress
from schemas import ExchangeError
from schemas.execution import ProgressRecord
from schemas.risk import report_tick, tick_observers

__all__ = ["ParentService"]

ArgsT = TypeVar("ArgsT", bound=ParentOrderArgs)


class ParentService(TickService[ArgsT], abc.ABC):
    """Base of the execution services; see the module docstring."""

    book_claims = ("plugins._book:names",)
    algorithm = ""
    progress: Progress
    report: CompletionReport | None = None
    ticks = 0
    halted = False
    _finished = False
    _journal: Journal

    def deadline(self) -> float | None:
        """Seconds after the start when the parent order expires, or None."""
        return None

    async def on_start(self, attempts: int = 5) -> None:
        """Start or resume the parent order; a venue error retries the whole start (it
        rebuilds everything from the journal and the venue) one second of the clock later,
        up to ``attempts`` times, the last error raised."""
        for attempt in range(1, attempts + 1):
            try:
                await self._start()
                return
            except ExchangeError as exc:
                if attempt == attempts:
                    raise
                self.log.warning("starting failed; retrying", attempt=attempt,
                                 error=f"{type(exc).__name__}: {exc}")
                await self.clock.sleep(1.0)

    @abc.abstractmethod
    async def _start(self) -> None:
        """Start or resume the parent order from the journal and the venue."""

    async def _journaled(self) -> ProgressRecord | None:
        """The journal's latest entry for this mandate, refused if it is another parent
        order (another side or amount)."""
        args = self.args
        record = await self._journal.latest()
        if record is not None and (record.side != args.side.value or record.total != args.amount):
            raise ValueError(
                f"{self.name}: the journal of mandate {args.mandate!r} holds a {record.side} "
                f"of {record.total}, not this {args.side.value} of {args.amount}; give a new "
                "parent order a new mandate name"
            )
        return record

    def _observe(self) -> None:
        self._observers = tick_observers(self.args.kill_switches)

    def _expired(self) -> bool:
        deadline = self.deadline()
        return deadline is not None and self._elapsed() >= deadline

    def _elapsed(self) -> float:
        return (self.clock.now() - self.progress.started).total_seconds()

    async def tick(self) -> None:
        self.ticks += 1
        try:
            await self._tick()
        except Exception as exc:
            report_tick(self._observers, f"{type(exc).__name__}: {exc}")
            raise
        report_tick(self._observers, None)

    @abc.abstractmethod
    async def _tick(self) -> None:
        """One tick of the algorithm."""

    def _over(self) -> bool:
        """Whether the parent order is over (finished earlier or its window ended): then
        the stop is requested."""
        if self._finished:
            self.request_stop()
            return True
        if self._expired():
            self.log.info("window ended", remaining=self.progress.remaining)
            self.request_stop()
            return True
        return False

    async def _switches_clear(self) -> bool:
        """Check the kill switches; False (logged once) while any is tripped."""
        switches = self.args.kill_switches
        if not switches:
            return True
        for switch in switches:
            await switch.check()
        tripped = [s for s in switches if s.tripped]
        if tripped:
            if not self.halted:
                self.halted = True
                self.log.error("kill switch tripped: execution halted",
                               reasons=[s.reason for s in tripped])
            return False
        if self.halted:
            self.halted = False
            self.log.warning("kill switches reset; execution resumes")
        return True

    def _already_finished(self) -> bool:
        """After loading the journal: a parent order finished by an earlier run is not
        worked again (the stop is requested)."""
        if self.progress.state in ("done", "expired"):
            self._finished = True
            self.log.warning("parent order already finished; nothing to do",
                             mandate=self.args.mandate, state=self.progress.state)
            self.request_stop()
            return True
        return False

    async def _final(self, **extra: Any) -> None:
        """Journal the final state and log the completion report (``extra`` joins it)."""
        progress = self.progress
        if not self._finished:
            if progress.remaining == 0:
                progress.state = "done"
            elif self._expired():
                progress.state = "expired"
            else:
                progress.state = "stopped"
            try:
                await self._journal.save(progress, self.clock.now())
            except Exception as exc:
                self.log.error("final journal entry not stored",
                               error=f"{type(exc).__name__}: {exc}")
        self.report = progress.report()
        self.log.info("execution report", algorithm=self.algorithm, mandate=self.args.mandate,
                      symbol=str(self.args.symbol), **extra, **self.report.fields())


