"""The container: builds a plan into live components, loads them, and unloads them.

One instance per component name, built in plan order, each receiving its validated args
(references replaced by the live instances) and a :class:`Context`. Loading follows the
dependency graph: a component starts loading as soon as everything it depends on has
loaded, so independent components load concurrently. Unloading is sequential, in exact
reverse order of load completion, each step bounded by a timeout; a failing or hanging
unload is logged and the others still run.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fortuna._internal.clock import WallClock
from fortuna._internal.component import (
    Component,
    Context,
    NoArgs,
    Resettable,
    Service,
    _default_log,
)
from fortuna._internal.findings import Position
from fortuna._internal.graph import DependencyOrder
from fortuna._internal.plan import Plan, PlannedComponent, substitute
from fortuna._internal.time import Clock

__all__ = ["ComponentFailure", "Graph", "LoadError"]

DEFAULT_UNLOAD_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class ComponentFailure:
    """Why one component could not be built or loaded, and where it is declared."""

    name: str
    id: str
    position: Position | None
    phase: str  # "build" or "load"
    error: BaseException

    def describe(self, source: str) -> str:
        where = f"{source}:{self.position}" if self.position else source
        verb = "could not be built" if self.phase == "build" else "failed to load"
        reason = str(self.error) or "(no message)"
        if isinstance(self.error, asyncio.CancelledError):
            reason = "load cancelled"
        return (
            f"{where}: components.{self.name}: {self.id} {verb}: "
            f"{type(self.error).__name__}: {reason}"
        )


class LoadError(Exception):
    """A mandate's components could not all be built or loaded; what loaded was unloaded.

    ``failures`` lists each component that failed, with its position in ``source``;
    ``name`` and ``position`` are the first one's.
    """

    def __init__(self, source: str, failures: list[ComponentFailure]) -> None:
        self.source = source
        self.failures = failures
        self.name = failures[0].name
        self.position = failures[0].position
        super().__init__("\n".join(failure.describe(source) for failure in failures))


def _is_noop(method: Any, base: Any) -> bool:
    # A component that keeps the base no-op load/unload needs no task at all: graphs of
    # thousands of small components (prices, strategies) load in one pass.
    return method is base


class Graph:
    """The live components of one plan: ``graph["name"]`` is the instance.

    Use ``async with Graph(plan) as graph:`` (or ``await graph.load()`` and
    ``await graph.unload()``); ``graph.service`` is the root service.
    """

    def __init__(self, plan: Plan, *, unload_timeout: float = DEFAULT_UNLOAD_TIMEOUT) -> None:
        self.plan = plan
        self.unload_timeout = unload_timeout
        self._instances: dict[str, Component[Any]] = {}
        self._loaded: list[str] = []
        self._load_started = False
        self._unloading: asyncio.Task[None] | None = None
        self._log: Any = None
        self.clock: Clock = self._build()

    # --- access ---------------------------------------------------------------------------

    def __getitem__(self, name: str) -> Component[Any]:
        return self._instances[name]

    def __contains__(self, name: object) -> bool:
        return name in self._instances

    def __iter__(self) -> Iterator[str]:
        return iter(self._instances)

    def __len__(self) -> int:
        return len(self._instances)

    @property
    def service(self) -> Service[Any]:
        """The root service named by the plan."""
        instance = self._instances[self.plan.service]
        if not isinstance(instance, Service):
            raise TypeError(f"components.{self.plan.service} is not a Service")
        return instance

    @property
    def loaded(self) -> list[str]:
        """Names of the components currently loaded, in the order their loads completed."""
        return list(self._loaded)

    def reset(self) -> list[str]:
        """An operator's reset: clear every loaded :class:`Resettable` (tripped kill
        switches and other latches), logging each with the reason it held. A reset that
        raises is logged and the others still happen. Returns the names reset."""
        done: list[str] = []
        for name in self._loaded:
            component = self._instances[name]
            if not isinstance(component, Resettable):
                continue
            held = getattr(component, "reason", None)
            try:
                component.reset()
            except Exception as error:
                self.log.error("operator reset failed", reset_component=name,
                               error=f"{type(error).__name__}: {error}")
                continue
            self.log.warning("operator reset", reset_component=name, held=held)
            done.append(name)
        return done

    @property
    def log(self) -> Any:
        if self._log is None:
            self._log = _default_log("fortuna")
        return self._log

    # --- building -------------------------------------------------------------------------

    def _build(self) -> Clock:
        plan = self.plan
        instances = self._instances
        planned = list(plan.components.values())
        clock_name = plan.clock
        if clock_name is not None and clock_name in plan.components:
            first = plan.components[clock_name]
            if not first.dependencies:  # built first so every context gets it at once
                planned.remove(first)
                planned.insert(0, first)

        def lookup(name: str) -> Any:
            try:
                return instances[name]
            except KeyError:
                raise LookupError(f'"@{name}" is not built before its dependents') from None

        clock: Clock | None = None
        for spec in planned:
            try:
                args = spec.cls.Args.model_validate(substitute(dict(spec.raw_args), lookup))
                context = Context(name=spec.name, id=spec.id, clock=clock, position=spec.position,
                                  directory=plan.directory)
                instance = spec.cls(args, context)
            except Exception as exc:
                raise LoadError(plan.source, [self._failure(spec, "build", exc)]) from exc
            instances[spec.name] = instance
            if spec.name == clock_name and isinstance(instance, Clock):
                clock = instance
        if clock is None:
            clock = WallClock(NoArgs(), Context(name="clock", id="clock.wall"))
        for instance in instances.values():
            if instance.context.clock is None:
                instance.context.clock = clock
        return clock

    @staticmethod
    def _failure(spec: PlannedComponent, phase: str, error: BaseException) -> ComponentFailure:
        return ComponentFailure(spec.name, spec.id, spec.position, phase, error)

    # --- loading --------------------------------------------------------------------------

    async def load(self) -> None:
        """Load every component, dependencies first, independent ones concurrently.

        If a load fails, loads already in flight are allowed to finish, nothing new starts,
        everything loaded is unloaded in reverse, and :class:`LoadError` is raised. If the
        caller is cancelled, in-flight loads are cancelled and the same rollback happens.
        """
        if self._load_started:
            raise RuntimeError("this graph was already loaded")
        self._load_started = True
        started = time.perf_counter()
        components = self.plan.components
        instances = self._instances

        kahn = DependencyOrder({name: spec.dependencies for name, spec in components.items()})

        loop = asyncio.get_running_loop()
        finished: deque[tuple[str, asyncio.Task[None]]] = deque()
        running: dict[str, asyncio.Task[None]] = {}
        failures: list[ComponentFailure] = []
        ready: deque[str] = deque()
        waiter: list[asyncio.Future[None] | None] = [None]

        def completed(name: str) -> None:
            self._loaded.append(name)
            ready.extend(kahn.done(name))

        def on_done(name: str, task: asyncio.Task[None]) -> None:
            finished.append((name, task))
            future = waiter[0]
            if future is not None and not future.done():
                future.set_result(None)

        # The clock loads alone, first, so it is unloaded last.
        clock_name = self.plan.clock
        initially = kahn.ready()
        if clock_name is not None and clock_name in components and clock_name in initially:
            try:
                await instances[clock_name].load()
            except Exception as exc:
                raise LoadError(
                    self.plan.source, [self._failure(components[clock_name], "load", exc)]
                ) from exc
            initially.remove(clock_name)
            completed(clock_name)
        ready.extend(initially)

        base_load = Component.load
        try:
            while True:
                while ready and not failures:
                    name = ready.popleft()
                    instance = instances[name]
                    if _is_noop(type(instance).load, base_load):
                        completed(name)
                        continue
                    task = loop.create_task(instance.load())
                    running[name] = task
                    task.add_done_callback(functools.partial(on_done, name))
                if not running:
                    break
                if not finished:
                    future: asyncio.Future[None] = loop.create_future()
                    waiter[0] = future
                    await future
                    waiter[0] = None
                while finished:
                    name, task = finished.popleft()
                    del running[name]
                    error = task.exception() if not task.cancelled() else asyncio.CancelledError()
                    if error is None:
                        completed(name)
                    else:
                        failures.append(self._failure(components[name], "load", error))
        except asyncio.CancelledError:
            await self._abort(running, finished, completed)
            raise
        if not failures and len(self._loaded) != len(components):
            loaded = set(self._loaded)
            stuck = [name for name in components if name not in loaded]
            error = RuntimeError("its dependencies never loaded (a reference cycle?)")
            failures.extend(self._failure(components[name], "load", error) for name in stuck)
        if failures:
            await self.unload()
            raise LoadError(self.plan.source, failures) from failures[0].error
        self.log.info(
            "graph loaded",
            source=self.plan.source,
            components=len(components),
            seconds=round(time.perf_counter() - started, 6),
        )

    async def _abort(
        self,
        running: dict[str, asyncio.Task[None]],
        finished: deque[tuple[str, asyncio.Task[None]]],
        completed: Any,
    ) -> None:
        for task in running.values():
            task.cancel()
        if running:
            await asyncio.wait(running.values())
        for name, task in running.items():
            if not task.cancelled() and task.exception() is None:
                completed(name)
        finished.clear()
        await self.unload()

    # --- unloading ------------------------------------------------------------------------

    def force(self, timeout: float = 1.0) -> None:
        """Hurry a running unload: cut its timeout and cancel the step in progress."""
        self.unload_timeout = min(self.unload_timeout, timeout)
        if self._unloading is not None and not self._unloading.done():
            self._unloading.cancel()

    async def unload(self) -> None:
        """Unload in reverse order of loading; a step that fails or hangs is logged, skipped."""
        base_unload = Component.unload
        loop = asyncio.get_running_loop()
        while self._loaded:
            name = self._loaded.pop()
            instance = self._instances[name]
            if _is_noop(type(instance).unload, base_unload):
                continue
            task = loop.create_task(instance.unload())
            self._unloading = task
            # The timeout is wall time whatever the graph's clock: a hang is a real hang.
            try:
                done, _ = await asyncio.wait((task,), timeout=self.unload_timeout)
            finally:
                self._unloading = None
            if not done:
                task.cancel()
                task.add_done_callback(_swallow)
                instance.log.error(
                    "unload timed out; abandoned", timeout_seconds=self.unload_timeout
                )
            elif task.cancelled():
                instance.log.warning("unload cancelled by a forced stop")
            elif (error := task.exception()) is not None:
                instance.log.error("unload failed", exc_info=error)

    async def __aenter__(self) -> Graph:
        await self.load()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.unload()


def _swallow(task: asyncio.Task[None]) -> None:
    """Retrieve an abandoned task's outcome so asyncio does not report it as lost."""
    if not task.cancelled():
        task.exception()
