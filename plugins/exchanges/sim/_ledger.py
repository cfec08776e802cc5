"""Balances: free and used amounts per currency, moved only by exact arithmetic.

``used`` is what open orders reserve. Every change goes through :mod:`schemas.money`'s exact
operations, which raise rather than round, so value is never rounded away; a debit larger
than what is there is a bug in the caller and raises rather than leaving a negative balance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal

from schemas import Balance, Balances, InsufficientFunds, money, trusted

__all__ = ["Ledger", "LedgerError"]

_ZERO = Decimal(0)


def _clean(value: Decimal) -> Decimal:
    """A zero balance reads ``0``, not ``0E-9``; any other value is kept as it is."""
    return value if value else _ZERO


class LedgerError(AssertionError):
    """A movement would make a balance negative: an accounting bug, never a user error."""


class Ledger:
    """Free and used balance per currency."""

    __slots__ = ("_reported", "free", "used", "venue")

    def __init__(self, venue: str, initial: Mapping[str, Decimal], currencies: Iterable[str]
                 ) -> None:
        self.venue = venue
        self.free: dict[str, Decimal] = dict.fromkeys(currencies, _ZERO)
        self.free.update(initial)
        self.used: dict[str, Decimal] = dict.fromkeys(self.free, _ZERO)
        # The Balance last reported per currency: balances are read every tick and change
        # only on fills, so an unchanged one (the very same free and used values) is reused.
        self._reported: dict[str, Balance] = {}

    def reserve(self, currency: str, amount: Decimal) -> None:
        """Move ``amount`` from free to used, or ``InsufficientFunds``."""
        free = self.free.get(currency, _ZERO)
        if amount > free:
            raise InsufficientFunds(
                f"{currency}: need {amount} free, have {free}", venue=self.venue
            )
        self.free[currency] = _clean(money.subtract(free, amount))
        self.used[currency] = _clean(money.add(self.used.get(currency, _ZERO), amount))

    def release(self, currency: str, amount: Decimal) -> None:
        """Move ``amount`` from used back to free."""
        used = self.used[currency]
        if amount > used:
            raise LedgerError(f"{currency}: release {amount} exceeds used {used}")
        self.used[currency] = _clean(money.subtract(used, amount))
        self.free[currency] = _clean(money.add(self.free[currency], amount))

    def settle(self, *, spent: str, from_used: Decimal, refund: Decimal, received: str,
               amount: Decimal) -> None:
        """One fill: ``from_used`` of ``spent`` leaves the reservation, ``refund`` of it
        (the part of the reservation the fill did not cost; negative for a market buy
        paid from free) goes back to free, and ``amount`` of ``received`` arrives in free."""
        free, used = self.free, self.used
        left = money.subtract(used[spent], from_used)
        back = money.add(free[spent], refund)
        if left < 0 or back < 0:
            raise LedgerError(
                f"{spent}: a fill would leave used {left} and free {back}; both must stay >= 0"
            )
        used[spent] = left if left else _ZERO
        free[spent] = back if back else _ZERO
        gained = money.add(free[received], amount)
        if gained < 0:
            raise LedgerError(f"{received}: a fill would leave free {gained}")
        free[received] = gained if gained else _ZERO

    def charge(self, currency: str, amount: Decimal) -> None:
        """Take a fee of ``amount`` from the free balance of ``currency`` (the caller has
        checked that it is there)."""
        left = money.subtract(self.free.get(currency, _ZERO), amount)
        if left < 0:
            raise LedgerError(f"{currency}: a fee of {amount} would leave free {left}")
        self.free[currency] = _clean(left)
        self.used.setdefault(currency, _ZERO)

    def snapshot(self, timestamp: datetime | None = None) -> Balances:
        reported, used = self._reported, self.used
        balances: dict[str, Balance] = {}
        for currency, free in self.free.items():
            balance = reported.get(currency)
            held = used[currency]
            if balance is None or balance.free is not free or balance.used is not held:
                balance = reported[currency] = trusted(
                    Balance, currency=currency, free=free, used=held,
                    total=money.add(free, held),
                )
            balances[currency] = balance
        return trusted(Balances, balances=balances, timestamp=timestamp)
