"""The market's traded volume since a parent order started, from the venue's public trades.

Read incrementally: each update fetches the trades from the last position on (inclusive)
and skips the ids already counted at that position, so polling often or seldom counts
every trade once. After a restart the ids seen at the stored position are not known, so
trades stamped exactly at that position are skipped: a restart may undercount the
instant it resumes from, never count a trade twice.

The tape includes the mandate's own fills; a participation rate subtracts them
(:func:`volume_excluding`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from schemas import Exchange, money

__all__ = ["TradeMeter", "volume_excluding"]

_ZERO = Decimal(0)


class TradeMeter:
    """Counts base volume and its quote value over the public trades of one market."""

    __slots__ = ("_exchange", "_seen", "_symbol", "position", "updates")

    def __init__(self, exchange: Exchange, symbol: str, position: datetime,
                 *, resumed: bool = False) -> None:
        self._exchange = exchange
        self._symbol = symbol
        self.position = position
        self._seen: set[str] | None = None if resumed else set()
        self.updates = 0

    async def update(self) -> tuple[Decimal, Decimal]:
        """The (base volume, quote value) of the trades new since the last update."""
        trades = await self._exchange.fetch_trades(self._symbol, since=self.position)
        self.updates += 1
        volume = cost = _ZERO
        position = self.position
        seen = self._seen
        for trade in trades:
            stamp = trade.timestamp
            if stamp < position:
                continue
            if stamp > position:
                position = stamp
                seen = set()
            elif seen is None or trade.id in seen:
                continue  # at the position: counted already (or, after a restart, maybe)
            seen.add(trade.id)
            volume = money.add(volume, trade.amount)
            cost = money.add(cost, money.multiply(trade.amount, trade.price))
        self.position = position
        self._seen = seen
        return volume, cost


def volume_excluding(market: Decimal, own: Decimal) -> Decimal:
    """The market's volume without the mandate's own fills (never below zero)."""
    rest = money.subtract(market, own)
    return rest if rest > 0 else _ZERO
