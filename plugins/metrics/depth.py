"""``metrics.depth``: liquidity within bands around mid, per side, every interval."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from fortuna import ExactDecimal
from plugins.metrics._collector import BPS, Collector, CollectorArgs
from schemas import Exchange, OrderBook, OrderBookLevel, Symbol, money
from schemas.metrics import DepthRecord, MetricRecord, quantize_metric

__all__ = ["DepthArgs", "DepthCollector"]

_ONE = Decimal(1)

BandBps = Annotated[ExactDecimal, Field(gt=0, le=10_000)]


class DepthArgs(CollectorArgs):
    exchange: Exchange = Field(description="the venue whose book is sampled")
    symbol: Symbol = Field(description="the market, 'BASE/QUOTE'")
    bands: Annotated[list[BandBps], Field(min_length=1)] = Field(
        default_factory=lambda: [Decimal(10), Decimal(50), Decimal(100)],
        description="half-widths around mid in basis points; one record per band "
        "(bids priced at least mid*(1-band), asks at most mid*(1+band))",
    )
    book_limit: int | None = Field(
        100, ge=1, description="levels per side to fetch (None: the venue's default)"
    )
    venue: str | None = Field(
        None, description="venue label on the records (default: the exchange's venue name)"
    )


def _within(
    levels: Sequence[OrderBookLevel], inside: Callable[[Decimal], bool]
) -> tuple[Decimal, Decimal]:
    """Base amount and quote notional of the leading levels for which ``inside`` holds."""
    amount = notional = Decimal(0)
    for level in levels:
        if not inside(level.price):
            break
        amount = money.add(amount, level.amount)
        notional = money.add(notional, money.multiply(level.price, level.amount))
    return amount, notional


def band_depth(book: OrderBook, band_bps: Decimal) -> tuple[Decimal, ...] | None:
    """``(mid, bid amount, ask amount, bid notional, ask notional)`` within the band, exact;
    None when a side of the book is empty."""
    if not book.bids or not book.asks:
        return None
    mid = money.mid(book.bids[0].price, book.asks[0].price)
    band = money.divide_exact(band_bps, BPS)  # dividing by 10**4 is always exact
    low = money.multiply(mid, money.subtract(_ONE, band))
    high = money.multiply(mid, money.add(_ONE, band))
    bid_amount, bid_notional = _within(book.bids, lambda p: p >= low)
    ask_amount, ask_notional = _within(book.asks, lambda p: p <= high)
    return mid, bid_amount, ask_amount, bid_notional, ask_notional


class DepthCollector(Collector[DepthArgs]):
    """Samples a market's depth within bands around mid (bps): amount and notional per side."""

    async def collect(self) -> Sequence[MetricRecord]:
        book = await self.args.exchange.fetch_order_book(self.args.symbol, self.args.book_limit)
        now = self.clock.now()
        records: list[MetricRecord] = []
        for band in self.args.bands:
            depth = band_depth(book, band)
            if depth is None:
                self.log.warning(
                    "metrics book one sided", symbol=str(self.args.symbol),
                    bids=len(book.bids), asks=len(book.asks),
                )
                return []
            mid, bid_amount, ask_amount, bid_notional, ask_notional = depth
            records.append(
                DepthRecord(
                    mandate=self.args.mandate,
                    venue=self.args.venue or self.args.exchange.venue,
                    timestamp=now,
                    symbol=str(self.args.symbol),
                    band_bps=band,
                    mid=quantize_metric(mid),
                    bid_amount=bid_amount,
                    ask_amount=ask_amount,
                    # price * amount can carry more decimals than a column: round explicitly.
                    bid_notional=quantize_metric(bid_notional),
                    ask_notional=quantize_metric(ask_notional),
                )
            )
        return records
