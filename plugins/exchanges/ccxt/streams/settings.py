"""The ``stream`` setting of an ``exchanges.ccxt.<id>`` component (light: pydantic only).

Which kinds of data come from the venue's websocket streams instead of REST polling, and
how a stream is judged alive. Validation imports this module, never ccxt.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from fortuna import ComponentArgs, Duration

__all__ = ["StreamSettings"]


class StreamSettings(ComponentArgs):
    order_book: bool = Field(
        default=False,
        description="keep each read market's book from the venue's diff stream (sequence "
        "checked, resynced from a snapshot on a gap) instead of a REST call per read",
    )
    trades: bool = Field(
        default=False, description="serve public trades from the venue's trade stream"
    )
    ticker: bool = Field(
        default=False, description="serve the ticker from the venue's ticker stream"
    )
    orders: bool = Field(
        default=False,
        description="serve the account's open orders and fills from the venue's private "
        "stream (needs api_key and secret); fills seen there and on REST count once",
    )
    max_age: Annotated[Duration, Field(gt=0, le=3600)] = Field(
        default=5.0,
        description='a stream silent for longer than this is stale: reads go to REST and '
        'the connection is re-established, e.g. "5s"',
    )
    reconnect_backoff: Annotated[Duration, Field(gt=0, le=60)] = Field(
        default=0.5,
        description="wait before reconnecting a dropped stream; doubles on each failure "
        "up to reconnect_max (which also caps this first wait)",
    )
    reconnect_max: Annotated[Duration, Field(gt=0, le=600)] = Field(
        default=30.0, description="the longest wait between two reconnection attempts"
    )

    @property
    def any(self) -> bool:
        """Whether any kind of data is streamed."""
        return self.order_book or self.trades or self.ticker or self.orders
