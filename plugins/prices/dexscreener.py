"""``prices.dexscreener``: a DEX pair's price from the DexScreener API, on any chain it lists.

Reads ``GET {base_url}/latest/dex/pairs/{chain}/{pair}`` (documented at
docs.dexscreener.com; keyless, 300 requests a minute), whose answer is ``{"schemaVersion",
"pairs": [...]}``; each pair carries ``chainId``, ``dexId``, ``pairAddress``, ``baseToken`` /
``quoteToken`` (``address``, ``symbol``) and ``priceNative`` (quote per base, a decimal
string) and ``priceUsd`` (USD per base, a decimal string, absent for some pairs).

The price is that string read as an exact ``Decimal`` (never through a float), ``native``
or ``usd`` as configured; with ``base`` given it must be one of the pair's two tokens, and a
native price is inverted (34 significant digits, half-even) when ``base`` is the pair's
quote token. DexScreener gives no time for the price, so it is stamped with the time of the
read: bound its age upstream by how often the source is polled, not by its timestamp.
Requests are spaced by ``min_interval``; HTTP 429 and failures reach consumers as
``PriceUnavailable`` with DexScreener's words.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import Field

from fortuna import Component, ComponentArgs, Duration
from schemas import PriceProvider, PriceQuote, PriceUnavailable
from schemas.http import HttpClient, RequestSpacing
from schemas.money import ratio

__all__ = ["DexScreenerPrice", "DexScreenerPriceArgs"]


class DexScreenerPriceArgs(ComponentArgs):
    http: HttpClient = Field(description="the HTTP session to query DexScreener with (@name)")
    chain: str = Field(
        min_length=1, pattern=r"^[a-z0-9-]+$",
        description="DexScreener's chain id: solana, ethereum, bsc, polygon, multiversx, ...",
    )
    pair: str = Field(
        min_length=1, pattern=r"^[A-Za-z0-9_-]+$",
        description="the pair's (pool's) address on that chain, as DexScreener lists it",
    )
    price: Literal["native", "usd"] = Field(
        default="native",
        description="native: priceNative, quote token per base token; usd: priceUsd, USD per "
        "base token",
    )
    base: str | None = Field(
        default=None, min_length=1,
        description="address of the token priced; must be one of the pair's; the pair's "
        "quote token inverts a native price. None: the pair's own base",
    )
    base_url: str = Field(
        default="https://api.dexscreener.com", pattern=r"^https?://",
        description="DexScreener API root (a local stand-in in tests)",
    )
    min_interval: Duration = Field(
        default=0.2, ge=0,
        description="seconds between two requests (DexScreener allows 300 a minute)",
    )


class DexScreenerPrice(Component[DexScreenerPriceArgs], PriceProvider):
    """DEX pair price from DexScreener, any chain: priceNative or priceUsd, exact."""

    _spacing: RequestSpacing | None = None

    async def _fetch(self) -> dict[str, Any]:
        import aiohttp

        args = self.args
        if self._spacing is None:
            self._spacing = RequestSpacing(args.min_interval)
        url = f"{args.base_url.rstrip('/')}/latest/dex/pairs/{args.chain}/{args.pair}"
        await self._spacing.wait_turn()
        try:
            async with args.http.session().get(url) as response:
                status, text = response.status, await response.text()
        except (TimeoutError, aiohttp.ClientError) as error:
            raise PriceUnavailable(f"cannot reach DexScreener: {error!r}",
                                   source=self.name) from error
        if status == 429:
            raise PriceUnavailable("DexScreener is rate limiting (HTTP 429)", source=self.name)
        if status != 200:
            raise PriceUnavailable(f"DexScreener answered HTTP {status}: {text[:200]}",
                                   source=self.name)
        import json

        try:
            body = json.loads(text)
        except ValueError:
            body = None
        pairs = body.get("pairs") if isinstance(body, dict) else None
        if not isinstance(pairs, list):
            raise PriceUnavailable(f"DexScreener's answer has no pairs list: {text[:200]}",
                                   source=self.name)
        for pair in pairs:
            if isinstance(pair, dict) and str(pair.get("pairAddress", "")).lower() \
                    == args.pair.lower():
                return pair
        raise PriceUnavailable(f"DexScreener lists no pair {args.pair} on {args.chain}",
                               source=self.name)

    def _price(self, pair: dict[str, Any]) -> Decimal:
        args = self.args
        field = "priceNative" if args.price == "native" else "priceUsd"
        text = pair.get(field)
        try:
            value = Decimal(text) if isinstance(text, str) else None
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value <= 0:
            raise PriceUnavailable(f"{args.chain}/{args.pair}: {field} is {text!r}, not a "
                                   "positive decimal", source=self.name)
        if args.base is None:
            return value
        base = str((pair.get("baseToken") or {}).get("address", ""))
        quote = str((pair.get("quoteToken") or {}).get("address", ""))
        if args.base.lower() == base.lower():
            return value
        if args.base.lower() == quote.lower() and args.price == "native":
            return ratio(Decimal(1), value)
        raise PriceUnavailable(
            f"{args.chain}/{args.pair} trades {base} against {quote}: cannot give "
            f"the {args.price} price of {args.base}", source=self.name)

    async def price(self) -> Decimal:
        return self._price(await self._fetch())

    async def quote(self) -> PriceQuote:
        pair = await self._fetch()
        return PriceQuote(price=self._price(pair), timestamp=self.clock.now(),
                          source=f"{self.name}:{pair.get('dexId', '?')}:{self.args.pair}")
