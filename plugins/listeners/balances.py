"""``listeners.balances``: the account's balances, fetched on an interval, for many readers.

Readers (``kill_switches.inventory``, ``kill_switches.drawdown``, ...) take it where they take
an exchange and call ``fetch_balances()``: they get the latest fetch, never a venue call.
Records: one :class:`~schemas.metrics.BalanceRecord` per currency (all, or ``currencies``).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from plugins.listeners._listener import Listener, ListenerArgs
from schemas import Balances
from schemas.feeds import BalancesFeed
from schemas.metrics import BalanceRecord, MetricRecord

__all__ = ["BalancesListener", "BalancesListenerArgs"]


class BalancesListenerArgs(ListenerArgs):
    currencies: list[str] | None = Field(
        default=None, description='currencies written to sinks, e.g. ["BTC", "USDT"] (default: '
        "all the venue reports); readers always see all"
    )


class BalancesListener(Listener[BalancesListenerArgs, Balances], BalancesFeed):
    """Fetches the account's balances on an interval; readers share the latest."""

    Args = BalancesListenerArgs  # set here: the core reads Args from a one-parameter base only

    async def fetch(self) -> Balances:
        return await self.args.exchange.fetch_balances()

    def records(self, value: Balances) -> Sequence[MetricRecord]:
        if not self.args.sinks:
            return ()
        wanted = self.args.currencies or value.currencies()
        at = value.timestamp or self.clock.now()
        return [
            BalanceRecord(mandate=self.mandate, venue=self.venue, timestamp=at, currency=code,
                          free=value.free(code), used=value.used(code), total=value.total(code))
            for code in wanted
        ]

    async def fetch_balances(self) -> Balances:
        return self.reading().value
