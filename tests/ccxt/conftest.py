"""Fixtures: a venue stand-in on 127.0.0.1 and the real component pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pydantic import SecretStr

from plugins.exchanges.ccxt.component import CcxtExchange
from plugins.exchanges.ccxt.exact import ORIGIN
from plugins.exchanges.ccxt.family import FAMILY
from tests.ccxt.standins.base import D, Ledger, SpotMarket, StandIn
from tests.ccxt.standins.venues import STANDINS


def new_ledger() -> Ledger:
    ledger = Ledger(markets=[
        SpotMarket("BTC", "USDT", tick=D("0.01"), step=D("0.00001"), min_qty=D("0.00001"),
                   min_notional=D("5")),
        SpotMarket("ETH", "USDT", tick=D("0.01"), step=D("0.0001"), min_qty=D("0.0001"),
                   min_notional=D("5")),
    ])
    ledger.balances = {"BTC": D("1.5"), "USDT": D("100000.12345678"), "ETH": D("10")}
    ledger.bids = [(f"{D('30000.10') - i * D('0.01'):.8f}", f"{D('0.12345') + i:.8f}")
                   for i in range(5)]
    ledger.asks = [(f"{D('30000.20') + i * D('0.01'):.8f}", f"{D('0.5') + i:.8f}")
                   for i in range(5)]
    return ledger


def leaked_urls(urls: Any) -> list[str]:
    """Every URL in ``urls`` that does not point at 127.0.0.1."""
    if isinstance(urls, str):
        match = ORIGIN.match(urls)
        return [urls] if match and not match.group(0).startswith("http://127.0.0.1:") else []
    if isinstance(urls, dict):
        return [u for value in urls.values() for u in leaked_urls(value)]
    if isinstance(urls, list):
        return [u for value in urls for u in leaked_urls(value)]
    return []


Venue = tuple[CcxtExchange, StandIn]
VenueFactory = Callable[..., Any]


@pytest.fixture
async def venue_factory() -> AsyncIterator[VenueFactory]:
    started: list[tuple[CcxtExchange, StandIn]] = []

    async def make(venue: str, **args: Any) -> Venue:
        standin = STANDINS[venue](new_ledger())
        url = await standin.start()
        cls = FAMILY.resolve(venue)
        assert issubclass(cls, CcxtExchange)
        exchange = cls(cls.Args(**{
            "api_key": SecretStr(standin.api_key), "secret": SecretStr(standin.secret),
            "password": SecretStr(standin.password), "api_url": url,
            "retry_backoff": 0.01, "symbols": ["BTC/USDT"], **args,
        }))
        started.append((exchange, standin))
        await exchange.load()
        leaks = leaked_urls(exchange.client.urls["api"])
        assert not leaks, f"URLs left pointing outside 127.0.0.1: {leaks}"
        return exchange, standin

    yield make
    for exchange, standin in started:
        await exchange.unload()
        await standin.stop()


ALL_VENUES = sorted(STANDINS)
