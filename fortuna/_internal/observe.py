"""What a component may tell the outside while it runs: whether it is ready, and metrics.

Two small interfaces, and nothing about what the components do. The runtime composes them
(:mod:`fortuna._internal.status`) behind ``fortuna run --http``: ``/readyz`` is ready when
the graph is loaded, the service is running and every loaded :class:`Readiness` says it
is; ``/metrics`` is what every loaded :class:`MetricsSource` contributes, in the Prometheus
text format.

Both are *pulled*, at the moment someone asks: a component keeps the counters it keeps
anyway and builds its metric families only when ``/metrics`` is scraped, so a mandate run
without ``--http`` pays nothing for them, and a scrape never waits for a tick. Families are
``prometheus_client`` metric families (``GaugeMetricFamily``, ``CounterMetricFamily``,
``HistogramMetricFamily``, or ``collect()`` of an unregistered metric); the library is
imported inside ``metrics()``, never at module import. Several components may contribute
samples to one family name (every kill switch to ``fortuna_kill_switch_tripped``): the
runtime merges them into one family, as the text format requires.

This module imports nothing heavy: validation imports every contract that derives from
these interfaces.
"""

from __future__ import annotations

import abc
import bisect
from collections.abc import Iterable, Sequence
from typing import Any

from fortuna._internal.component import Interface

__all__ = ["DEFAULT_SECONDS_BUCKETS", "MetricsSource", "Readiness", "Timings"]


class Readiness(Interface, abc.ABC):
    """A component that can say it is not ready to do its work (``/readyz``)."""

    @abc.abstractmethod
    def not_ready(self) -> str | None:
        """Why this component is not ready now, in a few words; ``None`` when it is."""


class MetricsSource(Interface, abc.ABC):
    """A component that contributes metrics to ``/metrics``."""

    @abc.abstractmethod
    def metrics(self) -> Iterable[Any]:
        """``prometheus_client`` metric families, built now from what the component knows."""


DEFAULT_SECONDS_BUCKETS = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)
"""Upper bounds, in seconds, of a duration histogram: from half a millisecond (a tick on the
simulated venue) to ten seconds (a venue timing out)."""


class Timings:
    """Durations in histogram buckets, observed on the hot path, exported on a scrape.

    ``observe`` is a bisect and two additions (no lock, no import: the event loop is one
    thread); :meth:`family` builds the Prometheus histogram family with cumulative buckets
    only when ``/metrics`` is read. One instance per labelled series; :meth:`family` takes
    several of them for one family.
    """

    __slots__ = ("bounds", "count", "counts", "total")

    def __init__(self, bounds: Sequence[float] = DEFAULT_SECONDS_BUCKETS) -> None:
        if list(bounds) != sorted(set(bounds)) or not bounds:
            raise ValueError("histogram bounds must be increasing and not empty")
        self.bounds = tuple(float(bound) for bound in bounds)
        self.counts = [0] * (len(self.bounds) + 1)  # the last one is +Inf
        self.count = 0
        self.total = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect.bisect_left(self.bounds, seconds)] += 1
        self.count += 1
        self.total += seconds

    def buckets(self) -> list[tuple[str, int]]:
        """Cumulative ``(le, count)`` pairs, ``+Inf`` last, as the text format wants them."""
        cumulative = 0
        pairs: list[tuple[str, int]] = []
        for bound, count in zip((*self.bounds, float("inf")), self.counts, strict=True):
            cumulative += count
            pairs.append(("+Inf" if bound == float("inf") else repr(bound), cumulative))
        return pairs

    @staticmethod
    def family(name: str, documentation: str, labels: Sequence[str],
               series: Iterable[tuple[Sequence[str], Timings]]) -> Any:
        """One histogram family: a sample set per ``(label values, timings)``."""
        from prometheus_client.core import HistogramMetricFamily

        family = HistogramMetricFamily(name, documentation, labels=list(labels))
        for values, timings in series:
            family.add_metric(list(values), timings.buckets(), timings.total)
        return family
