"""prices.dexscreener against a stand-in serving DexScreener's documented pair payloads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from aiohttp import web

from fortuna import Context, NoArgs
from fortuna._internal.clock import WallClock
from plugins.http.session import HttpSessionArgs, HttpSessionComponent
from plugins.prices.dexscreener import DexScreenerPrice, DexScreenerPriceArgs
from schemas import PriceUnavailable

PAIR = "58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2"
WSOL = "So11111111111111111111111111111111111111112"
USDC = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"


def pair_payload(**overrides: Any) -> dict[str, Any]:
    """A pair as DexScreener documents it (the fields a price needs and their neighbours)."""
    pair: dict[str, Any] = {
        "chainId": "solana", "dexId": "raydium",
        "url": f"https://dexscreener.com/solana/{PAIR.lower()}", "pairAddress": PAIR,
        "labels": ["v4"],
        "baseToken": {"address": WSOL, "name": "Wrapped SOL", "symbol": "SOL"},
        "quoteToken": {"address": USDC, "name": "USD Coin", "symbol": "USDC"},
        "priceNative": "148.2731", "priceUsd": "148.29",
        "txns": {"h24": {"buys": 41234, "sells": 39877}},
        "volume": {"h24": 81234567.12}, "priceChange": {"h24": -1.25},
        "liquidity": {"usd": 12345678.9, "base": 41234.5, "quote": 6111111.1},
        "fdv": 88123456789, "marketCap": 70123456789, "pairCreatedAt": 1697000000000,
    }
    pair.update(overrides)
    return pair


@dataclass
class StandIn:
    pairs: list[dict[str, Any]] = field(default_factory=lambda: [pair_payload()])
    status: int = 200
    paths: list[str] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.paths.append(request.path)
        if self.status != 200:
            return web.json_response({"message": "Too Many Requests"}, status=self.status)
        if (request.match_info["chain"], request.match_info["pair"]) != ("solana", PAIR):
            return web.json_response({"schemaVersion": "1.0.0", "pairs": None})
        return web.json_response({"schemaVersion": "1.0.0", "pairs": self.pairs})


@dataclass
class Setup:
    standin: StandIn
    url: str
    http: HttpSessionComponent

    async def provider(self, **extra: Any) -> DexScreenerPrice:
        args = {"http": self.http, "chain": "solana", "pair": PAIR, "base_url": self.url,
                "min_interval": 0, **extra}
        return DexScreenerPrice(DexScreenerPriceArgs(**args), context("dexscreener"))


def context(name: str) -> Context:
    return Context(name=name, clock=WallClock(NoArgs(), Context(name="clock")))


@pytest.fixture
async def setup() -> AsyncIterator[Setup]:
    standin = StandIn()
    app = web.Application()
    app.router.add_get("/latest/dex/pairs/{chain}/{pair}", standin.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    http = HttpSessionComponent(HttpSessionArgs(), context("http"))
    await http.load()
    yield Setup(standin, f"http://127.0.0.1:{port}", http)
    await http.unload()
    await runner.cleanup()


async def test_the_native_price_is_the_documented_string_read_exactly(setup: Setup) -> None:
    provider = await setup.provider()
    quote = await provider.quote()
    assert quote.price == Decimal("148.2731")
    assert quote.source == f"dexscreener:raydium:{PAIR}"
    assert setup.standin.paths == [f"/latest/dex/pairs/solana/{PAIR}"]


async def test_the_usd_price_is_price_usd(setup: Setup) -> None:
    assert await (await setup.provider(price="usd")).price() == Decimal("148.29")


async def test_pricing_the_quote_token_inverts_the_native_price(setup: Setup) -> None:
    setup.standin.pairs = [pair_payload(priceNative="0.008")]
    assert await (await setup.provider(base=USDC)).price() == Decimal("125")


async def test_pricing_the_base_token_by_address_keeps_the_price(setup: Setup) -> None:
    assert await (await setup.provider(base=WSOL)).price() == Decimal("148.2731")


async def test_a_usd_price_of_the_quote_token_is_refused(setup: Setup) -> None:
    with pytest.raises(PriceUnavailable, match="cannot give the usd price"):
        await (await setup.provider(base=USDC, price="usd")).price()


async def test_a_token_the_pair_does_not_trade_is_refused(setup: Setup) -> None:
    with pytest.raises(PriceUnavailable, match=r"trades .* against"):
        await (await setup.provider(base="JUPyiwrYJFskUPiHa7hkeR8VUtAeFoSYbKedZNsDvCN")).price()


@pytest.mark.parametrize("value", [None, "", "abc", "0", "-1", "NaN", "Infinity", 148.2])
async def test_a_price_that_is_no_positive_decimal_string_is_unavailable(
        setup: Setup, value: Any) -> None:
    setup.standin.pairs = [pair_payload(priceNative=value)]
    with pytest.raises(PriceUnavailable, match="not a positive decimal"):
        await (await setup.provider()).price()


async def test_a_pair_dexscreener_does_not_list_is_unavailable(setup: Setup) -> None:
    with pytest.raises(PriceUnavailable, match="no pairs list"):
        await (await setup.provider(chain="ethereum")).price()
    setup.standin.pairs = [pair_payload(pairAddress="another")]
    with pytest.raises(PriceUnavailable, match="lists no pair"):
        await (await setup.provider()).price()


async def test_a_rate_limit_is_reported_as_unavailable(setup: Setup) -> None:
    setup.standin.status = 429
    with pytest.raises(PriceUnavailable, match="rate limiting"):
        await (await setup.provider()).price()


async def test_an_unreachable_api_is_unavailable() -> None:
    http = HttpSessionComponent(HttpSessionArgs(), context("http"))
    await http.load()
    provider = DexScreenerPrice(DexScreenerPriceArgs(
        http=http, chain="solana", pair=PAIR, base_url="http://127.0.0.1:9"),
        context("dexscreener"))
    with pytest.raises(PriceUnavailable, match="cannot reach DexScreener"):
        await provider.price()
    await http.unload()
