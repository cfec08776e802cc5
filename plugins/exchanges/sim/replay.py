"""``exchanges.sim.replay``: recorded market data as the price process of simulated venues.

A simulated venue that takes this process (``prices: "@replay"``) follows the recorded
reference instead of a random walk (its synthetic book is rebuilt around the recorded mid
at every step), and its public trades are the recorded ones, in order, instead of random
arrivals: a recorded trade fills the mandate's resting orders it reaches, as maker at the
order's own price, up to the trade's amount (:mod:`plugins.exchanges.sim._replay_engine`).
The same data, the same mandate: the same fills, every time (no randomness is left).

The reference moves in steps of ``step``: at each step it is the last recorded value at or
before it (before the first record: the first). The data's format is in
:mod:`plugins.exchanges.sim.recording` and ``docs/rehearsal.md``. Reading the data is done
once per file and process (``fortuna rehearse`` reads it to plan, the venue to run).
"""

from __future__ import annotations

import os
from array import array
from bisect import bisect_right
from decimal import Decimal

from pydantic import Field

from fortuna import Component, ComponentArgs
from plugins.exchanges.sim._walk import PricePath
from plugins.exchanges.sim.prices import PriceProcess, Step
from plugins.exchanges.sim.recording import (
    RecordedTrade,
    Recording,
    RecordingError,
    read_recording,
)
from schemas import money

__all__ = ["RecordedPrices", "ReplayArgs", "ReplayPath", "recording_at"]

_CACHE: dict[tuple[str, float, int], Recording] = {}


def recording_at(path: str) -> Recording:
    """The recording at ``path``, read once per file version (path, mtime, size); a
    database is read each time."""
    if path.startswith(("postgresql://", "postgres://", "postgresql+asyncpg://")):
        return read_recording(path)
    try:
        stat = os.stat(path)
    except OSError as error:
        raise RecordingError(f"{path}: {(error.strerror or str(error)).lower()}") from None
    key = (os.path.abspath(path), stat.st_mtime, stat.st_size)
    found = _CACHE.get(key)
    if found is None:
        found = _CACHE[key] = read_recording(path)
    return found


class ReplayPath(PricePath):
    """A price path that follows recorded values instead of walking."""

    __slots__ = ("_times", "_values")

    def __init__(self, *, name: str, points: list[tuple[float, Decimal]], step: float,
                 origin: float) -> None:
        # The finest digit the data uses (1.50 uses 0.1), but at most 15 significant
        # digits of the largest price, so that every price fits a 64-bit whole number.
        exponent = min(int(p.normalize().as_tuple().exponent) for _, p in points)
        finest = max(p.adjusted() for _, p in points) - 15
        increment = Decimal(1).scaleb(min(max(exponent, finest), 0))
        units = [int(money.divide(p, increment, Decimal(1), money.Rounding.HALF_EVEN))
                 for _, p in points]
        first = money.multiply(Decimal(units[0]), increment)
        super().__init__(name=name, initial=first, increment=increment, volatility=0.0,
                         drift=0.0, step=step, seed=0, origin=origin)
        self._times = [t for t, _ in points]
        self._values = array("q", (max(u, 1) for u in units))

    def _extend(self, step: int) -> None:
        path, times, values = self._units, self._times, self._values
        for k in range(len(path), step + 1):
            index = bisect_right(times, self.origin + k * self.step) - 1
            path.append(values[max(index, 0)])


class ReplayArgs(ComponentArgs):
    path: str = Field(
        min_length=1,
        description="recorded data: a CSV file, a SQLite file of the listeners' tables, a "
        "directory of them, or a postgresql:// URL (?schema=NAME) of the sinks' tables "
        "(format: docs/rehearsal.md)",
    )
    step: Step = Field(default=1.0, description='how often the reference moves, e.g. "1s"')


class RecordedPrices(Component[ReplayArgs], PriceProcess):
    """Replays recorded trades, book snapshots, tickers or candles as a simulated market."""

    _recording: Recording | None = None
    _paths: dict[str, ReplayPath] | None = None

    async def load(self) -> None:
        self._start()

    def _start(self) -> dict[str, ReplayPath]:
        if self._paths is None:
            recording = self._recording = recording_at(self.args.path)
            origin = self.clock.time()
            self._paths = {
                symbol: ReplayPath(name=symbol, points=points, step=self.args.step,
                                   origin=origin)
                for symbol, points in recording.mids.items()
            }
        return self._paths

    def path(self, series: str) -> PricePath:
        paths = self._start()
        try:
            return paths[series]
        except KeyError:
            raise KeyError(f"{self.name}: no recorded prices of {series!r} in "
                           f"{self.args.path} (it has {', '.join(sorted(paths))})") from None

    def series(self) -> list[str]:
        return sorted(self._start())

    def tape(self, series: str) -> list[RecordedTrade]:
        """The recorded public trades of ``series``, in time order."""
        self._start()
        assert self._recording is not None
        return self._recording.trades.get(series, [])
