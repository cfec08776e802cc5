"""``listeners.ticker``: one market's ticker, fetched on an interval, for many readers.

``prices.ticker`` (and anything that reads ``fetch_ticker``) takes it in place of the venue.
Records: one :class:`~schemas.listeners.TickerRecord` per ticker, keyed by the venue's
timestamp, so a ticker the venue has not updated between two fetches is stored once.
"""

from __future__ import annotations

from collections.abc import Sequence

from plugins.listeners._listener import Listener, MarketListenerArgs
from schemas import Ticker
from schemas.feeds import TickerFeed
from schemas.listeners import TickerRecord, record_id
from schemas.metrics import MetricRecord

__all__ = ["TickerListener"]


class TickerListener(Listener[MarketListenerArgs, Ticker], TickerFeed):
    """Fetches one market's ticker on an interval; readers share the latest."""

    Args = MarketListenerArgs  # set here: the core reads Args from a one-parameter base only

    async def fetch(self) -> Ticker:
        return await self.args.exchange.fetch_ticker(self.args.symbol)

    def records(self, value: Ticker) -> Sequence[MetricRecord]:
        if not self.args.sinks:
            return ()
        symbol = str(value.symbol)
        return [TickerRecord(
            id=record_id("tickers", self.mandate, self.venue, symbol, value.timestamp.isoformat()),
            mandate=self.mandate, venue=self.venue, timestamp=value.timestamp, symbol=symbol,
            bid=value.bid, ask=value.ask, last=value.last, volume=value.volume,
            quote_volume=value.quote_volume,
        )]

    async def fetch_ticker(self, symbol: str) -> Ticker:
        self.check_symbol(symbol)
        return self.reading().value
