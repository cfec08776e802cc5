"""``metrics.balances``: the balance of each currency on a venue, every interval."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from plugins.metrics._collector import Collector, CollectorArgs
from schemas import Exchange
from schemas.metrics import BalanceRecord, MetricRecord

__all__ = ["BalancesArgs", "BalancesCollector"]


class BalancesArgs(CollectorArgs):
    exchange: Exchange = Field(description="the venue whose balances are sampled")
    currencies: list[str] | None = Field(
        None,
        description="currencies to record (one listed but not held is recorded as zero); "
        "default: every currency the venue reports",
    )
    venue: str | None = Field(
        None, description="venue label on the records (default: the exchange's venue name)"
    )


class BalancesCollector(Collector[BalancesArgs]):
    """Samples a venue's balances (free, used, total per currency) into sinks."""

    async def collect(self) -> Sequence[MetricRecord]:
        balances = await self.args.exchange.fetch_balances()
        now = self.clock.now()
        venue = self.args.venue or self.args.exchange.venue
        currencies = self.args.currencies or balances.currencies()
        return [
            BalanceRecord(
                mandate=self.args.mandate,
                venue=venue,
                timestamp=now,
                currency=currency,
                free=balances.free(currency),
                used=balances.used(currency),
                total=balances.total(currency),
            )
            for currency in currencies
        ]
