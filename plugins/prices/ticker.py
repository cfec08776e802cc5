"""``prices.ticker``: a reference price from an exchange's ticker."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from fortuna import Component, ComponentArgs
from plugins.prices._composite import from_venue
from schemas import (
    Exchange,
    PriceProvider,
    PriceQuote,
    PriceUnavailable,
    Symbol,
    Ticker,
)
from schemas.feeds import TickerFeed

__all__ = ["TickerPrice", "TickerPriceArgs"]


class TickerPriceArgs(ComponentArgs):
    exchange: Exchange | TickerFeed = Field(
        description="the venue whose ticker is read, or a listeners.ticker that fetches it"
    )
    symbol: Symbol = Field(description='the market, e.g. "BTC/USDT"')
    side: Literal["mid", "bid", "ask", "last"] = Field(
        default="mid", description="which price of the ticker: mid, bid, ask or last"
    )


class TickerPrice(Component[TickerPriceArgs], PriceProvider):
    """Reference price from an exchange's ticker: mid, bid, ask or last."""

    def _pick(self, ticker: Ticker) -> Decimal:
        side = self.args.side
        value = ticker.mid if side == "mid" else getattr(ticker, side)
        if value is None:
            raise PriceUnavailable(f"{self.args.symbol}: the ticker has no {side} price",
                                   source=self.name)
        assert isinstance(value, Decimal)
        return value

    async def _ticker(self) -> Ticker:
        return await from_venue(self.name, self.args.exchange.fetch_ticker(self.args.symbol))

    async def price(self) -> Decimal:
        return self._pick(await self._ticker())

    async def quote(self) -> PriceQuote:
        ticker = await self._ticker()
        return PriceQuote(price=self._pick(ticker), timestamp=ticker.timestamp, source=self.name)
