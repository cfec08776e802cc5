"""``prices.vwap``: the volume-weighted average price of a market over a time window.

From public trades: ``sum(price * amount) / sum(amount)`` over the trades executed within
the last ``window``, read from the venue (paged forward until the window is complete) or
from a ``listeners.trades`` that already holds them. From candles: the same with each
candle's close (or typical price, ``(high + low + close) / 3``) weighted by its volume, over
the candles that opened within the window. Products and sums are exact; the division is a
``schemas.money.ratio`` (half-even at 34 significant digits when it does not terminate).

No price (``PriceUnavailable``) when the window holds no volume, when its newest trade or
candle is older than ``max_age`` (a quiet market has no current VWAP), when the trades do
not fit ``max_pages`` pages (a partial window would be a wrong average), or on a venue error.
The quote is stamped with the newest trade's time (a candle's: its close, or now while open).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field

from fortuna import Component, Duration
from plugins.prices._composite import CompositeArgs, exact, from_venue, quote_of
from schemas import (
    Exchange,
    PriceProvider,
    PriceQuote,
    PriceUnavailable,
    Symbol,
    money,
)
from schemas.feeds import CandlesFeed, TradesFeed

__all__ = ["VwapPrice", "VwapPriceArgs"]

_THREE = Decimal(3)


class VwapPriceArgs(CompositeArgs):
    exchange: Exchange | TradesFeed | CandlesFeed = Field(
        description="where trades or candles are read: a venue, or a listeners.trades / "
        "listeners.ohlcv that already fetches them"
    )
    symbol: Symbol = Field(description='the market, e.g. "BTC/USDT"')
    basis: Literal["trades", "candles"] = Field(
        default="trades", description="public trades, or OHLCV candles"
    )
    window: Annotated[Duration, Field(gt=0)] = Field(
        description='how far back trades or candles count, e.g. "5m"'
    )
    timeframe: str = Field(
        default="1m", pattern=r"^[1-9][0-9]*[smhdwM]$",
        description='candle timeframe in ccxt notation, e.g. "1m" (candles only)',
    )
    candle_price: Literal["close", "typical"] = Field(
        default="close",
        description="the price of a candle: its close, or (high + low + close) / 3",
    )
    page_size: int = Field(default=1000, ge=1, le=10_000, description="trades read per request")
    max_pages: int = Field(
        default=10, ge=1, le=1000, description="requests allowed to read one window's trades"
    )


class VwapPrice(Component[VwapPriceArgs], PriceProvider):
    """Volume-weighted average price over a window, from trades or candles."""

    async def load(self) -> None:
        source, basis = self.args.exchange, self.args.basis
        if (basis == "trades" and isinstance(source, CandlesFeed)) or (
            basis == "candles" and isinstance(source, TradesFeed)
        ):
            raise ValueError(
                f"{self.name}: basis {basis} needs a venue or a listener of {basis}, "
                f"not {type(source).__name__}"
            )

    async def price(self) -> Decimal:
        return (await self.quote()).price

    async def quote(self) -> PriceQuote:
        now = self.clock.now()
        since = now - timedelta(seconds=self.args.window)
        read = self._trades if self.args.basis == "trades" else self._candles
        pieces = await from_venue(self.name, read(since, now))
        return self._vwap(pieces, now)

    def _vwap(self, pieces: Sequence[tuple[Decimal, Decimal, datetime]],
              now: datetime) -> PriceQuote:
        with exact(self.name):
            value = money.total(money.multiply(price, amount) for price, amount, _ in pieces)
            volume = money.total(amount for _, amount, _ in pieces)
        if not pieces or volume <= 0:
            raise PriceUnavailable(
                f"no volume in the last {self.args.window:g} s", source=self.name
            )
        newest = max(t for _, _, t in pieces)
        age = (now - newest).total_seconds()
        if age > self.args.max_age:
            raise PriceUnavailable(
                f"stale: the newest {self.args.basis[:-1]} is {age:g} s old "
                f"(max {self.args.max_age:g} s)", source=self.name,
            )
        quote = PriceQuote(price=Decimal(1), timestamp=newest, source=self.name)
        with exact(self.name):
            vwap = money.ratio(value, volume)
        return quote_of(self.name, vwap, [quote])

    async def _trades(self, since: datetime, now: datetime
                      ) -> list[tuple[Decimal, Decimal, datetime]]:
        source: Any = self.args.exchange
        symbol, size = str(self.args.symbol), self.args.page_size
        seen: set[str] = set()
        pieces: list[tuple[Decimal, Decimal, datetime]] = []
        cursor = since
        for _ in range(self.args.max_pages):
            page = await source.fetch_trades(symbol, since=cursor, limit=size)
            for trade in page:
                if trade.id in seen or not since <= trade.timestamp <= now:
                    continue
                seen.add(trade.id)
                pieces.append((trade.price, trade.amount, trade.timestamp))
            if len(page) < size:
                return pieces
            cursor = page[-1].timestamp
        raise PriceUnavailable(
            f"more than {self.args.max_pages} pages of {size} trades in the window; "
            "raise page_size or max_pages, or shorten the window", source=self.name,
        )

    async def _candles(self, since: datetime, now: datetime
                       ) -> list[tuple[Decimal, Decimal, datetime]]:
        from plugins.exchanges.sim.venue import timeframe_seconds

        source: Any = self.args.exchange
        length = timedelta(seconds=timeframe_seconds(self.args.timeframe))
        candles = await source.fetch_ohlcv(str(self.args.symbol), self.args.timeframe,
                                           since=since)
        pieces: list[tuple[Decimal, Decimal, datetime]] = []
        for candle in candles:
            if not since <= candle.timestamp <= now:
                continue
            if self.args.candle_price == "close":
                price = candle.close
            else:
                with exact(self.name):
                    price = money.ratio(
                        money.total((candle.high, candle.low, candle.close)), _THREE)
            pieces.append((price, candle.volume, min(candle.timestamp + length, now)))
        return pieces
