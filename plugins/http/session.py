"""``http.session``: one pooled aiohttp session, opened on load and closed on unload."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from fortuna import Component, ComponentArgs, Duration
from schemas.http import HttpClient

if TYPE_CHECKING:
    import aiohttp

__all__ = ["HttpSessionArgs", "HttpSessionComponent"]


class HttpSessionArgs(ComponentArgs):
    limit: int = Field(default=100, ge=0, description="open connections at most (0: no limit)")
    limit_per_host: int = Field(
        default=0, ge=0, description="open connections to one host at most (0: no limit)"
    )
    total_timeout: Duration | None = Field(
        default=30.0, description="a whole request, connection to last byte (null: none)"
    )
    connect_timeout: Duration | None = Field(
        default=10.0, description="acquiring a connection, pool wait included (null: none)"
    )
    read_timeout: Duration | None = Field(
        default=None, description="between two reads of the response (null: none)"
    )
    headers: dict[str, str] = Field(
        default_factory=dict, description="headers sent with every request"
    )


class HttpSessionComponent(Component[HttpSessionArgs], HttpClient):
    """A pooled HTTP session (aiohttp) shared by the components that reference it."""

    _session: aiohttp.ClientSession | None = None

    async def load(self) -> None:
        import aiohttp  # heavy: imported only when a mandate uses HTTP

        args = self.args
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=args.limit, limit_per_host=args.limit_per_host),
            timeout=aiohttp.ClientTimeout(
                total=args.total_timeout,
                connect=args.connect_timeout,
                sock_read=args.read_timeout,
            ),
            headers=args.headers,
        )

    async def unload(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError(f"{self.name}: the HTTP session is open only while loaded")
        return self._session
