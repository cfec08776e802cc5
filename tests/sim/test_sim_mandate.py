"""The simulated venue as a mandate declares it: registered ids, args checked by
``fortuna validate``, and a shared price process referenced by interface."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from fortuna import Graph, NoArgs, Service, VirtualClock, validate
from fortuna._internal.loader import load_text
from fortuna._internal.registry import Registry
from fortuna._internal.validation import plan_for
from plugins.exchanges.sim import SimExchange, SimPriceProcess
from schemas import ExchangeUnavailable

TWO_VENUES = """\
service: "@alpha"
components:
  clock:
    id: clock.virtual
  prices:
    id: exchanges.sim.prices
    args:
      seed: 7
      volatility: 0.5
      series:
        BTC/USDT: {price: 60000}
  alpha:
    id: exchanges.sim
    args:
      venue: alpha
      prices: "@prices"
      markets: [{symbol: BTC/USDT, taker_fee: 0.001}]
      balances: {BTC: 1, USDT: 100000}
  beta:
    id: exchanges.sim
    args:
      venue: beta
      prices: "@prices"
      price_offset: 0.002
      latency: 50ms
      faults: {error_rate: 0.01, outages: [{start: 10m, duration: 30s}]}
      markets: [{symbol: BTC/USDC, series: BTC/USDT}]
      balances: {BTC: 1, USDC: 100000}
"""


def test_both_ids_are_registered() -> None:
    registry = Registry.default()
    assert registry.resolve("exchanges.sim") is SimExchange
    assert registry.resolve("exchanges.sim.prices") is SimPriceProcess


def test_two_venues_sharing_a_process_validate(tmp_path: Path) -> None:
    path = tmp_path / "arb.yaml"
    path.write_text(TWO_VENUES)
    findings = validate(path).findings
    # Only the root is wrong here: a venue is not a service.
    assert [f.path for f in findings] == ["service"]


def test_a_prices_reference_to_a_venue_is_refused_by_interface(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(TWO_VENUES.replace('prices: "@prices"\n      price_offset',
                                       'prices: "@alpha"\n      price_offset'))
    messages = [str(f) for f in validate(path).findings]
    assert any("components.beta.args.prices" in m and "PriceProcess" in m for m in messages)


def test_unknown_args_and_bad_values_are_all_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(TWO_VENUES.replace("latency: 50ms", "latency: soon")
                    .replace("error_rate: 0.01", "error_rate: 2, colour: red"))
    paths = {f.path for f in validate(path).findings}
    assert "components.beta.args.latency" in paths
    assert "components.beta.args.faults.error_rate" in paths
    assert "components.beta.args.faults.colour" in paths


class Idle(Service[NoArgs]):
    """Does nothing; stands as the root service of a test mandate."""

    async def run(self) -> None:
        return None


async def test_a_graph_wires_two_venues_to_one_process_on_the_virtual_clock() -> None:
    registry = Registry({
        "clock.virtual": VirtualClock, "idle": Idle,
        "exchanges.sim": SimExchange, "exchanges.sim.prices": SimPriceProcess,
    })
    text = TWO_VENUES.replace('service: "@alpha"', 'service: "@idle"')
    text += "  idle:\n    id: idle\n"
    plan = plan_for(load_text(text, "<test>"), registry=registry)
    async with Graph(plan) as graph:
        alpha, beta = graph["alpha"], graph["beta"]
        assert isinstance(alpha, SimExchange)
        assert isinstance(beta, SimExchange)
        start = graph.clock.now()
        await graph.clock.sleep(300)
        assert graph.clock.now() - start == timedelta(minutes=5)
        mid = alpha.mid("BTC/USDT")
        assert mid != Decimal(60000)
        assert abs(beta.mid("BTC/USDC") - mid * Decimal("1.002")) <= Decimal("0.01")
        before = graph.clock.now()
        ticker = await beta.fetch_ticker("BTC/USDC")  # beta has 50 ms of latency
        assert ticker.timestamp - before == timedelta(milliseconds=50)
        await graph.clock.sleep(300)  # into beta's outage, 10 minutes after it loaded
        with pytest.raises(ExchangeUnavailable, match="back in"):
            await beta.fetch_balances()
        await alpha.fetch_balances()
