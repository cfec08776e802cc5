"""The args every execution service takes: the parent order, the venue, safety and journal."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from fortuna import TickArgs
from schemas import Amount, Exchange, Price, Side, Symbol
from schemas.execution import ProgressStore
from schemas.market_making import RiskCheck
from schemas.risk import KillSwitch

__all__ = ["ParentArgs"]


class ParentArgs(TickArgs):
    exchange: Exchange = Field(description="the venue the child orders go to")
    symbol: Symbol = Field(description='the market, e.g. "BTC/USDT"')
    side: Side = Field(description="buy or sell: the parent order's side")
    amount: Amount = Field(
        description="the parent order's total, in base currency; child orders never add up "
        "to more"
    )
    limit_price: Price | None = Field(
        default=None,
        description="no child buys above (sells below) this price, in quote per base; no "
        "limit when omitted",
    )
    mandate: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.]{1,32}$")] = Field(
        description="the mandate's name: the prefix of every child's client order id and "
        "the key of its journal (letters, digits, '_' and '.', at most 32)"
    )
    journal: ProgressStore | None = Field(
        default=None,
        description="a SQL sink (sinks.postgres, sinks.sqlite) where progress is journaled, "
        "so a restart resumes the remaining amount; without one a restart starts over",
    )
    risk: RiskCheck | None = Field(
        default=None,
        description="pre-trade limits (market_making.risk) every child passes before it is "
        "sent; without it only duplicates and self-crossing orders are refused",
    )
    kill_switches: list[KillSwitch] = Field(
        default_factory=list,
        description="any one tripped cancels the working child and sends no other until "
        "an operator resets it",
    )
    on_start: Literal["cancel", "adopt"] = Field(
        default="cancel",
        description="a child order an earlier run left resting: cancel it (its fills "
        "count), or adopt it as the working child",
    )
    cancel_attempts: int = Field(
        default=3, ge=1, description="rounds of cancels on stop before giving up (logged)"
    )
