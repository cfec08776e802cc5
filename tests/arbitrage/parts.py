"""Builders for the arbitrage tests: two book venues, their adapters, a converter, the service.

Scenario: venue ``alpha`` trades BTC/USDT (and USDC/USDT at a mid of exactly 1), venue
``beta`` trades BTC/USDC. Taker fees 0.1 % on both. Books are set per test.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fortuna import Component, Context, NoArgs
from fortuna._internal.clock import VirtualClock, VirtualClockArgs
from plugins.arbitrage.adapters.cex import CexAdapter, CexAdapterArgs
from plugins.arbitrage.converters.simple import SimpleConverter, SimpleConverterArgs
from plugins.arbitrage.service import Arbitrage, ArbitrageArgs
from schemas.risk import KillSwitch
from tests.arbitrage.venue import BookVenue, market

AMOUNT = Decimal("0.05")
THRESHOLD = Decimal("0.0015")


def virtual_clock() -> VirtualClock:
    return VirtualClock(VirtualClockArgs(), Context(name="clock"))


def context(name: str, clock: VirtualClock) -> Context:
    return Context(name=name, clock=clock)


class Switch(Component[NoArgs], KillSwitch):
    """A kill switch the test trips and resets by hand."""

    _tripped = False
    checks = 0

    def trip(self) -> None:
        self._tripped = True

    @property
    def tripped(self) -> bool:
        return self._tripped

    @property
    def reason(self) -> str | None:
        return "tripped by the test" if self._tripped else None

    async def check(self) -> bool:
        self.checks += 1
        return self._tripped

    def reset(self) -> None:
        self._tripped = False


@dataclass
class World:
    clock: VirtualClock
    alpha: BookVenue
    beta: BookVenue
    a: CexAdapter
    b: CexAdapter
    converter: SimpleConverter
    switch: Switch

    async def service(self, **overrides: Any) -> Arbitrage:
        args: dict[str, Any] = {
            "exchange_a": self.a, "exchange_b": self.b, "converter": self.converter,
            "threshold": THRESHOLD, "trade_amount": AMOUNT, "interval": "1s",
            "kill_switches": [self.switch],
        }
        args.update(overrides)
        service = Arbitrage(ArbitrageArgs(**args), context("arbitrage", self.clock))
        await service.load()
        return service


async def world(*, latency: float = 0.0, report_fees: bool = True,
                alpha_fee: str = "0.001", beta_fee: str = "0.001") -> World:
    clock = virtual_clock()
    alpha = BookVenue(
        "alpha", [market("BTC/USDT", taker_fee=alpha_fee), market("USDC/USDT", taker_fee="0")],
        balances={"BTC": "1", "USDT": "10000"}, clock=clock, latency=latency,
        report_fees=report_fees,
    )
    beta = BookVenue(
        "beta", [market("BTC/USDC", taker_fee=beta_fee)],
        balances={"BTC": "1", "USDC": "10000"}, clock=clock, latency=latency,
        report_fees=report_fees,
    )
    alpha.set_book("USDC/USDT", bids=[("0.9999", "100000")], asks=[("1.0001", "100000")])
    # No spread worth taking by default; tests open one.
    alpha.set_book("BTC/USDT", bids=[("99990", "1")], asks=[("100000", "0.03"), ("100010", "1")])
    beta.set_book("BTC/USDC", bids=[("99980", "1")], asks=[("100020", "1")])
    a = CexAdapter(CexAdapterArgs(exchange=alpha, symbol="BTC/USDT"), context("a", clock))
    b = CexAdapter(CexAdapterArgs(exchange=beta, symbol="BTC/USDC"), context("b", clock))
    converter = SimpleConverter(SimpleConverterArgs(exchange=alpha), context("conv", clock))
    switch = Switch(NoArgs(), context("switch", clock))
    for component in (a, b, converter):
        await component.load()
    return World(clock, alpha, beta, a, b, converter, switch)

