"""``metrics.spread``: best bid and ask, mid and spread of one market, every interval."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from plugins.metrics._collector import BPS, Collector, CollectorArgs
from schemas import Exchange, Symbol, money
from schemas.metrics import MetricRecord, SpreadRecord, quantize_metric, ratio_metric

__all__ = ["SpreadArgs", "SpreadCollector"]


class SpreadArgs(CollectorArgs):
    exchange: Exchange = Field(description="the venue whose book is sampled")
    symbol: Symbol = Field(description="the market, 'BASE/QUOTE'")
    venue: str | None = Field(
        None, description="venue label on the records (default: the exchange's venue name)"
    )


class SpreadCollector(Collector[SpreadArgs]):
    """Samples a market's top of book: bid, ask, mid, spread and spread in bps."""

    async def collect(self) -> Sequence[MetricRecord]:
        book = await self.args.exchange.fetch_order_book(self.args.symbol)
        now = self.clock.now()
        bid, ask = book.best_bid, book.best_ask
        if bid is None or ask is None:
            self.log.warning(
                "metrics book one sided", symbol=str(self.args.symbol),
                bids=len(book.bids), asks=len(book.asks),
            )
            return []
        mid = money.mid(bid.price, ask.price)
        spread = money.subtract(ask.price, bid.price)
        return [
            SpreadRecord(
                mandate=self.args.mandate,
                venue=self.args.venue or self.args.exchange.venue,
                timestamp=now,
                symbol=str(self.args.symbol),
                bid=bid.price,
                ask=ask.price,
                bid_amount=bid.amount,
                ask_amount=ask.amount,
                # mid can have one decimal more than the prices; a ratio has many more.
                mid=quantize_metric(mid),
                spread=spread,
                spread_bps=ratio_metric(money.multiply(spread, BPS), mid),
            )
        ]
