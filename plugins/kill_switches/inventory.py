"""``kill_switches.inventory``: trip when base or quote holdings leave their bounds."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from fortuna import ComponentArgs, ExactDecimal
from plugins.kill_switches._latch import LatchedSwitch
from schemas import Exchange, Symbol
from schemas.feeds import BalancesFeed

__all__ = ["InventoryArgs", "InventorySwitch"]

Bound = Annotated[ExactDecimal, Field(ge=0)] | None


class InventoryArgs(ComponentArgs):
    exchange: Exchange | BalancesFeed = Field(
        description="the venue whose balances are watched, or a listeners.balances that fetches "
        "them"
    )
    symbol: Symbol = Field(description="the market: its base and quote are the currencies")
    base_min: Bound = Field(default=None, description="trip below this much base currency")
    base_max: Bound = Field(default=None, description="trip above this much base currency")
    quote_min: Bound = Field(default=None, description="trip below this much quote currency")
    quote_max: Bound = Field(default=None, description="trip above this much quote currency")
    balance: Literal["total", "free"] = Field(
        default="total", description="which balance is compared: total (free + in orders) or free"
    )

    @model_validator(mode="after")
    def _some_bound(self) -> Self:
        if all(b is None for b in (self.base_min, self.base_max, self.quote_min,
                                   self.quote_max)):
            raise ValueError("give at least one of base_min, base_max, quote_min, quote_max")
        return self


class InventorySwitch(LatchedSwitch[InventoryArgs]):
    """Trips when base or quote holdings leave their min/max bounds."""

    async def evaluate(self) -> str | None:
        args = self.args
        balances = await args.exchange.fetch_balances()
        read = balances.total if args.balance == "total" else balances.free
        for currency, low, high in (
            (args.symbol.base, args.base_min, args.base_max),
            (args.symbol.quote, args.quote_min, args.quote_max),
        ):
            held = read(currency)
            if low is not None and held < low:
                return f"{currency} {args.balance} balance {held} is below the minimum {low}"
            if high is not None and held > high:
                return f"{currency} {args.balance} balance {held} is above the maximum {high}"
        return None
