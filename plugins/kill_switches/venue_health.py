"""``kill_switches.venue_health``: trip when a venue's error rate or latency is too high."""

from __future__ import annotations

import statistics
from collections import deque
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from fortuna import Duration, ExactDecimal
from plugins.kill_switches._action import OnTrip
from plugins.kill_switches._latch import LatchedSwitch
from plugins.kill_switches._limits import EitherLimitArgs
from schemas import Exchange, ExchangeError, Symbol, money
from schemas.risk import TripPolicy

__all__ = ["VenueHealthArgs", "VenueHealthSwitch"]


class VenueHealthArgs(EitherLimitArgs):
    either_limit = ("max_error_rate", "max_latency")

    exchange: Exchange = Field(description="the venue probed (a ticker read at every check)")
    symbol: Symbol = Field(description="the market whose ticker is read")
    window: int = Field(default=20, ge=1, le=10_000,
                        description="how many recent probes the rate and latency are taken over")
    max_error_rate: Annotated[ExactDecimal, Field(gt=0, le=1)] | None = Field(
        default=None, description="trip when more than this fraction of the window's probes "
        "failed (0.5); judged once the window is full",
    )
    max_latency: Annotated[Duration, Field(gt=0)] | None = Field(
        default=None, description='trip when the median probe latency of the window is over '
        'this, e.g. "800ms"; judged once the window is full',
    )
    on_trip: OnTrip = Field(default_factory=OnTrip, description="what the mandate does then")


class VenueHealthSwitch(LatchedSwitch[VenueHealthArgs]):
    """Trips when the venue's recent error rate or median latency is over its threshold.

    Probes the venue (a ticker read) at every check; judged over the last ``window`` probes."""

    _probes: deque[tuple[bool, float]]

    async def load(self) -> None:
        self._probes = deque(maxlen=self.args.window)

    @property
    def policy(self) -> TripPolicy:
        return self.args.on_trip.policy()

    async def evaluate(self) -> str | None:
        args = self.args
        started = self.clock.monotonic()
        try:
            await args.exchange.fetch_ticker(str(args.symbol))
            ok = True
        except ExchangeError as exc:
            ok = False
            self.log.debug("venue probe failed", error=f"{type(exc).__name__}: {exc}")
        self._probes.append((ok, self.clock.monotonic() - started))
        if len(self._probes) < args.window:
            return None
        failed = sum(1 for good, _ in self._probes if not good)
        rate = money.ratio(Decimal(failed), Decimal(len(self._probes)))
        if args.max_error_rate is not None and rate > args.max_error_rate:
            return (f"{failed} of the last {len(self._probes)} probes of {args.exchange.venue} "
                    f"failed (rate {rate}, max {args.max_error_rate})")
        latency = statistics.median(seconds for _, seconds in self._probes)
        if args.max_latency is not None and latency > args.max_latency:
            return (f"median latency {latency:g} s over the last {len(self._probes)} probes "
                    f"of {args.exchange.venue} (max {args.max_latency:g} s)")
        return None

    def reset(self) -> None:
        super().reset()
        self._probes.clear()
