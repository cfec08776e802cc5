"""Injected faults: seeded network errors, timeouts, outage windows and a rate limit.

Each call draws once from its own seeded stream, so a run with the same seed and the same
calls fails at the same places. Outage windows are measured from the venue's load. The
rate limit counts the calls answered in the last second of the clock.
"""

from __future__ import annotations

import random
from collections import deque

from plugins.exchanges.sim._args import SimFaults
from schemas import ExchangeUnavailable, NetworkError, RateLimited

__all__ = ["TIMEOUT", "Faults"]

TIMEOUT = "timeout"


class Faults:
    """Decides, per call, whether it fails and how."""

    __slots__ = ("_calls", "_error", "_limit", "_outages", "_random", "_timeout", "venue")

    def __init__(self, spec: SimFaults, *, seed: int, venue: str, start: float) -> None:
        self.venue = venue
        self._error = float(spec.error_rate)
        self._timeout = self._error + float(spec.timeout_rate)
        self._outages = [(start + o.start, start + o.start + o.duration) for o in spec.outages]
        self._random = random.Random(f"fortuna.sim:{seed}:{venue}:faults").random
        self._limit = spec.rate_limit
        self._calls: deque[float] = deque()

    def draw(self, operation: str, now: float) -> str | None:
        """Raise the call's failure, or return ``TIMEOUT`` when it times out (the caller
        decides whether it took effect), or None when it succeeds."""
        for begin, end in self._outages:
            if begin <= now < end:
                raise ExchangeUnavailable(
                    f"{operation}: the venue is down for maintenance (back in "
                    f"{end - now:.3f}s)", venue=self.venue,
                )
        limit = self._limit
        if limit is not None:
            calls = self._calls
            while calls and calls[0] <= now - 1.0:
                calls.popleft()
            if len(calls) >= limit:
                wait = calls[0] + 1.0 - now
                raise RateLimited(
                    f"{operation}: over {limit} requests per second; retry in {wait:.3f}s",
                    venue=self.venue, retry_after=wait,
                )
            calls.append(now)
        if self._timeout <= 0:
            return None
        draw = self._random()
        if draw < self._error:
            raise NetworkError(f"{operation}: connection reset by peer", venue=self.venue)
        if draw < self._timeout:
            return TIMEOUT
        return None

    def took_effect(self) -> bool:
        """Whether a timed-out order placement or cancel happened anyway (one in two)."""
        return self._random() < 0.5
