"""``http.session``: a pooled aiohttp session whose lifetime is the graph's."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from pydantic import Field

from fortuna import Component, ComponentArgs
from fortuna._internal.container import Graph
from fortuna._internal.plan import Ref
from plugins.http.session import HttpSessionArgs, HttpSessionComponent
from schemas.http import HttpClient
from tests.runtime.runtime_parts import plan_of, planned


@pytest.fixture
async def server() -> AsyncIterator[str]:
    async def echo(request: web.Request) -> web.Response:
        return web.json_response({"agent": request.headers.get("X-Desk", "")})

    app = web.Application()
    app.router.add_get("/echo", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


class UserArgs(ComponentArgs):
    http: HttpClient = Field(description="the shared session")


class User(Component[UserArgs]):
    """A component that speaks HTTP through the shared session."""


async def test_the_session_is_open_while_loaded_and_closed_after(server: str) -> None:
    plan = plan_of(
        planned("http", HttpSessionComponent, {"headers": {"X-Desk": "mm-1"}, "limit": 4}, line=2),
        planned("a", User, {"http": Ref("http")}, line=5, deps=["http"]),
        planned("b", User, {"http": Ref("http")}, line=8, deps=["http"]),
    )
    graph = Graph(plan)
    await graph.load()
    http = graph["http"]
    assert isinstance(http, HttpSessionComponent)
    assert graph["a"].args.http is graph["b"].args.http is http
    session = http.session()
    async with session.get(f"{server}/echo") as response:
        assert await response.json() == {"agent": "mm-1"}
    assert session.connector is not None
    assert session.connector.limit == 4
    await graph.unload()
    assert session.closed
    with pytest.raises(RuntimeError, match="only while loaded"):
        http.session()


def test_timeouts_are_durations() -> None:
    args = HttpSessionArgs.model_validate({"total_timeout": "5s", "read_timeout": "250ms"})
    assert args.total_timeout == 5.0
    assert args.read_timeout == 0.25
