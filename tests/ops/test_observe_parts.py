"""The parts behind ``/readyz`` and ``/metrics``, without a process: exact and pure."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pytest
import structlog
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families

from fortuna import Component, Context, MetricsSource, NoArgs, Readiness, Service, Timings
from fortuna._internal.status import Status, parse_address
from plugins.market_making._metrics import MarketMakingStats, error_kind
from schemas import Balance, Balances, Market, Symbol


def market() -> Market:
    return Market(symbol=Symbol("BTC/USDT"), price_increment=Decimal("0.01"),
                  amount_increment=Decimal("0.0001"))


def test_timings_export_cumulative_buckets_ending_with_inf() -> None:
    timings = Timings((0.1, 1.0))
    for seconds in (0.05, 0.1, 0.5, 3.0):
        timings.observe(seconds)
    assert timings.buckets() == [("0.1", 2), ("1.0", 3), ("+Inf", 4)]
    assert timings.count == 4
    assert timings.total == pytest.approx(3.65)


def test_timings_refuse_bounds_out_of_order() -> None:
    with pytest.raises(ValueError, match="increasing"):
        Timings((1.0, 0.5))


def test_a_timings_family_reads_back_as_a_prometheus_histogram() -> None:
    timings = Timings((0.1,))
    timings.observe(0.2)
    registry = CollectorRegistry()

    class One:
        def collect(self) -> list[object]:
            return [Timings.family("t_seconds", "doc", ("service",), [(("mm",), timings)])]

    registry.register(One())  # type: ignore[arg-type]
    [family] = text_string_to_metric_families(generate_latest(registry).decode())
    assert family.type == "histogram"
    samples = {(s.name, s.labels.get("le")): s.value for s in family.samples}
    assert samples[("t_seconds_bucket", "0.1")] == 0
    assert samples[("t_seconds_bucket", "+Inf")] == 1
    assert samples[("t_seconds_count", None)] == 1


def test_a_mandate_not_yet_running_is_not_ready() -> None:
    status = Status()
    assert status.not_ready() == ["the mandate is starting"]
    status.phase = "waiting for its lease"
    assert status.not_ready() == ["the mandate is waiting for its lease"]


@pytest.mark.parametrize(("text", "pair"), [
    ("127.0.0.1:9108", ("127.0.0.1", 9108)),
    ("0.0.0.0:0", ("0.0.0.0", 0)),
    ("[::1]:9108", ("::1", 9108)),
])
def test_an_address_is_host_and_port(text: str, pair: tuple[str, int]) -> None:
    assert parse_address(text) == pair


@pytest.mark.parametrize("text", ["9108", ":9108", "host:", "host:port", "host:-1",
                                  "host:65536"])
def test_a_malformed_address_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"HOST:PORT|port must be a number"):
        parse_address(text)


def test_market_data_is_stale_after_three_intervals_and_at_least_five_seconds() -> None:
    stats = MarketMakingStats("desk", market(), interval=1.0)
    assert stats.not_ready(0.0) == "no reference price read yet"
    stats.saw(Decimal("65000"), None, now=10.0)
    assert stats.not_ready(15.0) is None
    assert stats.not_ready(15.5) == "market data stale: last reference price 5.5 s ago"
    slow = MarketMakingStats("desk", market(), interval=10.0)
    slow.saw(Decimal("65000"), None, now=0.0)
    assert slow.not_ready(29.0) is None
    assert slow.not_ready(31.0) is not None


def test_pnl_is_the_marked_value_now_minus_at_the_first_tick() -> None:
    stats = MarketMakingStats("desk", market(), interval=1.0)
    start = Balances(balances={
        code: Balance(currency=code, free=Decimal(amount), used=Decimal(0),
                      total=Decimal(amount))
        for code, amount in (("BTC", 1), ("USDT", 100))})
    stats.saw(Decimal("65000"), start, now=0.0)
    stats.saw(Decimal("65000.5"), start, now=1.0)
    assert stats.value is not None
    assert stats.start_value is not None
    assert stats.value - stats.start_value == Decimal("0.5")


@pytest.mark.parametrize(("line", "kind"), [
    ("place buy 0.01 at 100: InsufficientFunds: not enough", "InsufficientFunds"),
    ("place sell 1 at 2: outcome unknown (ExchangeUnavailable: down); looked up",
     "ExchangeUnavailable"),
    ("PriceUnavailable: no price", "PriceUnavailable"),
    ("3 order(s) refused and none placed", "other"),
])
def test_a_report_error_is_counted_under_the_error_type_it_names(line: str, kind: str) -> None:
    assert error_kind(line) == kind


class Switchboard(Component[NoArgs], MetricsSource, Readiness):
    """A component reporting what the test tells it to."""

    def __init__(self, name: str, *, fail: bool = False, reason: str | None = None) -> None:
        super().__init__(NoArgs(), Context(name=name, log=structlog.get_logger()))
        self.fail = fail
        self.reason = reason

    def metrics(self) -> Iterable[Any]:
        if self.fail:
            raise RuntimeError("counter lost")
        family = GaugeMetricFamily("test_level", "a level", labels=["who"])
        family.add_metric([self.name], 1.0)
        return [family]

    def not_ready(self) -> str | None:
        if self.fail:
            raise RuntimeError("cannot tell")
        return self.reason


class Loaded:
    """What :class:`Status` reads of a graph: its loaded components and its service."""

    def __init__(self, *components: Switchboard) -> None:
        self.components = {c.name: c for c in components}
        self.service = Service(NoArgs())

    @property
    def loaded(self) -> list[str]:
        return list(self.components)

    def __getitem__(self, name: str) -> Switchboard:
        return self.components[name]


def running(*components: Switchboard) -> Status:
    status = Status()
    status.graph = Loaded(*components)  # type: ignore[assignment]
    status.phase = "running"
    return status


def exposition(status: Status) -> dict[str, Metric]:
    registry = CollectorRegistry()
    registry.register(status)
    text = generate_latest(registry).decode()
    return {family.name: family for family in text_string_to_metric_families(text)}


def test_families_of_one_name_from_several_components_are_one_family() -> None:
    families = exposition(running(Switchboard("a"), Switchboard("b")))
    assert sorted(s.labels["who"] for s in families["test_level"].samples) == ["a", "b"]


def test_a_component_whose_metrics_fail_is_left_out_and_the_others_are_served() -> None:
    families = exposition(running(Switchboard("a"), Switchboard("broken", fail=True)))
    assert [s.labels["who"] for s in families["test_level"].samples] == ["a"]


def test_every_reason_not_to_be_ready_is_listed_with_its_component() -> None:
    status = running(Switchboard("a"), Switchboard("b", reason="waiting for data"),
                     Switchboard("c", fail=True))
    assert status.not_ready() == [
        "b: waiting for data", "c: readiness unknown: RuntimeError: cannot tell"]
    assert exposition(status)["fortuna_ready"].samples[0].value == 0


def test_a_stopping_service_is_not_ready() -> None:
    status = running(Switchboard("a"))
    assert status.not_ready() == []
    assert status.graph is not None
    status.graph.service.request_stop()
    assert status.not_ready() == ["the service is stopping"]
