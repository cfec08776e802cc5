"""Fixtures: the real ccxt.pro client of ``exchanges.ccxt.<id>`` with ``stream`` on,
against a local stand-in that speaks the venue's REST and websocket protocols."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pydantic import SecretStr

from plugins.exchanges.ccxt.component import CcxtExchange
from plugins.exchanges.ccxt.family import FAMILY
from plugins.exchanges.ccxt.streams.reads import StreamedReads
from tests.ccxt.conftest import new_ledger
from tests.ccxt.standins.binance_ws import BinanceStreamStandIn
from tests.ccxt.standins.okx_ws import OkxStreamStandIn

StreamVenue = tuple[CcxtExchange, BinanceStreamStandIn]
StreamFactory = Callable[..., Any]


def streams_of(exchange: CcxtExchange) -> StreamedReads:
    """The stream side of a loaded exchange with ``stream`` on."""
    streams = exchange.session.streams
    assert streams is not None, "the exchange streams nothing"
    return streams


def floats(value: Any, path: str = "") -> list[str]:
    """Where a float sits in a ccxt structure (the venue's raw ``info`` left out)."""
    if isinstance(value, float):
        return [path]
    if isinstance(value, dict):
        return [p for key, item in value.items() if key != "info"
                for p in floats(item, f"{path}.{key}")]
    if isinstance(value, list | tuple):
        return [p for i, item in enumerate(value) for p in floats(item, f"{path}[{i}]")]
    return []


async def until(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Wait (real time) until ``condition()`` holds; AssertionError after ``within`` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("the condition did not come true in time")
        await asyncio.sleep(0.005)


@pytest.fixture
async def binance_streams() -> AsyncIterator[StreamFactory]:
    """``await binance_streams(order_book=True, ...)``: the exchange and its stand-in."""
    started: list[StreamVenue] = []

    async def make(*, standin: BinanceStreamStandIn | None = None, **stream: Any
                   ) -> StreamVenue:
        venue = standin or BinanceStreamStandIn(new_ledger())
        url = await venue.start()
        cls = FAMILY.resolve("binance")
        assert issubclass(cls, CcxtExchange)
        exchange = cls(cls.Args(
            api_key=SecretStr(venue.api_key), secret=SecretStr(venue.secret), api_url=url,
            retry_backoff=0.01, symbols=["BTC/USDT"],
            stream={"reconnect_backoff": 0.05, "reconnect_max": 0.2, **stream},
        ))
        started.append((exchange, venue))
        await exchange.load()
        return exchange, venue

    yield make
    for exchange, venue in started:
        await exchange.unload()
        await venue.stop()


OkxVenue = tuple[CcxtExchange, OkxStreamStandIn]


@contextlib.asynccontextmanager
async def okx_streams(**stream: Any) -> AsyncIterator[OkxVenue]:
    """The real okx component with ``stream`` on, against the OKX stand-in."""
    standin = OkxStreamStandIn(new_ledger())
    url = await standin.start()
    cls = FAMILY.resolve("okx")
    assert issubclass(cls, CcxtExchange)
    exchange = cls(cls.Args(
        api_key=SecretStr(standin.api_key), secret=SecretStr(standin.secret),
        password=SecretStr(standin.password), api_url=url, retry_backoff=0.01,
        symbols=["BTC/USDT"],
        stream={"reconnect_backoff": 0.05, "reconnect_max": 0.2, **stream}))
    try:
        await exchange.load()
        yield exchange, standin
    finally:
        await exchange.unload()
        await standin.stop()
