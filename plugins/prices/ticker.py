"""``prices.ticker``: a reference price from an exchange's ticker."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from fortuna import Component, ComponentArgs
from plugins.prices._errors import PriceUnavailable
from schemas import Exchange, PriceProvider, PriceQuote, Symbol, Ticker

__all__ = ["TickerPrice", "TickerPriceArgs"]


class TickerPriceArgs(ComponentArgs):
    exchange: Exchange = Field(description="the venue whose ticker is read")
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
            raise PriceUnavailable(f"{self.args.symbol}: the ticker has no {side} price")
        assert isinstance(value, Decimal)
        return value

    async def price(self) -> Decimal:
        return self._pick(await self.args.exchange.fetch_ticker(self.args.symbol))

    async def quote(self) -> PriceQuote:
        ticker = await self.args.exchange.fetch_ticker(self.args.symbol)
        return PriceQuote(price=self._pick(ticker), timestamp=ticker.timestamp, source=self.name)
