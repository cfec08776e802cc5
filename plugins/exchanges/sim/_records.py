"""Time and record helpers of the simulated venue's answers: timeframes, UTC timestamps,
and the ``since``/``limit`` selection every history call (trades, orders, fills) applies.

Why on its own: the market-data answers and the account answers select from their
histories the same way; one function, scanning from the recent end only, keeps both
exact and cheap on long rehearsals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from itertools import islice
from typing import TypeVar

__all__ = ["select", "timeframe_seconds", "utc"]

_TIMEFRAME_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}

T = TypeVar("T")


def timeframe_seconds(timeframe: str) -> int:
    """Seconds in a ccxt timeframe such as ``"1m"``, ``"15m"``, ``"4h"``, ``"1d"``."""
    count, unit = timeframe[:-1], timeframe[-1:]
    if not count.isdigit() or unit not in _TIMEFRAME_UNITS or int(count) <= 0:
        raise ValueError(
            f"unknown timeframe {timeframe!r}; use a count and a unit, like 1m, 15m, 4h, 1d"
        )
    return int(count) * _TIMEFRAME_UNITS[unit]


def select(records: Sequence[T], since: datetime | None, limit: int | None,
            time_of: Callable[[T], float]) -> list[T]:
    """From chronological ``records``: those at or after ``since``, the first ``limit`` of
    them; without ``since``, the last ``limit``. Scans from the recent end only."""
    count = len(records)
    if since is None:
        start = 0 if limit is None else max(0, count - max(limit, 0))
        end = count
    else:
        start = count
        while start > 0 and utc(time_of(records[start - 1])) >= since:
            start -= 1
        end = count if limit is None else min(count, start + max(limit, 0))
    if start >= end:
        return []
    if end - start <= 64:
        return [records[i] for i in range(start, end)]
    return list(islice(records, start, end))


@lru_cache(maxsize=1024)
def utc(t: float) -> datetime:
    """Epoch seconds as an aware UTC datetime; remembered, as the same instants come back
    (the orders, fills and trades of one moment on the virtual clock)."""
    return datetime.fromtimestamp(t, UTC)
