"""``listeners.ohlcv``: one market's candles of one timeframe, fetched on an interval.

Keeps the latest ``candles`` candles for readers (``prices.vwap`` with basis candles, say).
Records: one :class:`~schemas.listeners.CandleRecord` per candle once it has closed (its
open time plus the timeframe has passed on the graph's clock), never the open candle that
can still change; each closed candle is written once per run, and keyed by its open time so
a restart that writes it again stores it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import Field

from plugins.listeners._listener import Listener, MarketListenerArgs
from schemas import Candle, NotSupported
from schemas.feeds import CandlesFeed, select_since
from schemas.listeners import CandleRecord, record_id
from schemas.metrics import MetricRecord

__all__ = ["OhlcvListener", "OhlcvListenerArgs"]


class OhlcvListenerArgs(MarketListenerArgs):
    timeframe: str = Field(
        default="1m", pattern=r"^[1-9][0-9]*[smhdwM]$",
        description='candle length in ccxt notation, e.g. "1m", "15m", "1h"',
    )
    candles: int = Field(default=100, ge=1, le=5000, description="candles fetched and kept")


class OhlcvListener(Listener[OhlcvListenerArgs, tuple[Candle, ...]], CandlesFeed):
    """Fetches one market's OHLCV candles on an interval; closed ones go to sinks once."""

    Args = OhlcvListenerArgs  # set here: the core reads Args from a one-parameter base only

    _written_until: datetime | None = None

    @property
    def length(self) -> timedelta:
        from plugins.exchanges.sim.venue import timeframe_seconds

        return timedelta(seconds=timeframe_seconds(self.args.timeframe))

    async def fetch(self) -> tuple[Candle, ...]:
        args = self.args
        return tuple(await args.exchange.fetch_ohlcv(args.symbol, args.timeframe,
                                                     limit=args.candles))

    def records(self, value: tuple[Candle, ...]) -> Sequence[MetricRecord]:
        if not self.args.sinks:
            return ()
        now, length, symbol = self.clock.now(), self.length, str(self.args.symbol)
        done = [c for c in value if c.timestamp + length <= now and
                (self._written_until is None or c.timestamp > self._written_until)]
        if done:
            self._written_until = done[-1].timestamp
        return [
            CandleRecord(
                id=record_id("candles", self.mandate, self.venue, symbol, self.args.timeframe,
                             c.timestamp.isoformat()),
                mandate=self.mandate, venue=self.venue, timestamp=c.timestamp, symbol=symbol,
                timeframe=self.args.timeframe, open=c.open, high=c.high, low=c.low,
                close=c.close, volume=c.volume,
            )
            for c in done
        ]

    async def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str = "1m",
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[Candle]:
        self.check_symbol(symbol)
        if timeframe != self.args.timeframe:
            raise NotSupported(f"{self.name} keeps {self.args.timeframe} candles, not "
                               f"{timeframe}", venue=self.venue)
        return select_since(self.reading().value, since, limit, lambda c: c.timestamp)
