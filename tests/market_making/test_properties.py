"""Properties over generated mandates, end to end on the simulated venue (virtual clock):
no quote crosses the mandate's own book, every order sent is inside the collar and caps,
and after stop the venue holds no order of the mandate."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fortuna import validate
from schemas import Order, Side
from tests.market_making.mandates import SYMBOL, ladder, mandate, session, sim

TICKER = {"id": "prices.ticker", "args": {"exchange": "@sim", "symbol": SYMBOL}}
PROPERTY = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

fractions = st.decimals(min_value=Decimal(0), max_value=Decimal("0.02"), places=4)
amounts = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("0.5"), places=3)
seeds = st.integers(min_value=0, max_value=10_000)


def crossed(orders: list[Order]) -> bool:
    bids = [o.price for o in orders if o.side is Side.BUY and o.price is not None]
    asks = [o.price for o in orders if o.side is Side.SELL and o.price is not None]
    return bool(bids and asks and max(bids) >= min(asks))


@st.composite
def strategies(draw: st.DrawFn) -> dict[str, Any]:
    """Two ladders combined, each with any spread (zero too) on any side, possibly skewed:
    their quotes may well cross each other."""
    legs: dict[str, Any] = {}
    for name in ("a", "b"):
        kind = draw(st.sampled_from(["ladder", "skewed"]))
        args = {"levels": draw(st.integers(1, 4)), "spread": str(draw(fractions)),
                "step": str(draw(fractions)), "amount": str(draw(amounts))}
        if kind == "ladder":
            args["sides"] = draw(st.sampled_from(["both", "buy", "sell"]))
        else:
            args.update(target=str(draw(st.integers(0, 20))), range="5",
                        max_skew=str(draw(fractions)))
        legs[name] = {"id": f"market_making.strategies.{kind}", "args": args}
    return legs


@PROPERTY
@given(legs=strategies(), seed=seeds, ticks=st.integers(1, 40))
def test_no_quote_ever_crosses_the_mandates_own_book(
    legs: dict[str, Any], seed: int, ticks: int
) -> None:
    async def scenario() -> None:
        spec = mandate(
            {"id": "market_making.strategies.multi", "args": {"strategies": ["@a", "@b"]}},
            extra=legs, price=TICKER, venue=sim(seed=seed, trade_rate="2"),
        )
        async with session(spec) as s:
            for _ in range(ticks):
                await s.ticks(1)
                assert not crossed(await s.own_open_orders())

    asyncio.run(scenario())


@PROPERTY
@given(
    levels=st.integers(1, 10),
    spread=fractions,
    step=fractions,
    amount=amounts,
    growth=st.decimals(min_value=Decimal(1), max_value=Decimal(2), places=2),
    collar=st.decimals(min_value=Decimal("0.001"), max_value=Decimal("0.05"), places=3),
    max_amount=amounts,
    max_notional=st.decimals(min_value=Decimal(1), max_value=Decimal(60), places=2),
    seed=seeds,
)
def test_every_order_sent_is_inside_the_collar_and_caps(
    levels: int, spread: Decimal, step: Decimal, amount: Decimal, growth: Decimal,
    collar: Decimal, max_amount: Decimal, max_notional: Decimal, seed: int,
) -> None:
    risk = {"id": "market_making.risk",
            "args": {"collar": str(collar), "max_amount": str(max_amount),
                     "max_notional": str(max_notional)}}
    spec = mandate(
        ladder(levels=levels, spread=str(spread), step=str(step), amount=str(amount),
               amount_factor=str(growth)),
        extra={"risk": risk}, risk="@risk", venue=sim(seed=seed, trade_rate="2"),
    )
    report = validate(spec)
    if not report.ok:  # every order over a cap: refused before the run, and only for that
        assert all("over the risk cap" in f.message for f in report.errors), report.errors
        return

    async def scenario() -> list[Order]:
        async with session(spec) as s:
            await s.ticks(20)
            await s.mm.on_stop()
            return await s.all_orders()

    reference = Decimal(100)  # prices.fixed in these mandates
    for order in asyncio.run(scenario()):
        assert order.price is not None
        assert abs(order.price - reference) / reference <= collar
        assert order.amount <= max_amount
        assert order.amount * order.price <= max_notional


@PROPERTY
@given(
    seed=seeds,
    ticks=st.integers(0, 60),
    levels=st.integers(1, 10),
    error_rate=st.sampled_from(["0", "0.05", "0.1"]),
    timeout_rate=st.sampled_from(["0", "0.05"]),
    executor=st.sampled_from(["exchange", "dry_run"]),
)
def test_after_stop_the_venue_holds_no_order_of_the_mandate(
    seed: int, ticks: int, levels: int, error_rate: str, timeout_rate: str, executor: str
) -> None:
    async def scenario() -> None:
        venue = sim(seed=seed, trade_rate="2",
                    faults={"error_rate": error_rate, "timeout_rate": timeout_rate,
                            "timeout": "2s"})
        executor_args = {"cancel_attempts": 10} if executor == "exchange" else {}
        spec = mandate(
            ladder(levels=levels, spread="0.001", step="0.0005"),
            price=TICKER, venue=venue, max_consecutive_failures=1000,
            executor={"id": f"market_making.executors.{executor}", "args": executor_args},
        )
        async with session(spec, started=False) as s:
            for _ in range(3):  # a start that hits a venue error is simply retried
                try:
                    await s.mm.on_start()
                    break
                except Exception:
                    await s.graph.clock.sleep(1)
            await s.ticks(ticks)
            await s.mm.on_stop()
            assert await s.own_open_orders() == []

    asyncio.run(scenario())
