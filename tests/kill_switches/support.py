"""Mandates guarded by kill switches, the switches of a running session, and the hand-moved
parts (a mark price, held balances) the loss switches are tested against."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fortuna import Component, NoArgs
from schemas import Balance, Balances, PriceProvider, PriceQuote, PriceUnavailable
from schemas.feeds import BalancesFeed, Reading
from schemas.risk import KillSwitch
from tests.market_making.mandates import Session, mandate

__all__ = ["Held", "Mark", "guarded", "switch"]

D = Decimal


def guarded(switches: dict[str, dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    """A ladder mandate guarded by ``switches`` (component specs by name)."""
    extra = {**kwargs.pop("extra", {}), **switches}
    return mandate(extra=extra, kill_switches=[f"@{name}" for name in switches], **kwargs)


def switch(s: Session, name: str) -> KillSwitch:
    """The kill switch ``name`` of the session's graph."""
    component = s.graph[name]
    assert isinstance(component, KillSwitch)
    return component


class Mark(Component[NoArgs], PriceProvider):
    """A mark price the test moves by hand; ``None`` has no price (``PriceUnavailable``)."""

    value: Decimal | None = D(100)

    async def price(self) -> Decimal:
        return (await self.quote()).price

    async def quote(self) -> PriceQuote:
        if self.value is None:
            raise PriceUnavailable("no mark", source=self.name)
        return PriceQuote(price=self.value, timestamp=self.clock.now(), source=self.name)


class Held(Component[NoArgs], BalancesFeed):
    """Balances of 10 BTC and 1000 USDT (a listener's latest reading)."""

    @property
    def venue(self) -> str:
        return "sim"

    def reading(self) -> Reading[Any]:
        return Reading(self._balances(), self.clock.now(), 1)

    def _balances(self) -> Balances:
        return Balances.of([Balance(currency="BTC", free=D(10)),
                            Balance(currency="USDT", free=D(1000))])

    async def fetch_balances(self) -> Balances:
        return self._balances()
