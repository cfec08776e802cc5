"""The records listeners store in sinks, and the cursor an incremental listener persists.

Every record is a :class:`~schemas.metrics.MetricRecord` (exact ``NUMERIC(38, 18)`` amounts,
an ``id`` that is its idempotency key), one table per kind. Ids are derived from what the
record describes, so storing the same observation twice keeps one row:

- ``tickers``: one ticker, keyed by (mandate, venue, symbol, the venue's timestamp);
- ``order_book_levels``: one level of a sampled book, keyed by (..., book timestamp, side,
  level), level 0 being the best;
- ``trades``: one public trade, keyed by (mandate, venue, symbol, trade id);
- ``candles``: one closed candle, keyed by (..., timeframe, open time); a candle is stored
  once it has closed, never while it can still change;
- ``open_orders``: one resting order at one sample, keyed by (..., order id, sample time);
- ``closed_orders``: one final order, keyed by (mandate, venue, symbol, order id);
- balances reuse :class:`~schemas.metrics.BalanceRecord`.

Incremental listeners (trades, closed orders) persist where they stopped as a
:class:`CursorRecord`, written to a sink that can read it back (:class:`CursorStore`) in the
same write as, and after, the records it covers. A sink stores a write's records in order,
so a stored cursor implies every record before it is stored: a restart resumes from the last
stored cursor and neither skips (no gap) nor stores again (the ids) anything.
"""

from __future__ import annotations

import abc
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Literal
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from fortuna import Interface
from schemas._values import Timestamp
from schemas.metrics import MetricDecimal, MetricRecord

__all__ = [
    "BookLevelRecord",
    "CandleRecord",
    "ClosedOrderRecord",
    "CursorRecord",
    "CursorStore",
    "ListenerCursor",
    "OpenOrderRecord",
    "TickerRecord",
    "TradeRecord",
    "record_id",
]

_NAMESPACE = uuid5(NAMESPACE_URL, "https://fortuna/listeners")


def record_id(kind: str, *parts: object) -> UUID:
    """The idempotency key of a listener record: the same observation, the same id."""
    return uuid5(_NAMESPACE, "\x1f".join((kind, *(str(p) for p in parts))))


class TickerRecord(MetricRecord):
    """One ticker of one market; ``timestamp`` is the venue's."""

    kind: ClassVar[str] = "tickers"

    symbol: str = Field(min_length=1)
    bid: MetricDecimal | None = None
    ask: MetricDecimal | None = None
    last: MetricDecimal | None = None
    volume: MetricDecimal | None = Field(default=None, description="base volume, venue window")
    quote_volume: MetricDecimal | None = None


class BookLevelRecord(MetricRecord):
    """One level of a sampled order book; ``timestamp`` is the book's."""

    kind: ClassVar[str] = "order_book_levels"

    symbol: str = Field(min_length=1)
    side: Literal["bid", "ask"]
    level: int = Field(ge=0, description="0 for the best level, then 1, 2, ...")
    price: MetricDecimal
    amount: MetricDecimal


class TradeRecord(MetricRecord):
    """One public trade; ``timestamp`` is when it executed."""

    kind: ClassVar[str] = "trades"

    symbol: str = Field(min_length=1)
    trade_id: str = Field(min_length=1, description="the venue's trade id")
    side: Literal["buy", "sell"] = Field(description="the taker's side")
    price: MetricDecimal
    amount: MetricDecimal


class CandleRecord(MetricRecord):
    """One closed OHLCV candle; ``timestamp`` is its open time."""

    kind: ClassVar[str] = "candles"

    symbol: str = Field(min_length=1)
    timeframe: str = Field(min_length=2, description='ccxt notation, e.g. "1m"')
    open: MetricDecimal
    high: MetricDecimal
    low: MetricDecimal
    close: MetricDecimal
    volume: MetricDecimal


class _OrderRecord(MetricRecord):
    symbol: str = Field(min_length=1)
    order_id: str = Field(min_length=1)
    client_order_id: str | None = None
    side: Literal["buy", "sell"]
    type: Literal["limit", "market"]
    status: Literal["open", "closed", "canceled", "rejected", "expired"]
    price: MetricDecimal | None = None
    amount: MetricDecimal
    filled: MetricDecimal
    remaining: MetricDecimal
    average: MetricDecimal | None = None
    fee: MetricDecimal
    fee_currency: str | None = None
    created: Timestamp = Field(description="when the venue accepted the order")
    updated: Timestamp | None = None


class OpenOrderRecord(_OrderRecord):
    """One resting order as one sample saw it; ``timestamp`` is the sample's time."""

    kind: ClassVar[str] = "open_orders"


class ClosedOrderRecord(_OrderRecord):
    """One final order; ``timestamp`` is when the venue accepted it (``created``)."""

    kind: ClassVar[str] = "closed_orders"


class CursorRecord(MetricRecord):
    """Where an incremental listener stopped: everything before ``position``, and the items
    at or after it whose ids are in ``seen``, have been stored with this record."""

    kind: ClassVar[str] = "listener_cursors"

    listener: str = Field(min_length=1, description="the listener's component name")
    symbol: str = Field(description="the market followed ('' for every market)")
    sequence: int = Field(ge=0, description="increases with every cursor a listener writes")
    position: Timestamp = Field(description="fetches resume from here (inclusive)")
    seen: str = Field(
        description="JSON object: id -> ISO time of each item at or after position stored"
    )

    def cursor(self) -> ListenerCursor:
        ids = json.loads(self.seen)
        if not isinstance(ids, dict):
            raise ValueError(f"cursor {self.id}: seen is not a JSON object")
        seen = {str(k): datetime.fromisoformat(str(v)) for k, v in ids.items()}
        return ListenerCursor(position=self.position, seen=seen, sequence=self.sequence)

    @staticmethod
    def encode_seen(seen: Mapping[str, datetime]) -> str:
        """The ``seen`` column for ``id -> time`` (sorted, so equal sets encode equally)."""
        return json.dumps({k: seen[k].isoformat() for k in sorted(seen)},
                          separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class ListenerCursor:
    """An incremental listener's position, as read back from a :class:`CursorStore`."""

    position: datetime
    seen: Mapping[str, datetime]
    sequence: int


class CursorStore(Interface, abc.ABC):
    """A sink that can read back the latest cursor an incremental listener stored in it."""

    @abc.abstractmethod
    async def read_cursor(self, mandate: str, venue: str, listener: str) -> ListenerCursor | None:
        """The stored cursor with the highest sequence, or None if there is none."""
