"""The book a websocket stand-in publishes changes of: exact levels, changed in place."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from tests.ccxt.standins.base import Ledger

Level = tuple[Decimal, Decimal]


class LiveBook:
    """Bids and asks by price, starting from the ledger's REST book."""

    def __init__(self, ledger: Ledger) -> None:
        self.sides: dict[str, dict[Decimal, Decimal]] = {
            "bids": {Decimal(p): Decimal(q) for p, q in ledger.bids},
            "asks": {Decimal(p): Decimal(q) for p, q in ledger.asks},
        }

    def apply(self, bids: Iterable[Level], asks: Iterable[Level]) -> None:
        """Set each level's amount; an amount of 0 removes the level."""
        for side, changes in (("bids", bids), ("asks", asks)):
            for price, amount in changes:
                if amount == 0:
                    self.sides[side].pop(price, None)
                else:
                    self.sides[side][price] = amount

    def levels(self, side: str) -> list[Level]:
        """One side, best first."""
        return sorted(self.sides[side].items(), reverse=side == "bids")
