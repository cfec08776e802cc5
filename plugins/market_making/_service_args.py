"""The args of the ``market_making`` service, and what its tick tells the kill switches.

Kept apart from the service (``service.py``) so that each reads alone: these are the
mandate's knobs, the service is what it does with them each tick.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from fortuna import Duration, TickArgs
from schemas import Exchange, MandateName, PriceProvider, Symbol
from schemas.market_making import ExecutionReport, Executor, RiskCheck, Strategy
from schemas.risk import KillSwitch

__all__ = ["MarketMakingArgs", "tick_error"]


class MarketMakingArgs(TickArgs):
    exchange: Exchange = Field(description="the venue to quote on")
    symbol: Symbol = Field(description='the market, e.g. "BTC/USDT"')
    price: PriceProvider = Field(description="the reference price the strategy quotes around")
    strategy: Strategy = Field(description="decides the quotes, e.g. a ladder")
    executor: Executor = Field(
        description="turns quotes into orders: market_making.executors.exchange (live), "
        ".paper (local orders filled by the live market) or .dry_run (logs only)"
    )
    risk: RiskCheck | None = Field(
        default=None,
        description="pre-trade limits (market_making.risk); without it only duplicates and "
        "self-crossing orders are refused",
    )
    kill_switches: list[KillSwitch] = Field(
        default_factory=list, description="any one tripped halts quoting and cancels orders"
    )
    mandate: MandateName = Field(
        description="the mandate's name: the prefix of every client order id it sends "
        "(letters, digits, '_' and '.', at most 32)"
    )
    on_start: Literal["cancel", "adopt"] = Field(
        default="cancel",
        description="orders an earlier run of the mandate left: cancel them, or adopt them",
    )
    on_trip: Literal["halt", "stop"] = Field(
        default="halt",
        description="when a kill switch trips: halt (cancel, keep checking, resume after a "
        "reset) or stop the service",
    )
    respect_balances: bool = Field(
        default=True, description="trim quotes to what the account holds"
    )
    duration: Annotated[Duration, Field(gt=0)] | None = Field(
        default=None,
        description='stop by itself after this much time of the clock, e.g. "1h" (a rehearsal)',
    )
    report_every: Annotated[Duration, Field(gt=0)] | None = Field(
        default=None, description='log balances and quotes this often, e.g. "10m"'
    )
    requote_on: list[Literal["book", "fill"]] = Field(
        default_factory=list,
        description="also quote at once on these streamed updates, besides each tick: "
        "book (the market's book changed), fill (one of the mandate's orders filled); "
        "needs a venue that streams them (exchanges.ccxt.<id> stream, exchanges.sim stream)",
    )
    min_requote_interval: Annotated[Duration, Field(gt=0, le=3600)] = Field(
        default=0.25,
        description='the least time between two requotes on updates, e.g. "250ms" '
        "(updates arriving meanwhile are merged into the next)",
    )
    cancel_timeout: Annotated[Duration, Field(gt=0, le=86400)] = Field(
        default=900.0,
        description='on stop, how long to keep cancelling resting orders across a venue '
        'outage (retried with backoff, 1 s doubling to 30 s) before exiting with the list '
        'of orders that may still rest, e.g. "15m"',
    )


def tick_error(report: ExecutionReport | None) -> str | None:
    """What the tick observers hear went wrong: the first venue error, or orders refused
    with none placed (a mandate whose own limits or the venue refuse its orders again and
    again trips ``kill_switches.consecutive_errors`` instead of logging forever)."""
    if report is None:
        return None
    if report.errors:
        return report.errors[0]
    if report.refused and not report.placed:
        reason = report.refused[0][1]
        return f"{len(report.refused)} order(s) refused and none placed; first: {reason}"
    return None
