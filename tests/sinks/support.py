"""Real parts for the sink tests: the PostgreSQL server and a TCP proxy that can cut it off.

The proxy forwards to the real server. ``cut()`` closes every connection through it and
refuses new ones, as a database restart or a network partition would; ``restore()`` lets
connections through again. Nothing about the database is simulated.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from fortuna import Component

DEFAULT_DSN = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def postgres_dsn() -> str:
    """The SQLAlchemy URL of the test server (FORTUNA_TEST_POSTGRES_DSN overrides it)."""
    return os.environ.get("FORTUNA_TEST_POSTGRES_DSN", DEFAULT_DSN)


def asyncpg_dsn(dsn: str) -> str:
    """The same URL as asyncpg takes it (no +driver)."""
    url = make_url(dsn).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def via_port(dsn: str, port: int) -> str:
    """The same URL, through 127.0.0.1:port."""
    url = make_url(dsn).set(host="127.0.0.1", port=port)
    return url.render_as_string(hide_password=False)


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


async def connect(dsn: str) -> asyncpg.Connection:
    return await asyncpg.connect(asyncpg_dsn(dsn), timeout=5)


@dataclass
class CuttableProxy:
    """A TCP proxy to the real server that can drop every connection on demand."""

    upstream_host: str
    upstream_port: int
    down: bool = False
    port: int = 0
    _server: asyncio.Server | None = None
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        await self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def cut(self) -> None:
        """Drop every open connection and refuse new ones until :meth:`restore`."""
        self.down = True
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        await asyncio.sleep(0)

    def restore(self) -> None:
        self.down = False

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(
                self.upstream_host, self.upstream_port
            )
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, up_writer))
        pumps = [
            asyncio.ensure_future(self._pump(reader, up_writer)),
            asyncio.ensure_future(self._pump(up_reader, writer)),
        ]
        self._tasks.update(pumps)
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pump in pumps:
                pump.cancel()
                self._tasks.discard(pump)
            for w in (writer, up_writer):
                self._writers.discard(w)
                w.transport.abort()

    @staticmethod
    async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()


@contextlib.asynccontextmanager
async def proxy_to(dsn: str) -> AsyncIterator[CuttableProxy]:
    url = make_url(dsn)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.close()


class LogRecorder:
    """A logger that keeps every event, to check what a component reported and how loud."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, dict[str, object]]] = []

    def __getattr__(self, level: str) -> Callable[..., None]:
        if level.startswith("_"):
            raise AttributeError(level)

        def emit(event: str, *args: object, **fields: object) -> None:
            self.events.append((level, event, fields))

        return emit

    def bind(self, **_fields: object) -> LogRecorder:
        return self

    def named(self, event: str, level: str | None = None) -> list[dict[str, object]]:
        return [f for lv, ev, f in self.events if ev == event and level in (None, lv)]


def recorded(component: Component[Any]) -> LogRecorder:
    """The :class:`LogRecorder` a test gave ``component`` as its logger, through its Context."""
    log = component.log
    assert isinstance(log, LogRecorder), f"{component!r} logs to {log!r}, not a LogRecorder"
    return log
