"""The simulated venue's market-data answers: order book, ticker, public trades, candles.

Why on its own: these answers only read the synthetic market (and the mandate's resting
orders, which a real book shows too); they never move balances or orders, so they can be
read and changed without touching the account side (:mod:`plugins.exchanges.sim._orders`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from operator import itemgetter

from plugins.exchanges.sim._core import SimVenueCore
from plugins.exchanges.sim._records import select, timeframe_seconds, utc
from schemas import Candle, OrderBook, OrderBookLevel, Side, Ticker, Trade, money, trusted

__all__ = ["MarketDataAnswers"]

_ZERO = Decimal(0)
_DEFAULT_CANDLES = 100


class MarketDataAnswers(SimVenueCore):
    """The market-data half of the simulated venue's ``Exchange`` answers."""

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        engine = self._engine(symbol)
        now, _ = await self._begin("fetch_order_book")
        count = self.args.depth if limit is None else limit
        sides: list[tuple[OrderBookLevel, ...]] = []
        for synthetic, own, bids in (
            (engine.synthetic_levels(Side.SELL), engine.bids, True),
            (engine.synthetic_levels(Side.BUY), engine.asks, False),
        ):
            totals: dict[int, Decimal] = dict(synthetic)
            for ticks, amount in own.aggregated():
                totals[ticks] = money.add(totals.get(ticks, _ZERO), amount)
            ordered = sorted(totals, reverse=bids)[:count] if count > 0 else []
            sides.append(tuple(
                trusted(OrderBookLevel, price=engine.price_of(t), amount=totals[t])
                for t in ordered
            ))
        return trusted(
            OrderBook, symbol=engine.symbol, bids=sides[0], asks=sides[1], timestamp=utc(now)
        )

    async def fetch_ticker(self, symbol: str) -> Ticker:
        engine = self._engine(symbol)
        now, _ = await self._begin("fetch_ticker")
        bids = [t for t in (engine.best_synthetic(Side.SELL), engine.bids.best())
                if t is not None]
        asks = [t for t in (engine.best_synthetic(Side.BUY), engine.asks.best())
                if t is not None]
        last = engine.trades[-1][2] if engine.trades else engine.price_of(engine.mid)
        volume, quote_volume = engine.day_volume(now)
        return trusted(
            Ticker, symbol=engine.symbol,
            bid=engine.price_of(max(bids)) if bids else None,
            ask=engine.price_of(min(asks)) if asks else None,
            last=last, volume=volume, quote_volume=quote_volume, timestamp=utc(now),
        )

    async def fetch_trades(
        self, symbol: str, since: datetime | None = None, limit: int | None = None
    ) -> list[Trade]:
        engine = self._engine(symbol)
        await self._begin("fetch_trades")
        return [
            trusted(Trade, id=f"{engine.symbol}-{seq}", symbol=engine.symbol, side=side,
                    price=price, amount=amount, timestamp=utc(t))
            for seq, side, price, amount, t in select(
                engine.trades, since, limit, itemgetter(4))
        ]

    async def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str = "1m",
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[Candle]:
        """Candles of the venue's mid (the price path with the venue's offset); the volume
        is that of the public trades still in the venue's history."""
        engine = self._engine(symbol)
        seconds = timeframe_seconds(timeframe)
        now, _ = await self._begin("fetch_ohlcv")
        last_open = now // seconds * seconds
        count = _DEFAULT_CANDLES if limit is None else limit
        if since is not None:
            first_open = since.timestamp() // seconds * seconds
        else:
            first_open = last_open - (count - 1) * seconds
        path = engine.path
        candles: list[Candle] = []
        opened = first_open
        price = engine.price_of
        while opened <= last_open and len(candles) < count:
            ends = opened + seconds
            first = path.step_at(opened)
            # The last step that began before the candle ends (or before now).
            last = path.step_at(now) if ends > now else path.step_at(ends) - 1
            o, h, lo, c = engine.candle(first, max(first, last))
            candles.append(trusted(
                Candle, timestamp=utc(opened), open=price(o), high=price(h), low=price(lo),
                close=price(c), volume=engine.volume(opened, ends),
            ))
            opened += seconds
        return candles
