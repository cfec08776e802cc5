"""``fortuna run --http HOST:PORT``: liveness, readiness and metrics of the running mandate.

- ``/healthz``: 200 whenever the process answers. It is served by the mandate's own event
  loop, so a loop blocked by a runaway computation stops answering and the orchestrator's
  liveness probe restarts the process: that is the point of serving it there.
- ``/readyz``: 200 once the graph is loaded and the service runs, while every loaded
  component that reports readiness (:class:`~fortuna._internal.observe.Readiness`) says
  it is ready; 503 otherwise, with one line per reason (``loading``, ``stopping``, a
  tripped kill switch, stale market data...). Readiness is not liveness: a halted mandate
  is alive and must not be restarted (its latch would be lost), only reported.
- ``/metrics``: the Prometheus text format, written by ``prometheus_client``: the families
  every loaded :class:`~fortuna._internal.observe.MetricsSource` contributes, merged by
  name, plus ``fortuna_ready`` and the process's own CPU, memory and file descriptors.

Everything is read on the event loop, between two steps of the mandate, so no component is
ever read half-updated and no lock is taken on the hot path. The server is off unless asked
for; it starts before the graph loads (probes answer from the first second: not ready,
loading) and stops after it is unloaded. It binds where it is told (``127.0.0.1:9108`` on
one machine, ``0.0.0.0:9108`` in a pod); port 0 picks a free port, logged as ``http
serving``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from fortuna._internal.observe import MetricsSource, Readiness

if TYPE_CHECKING:
    from fortuna._internal.container import Graph

__all__ = ["HttpUnavailable", "Status", "parse_address", "serving"]


class HttpUnavailable(OSError):
    """The endpoints cannot be served where asked (the port is taken, the host unknown)."""


def parse_address(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:9108`` for IPv6) as a pair; ``ValueError`` saying what is wrong."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host:
        raise ValueError(f"expected HOST:PORT, like 127.0.0.1:9108, got {text!r}")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"the port must be a number from 0 to 65535, got {port!r}")
    return host, int(port)


class Status:
    """The run's phase and its graph: what the three endpoints answer from."""

    def __init__(self) -> None:
        self.phase = "starting"
        self.graph: Graph | None = None

    def not_ready(self) -> list[str]:
        """Why the mandate is not ready, one reason per line; empty when it is."""
        graph = self.graph
        if graph is None or self.phase != "running":
            return [f"the mandate is {self.phase}"]
        if graph.service.stop_requested:
            return ["the service is stopping"]
        reasons = []
        for name, component in self._loaded(Readiness):
            try:
                reason = component.not_ready()
            except Exception as error:
                reason = f"readiness unknown: {type(error).__name__}: {error}"
            if reason:
                reasons.append(f"{name}: {reason}")
        return reasons

    def _loaded(self, kind: type[Any]) -> Iterator[tuple[str, Any]]:
        graph = self.graph
        if graph is None:
            return
        for name in graph.loaded:
            component = graph[name]
            if isinstance(component, kind):
                yield name, component

    def collect(self) -> Iterator[Any]:
        """The prometheus_client ``Collector`` protocol: every family, merged by name."""
        from prometheus_client.core import GaugeMetricFamily

        ready = GaugeMetricFamily("fortuna_ready", "1 while /readyz answers ready, else 0")
        ready.add_metric([], 0.0 if self.not_ready() else 1.0)
        families: dict[str, Any] = {ready.name: ready}
        for name, component in self._loaded(MetricsSource):
            try:
                contributed = list(component.metrics())
            except Exception as error:
                component.log.error("metrics failed", error=f"{type(error).__name__}: {error}")
                continue
            for family in contributed:
                known = families.get(family.name)
                if known is None:
                    families[family.name] = family
                elif known.type == family.type:
                    known.samples.extend(family.samples)
                else:
                    component.log.error("metric family type clash", family=family.name,
                                        type=family.type, registered=known.type, by=name)
        yield from families.values()


@contextlib.asynccontextmanager
async def serving(status: Status, host: str, port: int, log: Any) -> AsyncIterator[str]:
    """Serve the three endpoints while the block runs; yields the bound ``host:port``."""
    from aiohttp import web
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    from prometheus_client.process_collector import ProcessCollector

    registry = CollectorRegistry(auto_describe=False)
    registry.register(status)
    ProcessCollector(registry=registry)

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(_: web.Request) -> web.Response:
        reasons = status.not_ready()
        if reasons:
            return web.Response(status=503, text="not ready\n" + "".join(
                f"{reason}\n" for reason in reasons))
        return web.Response(text="ready\n")

    async def metrics(_: web.Request) -> web.Response:
        return web.Response(body=generate_latest(registry),
                            headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as error:
            raise HttpUnavailable(f"--http {host}:{port}: cannot listen there: "
                                  f"{error.strerror or error}") from None
        bound = runner.addresses[0]
        address = f"[{bound[0]}]:{bound[1]}" if ":" in bound[0] else f"{bound[0]}:{bound[1]}"
        log.info("http serving", address=address, endpoints=["/healthz", "/readyz", "/metrics"])
        yield address
    finally:
        await runner.cleanup()
