"""Building simulated venues for the tests: a virtual clock and a static or moving market."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fortuna import Context, VirtualClock
from fortuna._internal.clock import VirtualClockArgs
from plugins.exchanges.sim import SimArgs, SimExchange, SimPriceProcess, SimPricesArgs
from schemas import OrderRequest, Side

D = Decimal
SYMBOL = "BTC/USDT"

STATIC: dict[str, Any] = {"volatility": D(0), "trade_rate": D(0)}
"""A market that never moves and never trades by itself: bid 99.90, ask 100.10, levels
0.10 apart, 1 BTC each, ten per side; fees 0.1 % maker, 0.2 % taker."""


def market(**overrides: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "symbol": SYMBOL,
        "price": D("100"),
        "price_increment": D("0.01"),
        "amount_increment": D("0.001"),
        "min_amount": D("0.01"),
        "min_notional": D("1"),
        "maker_fee": D("0.001"),
        "taker_fee": D("0.002"),
        "level_amount": D("1"),
    }
    spec.update(overrides)
    return spec


def new_clock() -> VirtualClock:
    return VirtualClock(VirtualClockArgs(), Context(name="clock"))


async def venue(clock: VirtualClock | None = None, *, markets: list[dict[str, Any]] | None = None,
                name: str = "sim", **args: Any) -> SimExchange:
    """A loaded venue on ``clock`` (a fresh virtual clock by default)."""
    settings: dict[str, Any] = {
        "venue": name,
        "markets": markets or [market()],
        "balances": {"USDT": D("10000"), "BTC": D("10")},
        "spread": D("0.002"),
        "level_spacing": D("0.001"),
        "seed": 7,
    }
    settings.update(args)
    sim = SimExchange(
        SimArgs(**settings), Context(name=name, clock=clock or new_clock())
    )
    await sim.load()
    return sim


async def process(clock: VirtualClock, **args: Any) -> SimPriceProcess:
    prices = SimPriceProcess(SimPricesArgs(**args), Context(name="prices", clock=clock))
    await prices.load()
    return prices


def limit(side: str, amount: str, price: str, symbol: str = SYMBOL, **extra: Any
          ) -> OrderRequest:
    return OrderRequest(symbol=symbol, side=Side(side), amount=D(amount), price=D(price),
                        **extra)


def market_order(side: str, amount: str, symbol: str = SYMBOL) -> OrderRequest:
    return OrderRequest(symbol=symbol, side=Side(side), amount=D(amount), type="market")
