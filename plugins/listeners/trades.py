"""``listeners.trades``: one market's public trades, incrementally, no duplicate, no gap.

Fetches the trades since its cursor on an interval (see :mod:`._incremental` for how the
cursor advances and survives a restart through ``cursor_store``) and keeps the latest
``keep`` for readers of ``fetch_trades`` (``prices.vwap`` takes it in place of the venue).
Records: one :class:`~schemas.listeners.TradeRecord` per trade, keyed by the venue's id.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from plugins.listeners._incremental import IncrementalArgs, IncrementalListener
from schemas import Symbol, Trade
from schemas.feeds import TradesFeed, select_since
from schemas.listeners import TradeRecord, record_id
from schemas.metrics import MetricRecord

__all__ = ["TradesListener", "TradesListenerArgs"]


class TradesListenerArgs(IncrementalArgs):
    symbol: Symbol = Field(description='the market, e.g. "BTC/USDT"')


class TradesListener(IncrementalListener[TradesListenerArgs, Trade], TradesFeed):
    """Fetches one market's public trades incrementally: each stored once, none skipped."""

    Args = TradesListenerArgs  # set here: the core reads Args from a one-parameter base only

    async def page(self, since: datetime, limit: int) -> list[Trade]:
        return await self.args.exchange.fetch_trades(self.args.symbol, since=since, limit=limit)

    def key(self, item: Trade) -> str:
        return item.id

    def time(self, item: Trade) -> datetime:
        return item.timestamp

    def record(self, item: Trade) -> MetricRecord:
        symbol = str(item.symbol)
        return TradeRecord(
            id=record_id("trades", self.mandate, self.venue, symbol, item.id),
            mandate=self.mandate, venue=self.venue, timestamp=item.timestamp, symbol=symbol,
            trade_id=item.id, side=item.side.value, price=item.price, amount=item.amount,
        )

    async def fetch_trades(
        self, symbol: str, since: datetime | None = None, limit: int | None = None
    ) -> list[Trade]:
        self.check_symbol(symbol)
        return select_since(self.reading().value, since, limit, self.time)
