"""Properties of the simulated venue over random sequences of orders, cancels and time:
balances conserve value net of fees and never go negative, fills happen only at prices
the order allows, a cancelled order never fills, precision and minimums are enforced."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugins.exchanges.sim import SimExchange
from schemas import (
    Fill,
    InsufficientFunds,
    Liquidity,
    Market,
    Order,
    OrderRejected,
    OrderRequest,
    OrderType,
    Side,
)
from tests.sim.helpers import SYMBOL, D, market, new_clock, venue

INITIAL = {"USDT": D("5000"), "BTC": D("20")}
TICK = D("0.01")
STEP = D("0.001")

place = st.tuples(
    st.just("place"),
    st.sampled_from([Side.BUY, Side.SELL]),
    st.integers(-40, 40),  # ticks away from the mid, towards the other side when positive
    st.integers(10, 3000),  # amount in steps
    st.sampled_from(["GTC", "GTC", "GTC", "IOC", "FOK", "PO", "market"]),
)
cancel = st.tuples(st.just("cancel"), st.integers(0, 50))
advance = st.tuples(st.just("advance"), st.sampled_from([0.2, 1.0, 3.0, 10.0, 60.0]))
operations = st.lists(st.one_of(place, place, cancel, advance), min_size=1, max_size=40)
fees = st.sampled_from([D(0), D("0.001"), D("0.0025"), D("-0.0002")])


@dataclass
class Journal:
    orders: dict[str, Order] = field(default_factory=dict)
    cancelled: dict[str, frozenset[str]] = field(default_factory=dict)
    """Order id -> ids of its fills at the moment it was cancelled."""
    created: list[str] = field(default_factory=list)


def request_for(op: tuple[Any, ...], mid: Decimal) -> OrderRequest:
    _, side, away, steps, kind = op
    amount = steps * STEP
    if kind == "market":
        return OrderRequest(symbol=SYMBOL, side=side, amount=amount, type=OrderType.MARKET)
    direction = 1 if side is Side.BUY else -1
    price = max(mid + direction * away * TICK * 5, TICK)
    return OrderRequest(symbol=SYMBOL, side=side, amount=amount, price=price,
                        time_in_force=kind, post_only=kind == "PO")


async def check_balances(sim: SimExchange, btc: Market, journal: Journal) -> None:
    balances = await sim.fetch_balances()
    for code in ("USDT", "BTC"):
        assert balances.free(code) >= 0, f"{code} free went negative"
        assert balances.used(code) >= 0, f"{code} used went negative"
    open_orders = await sim.fetch_open_orders()
    worst = max(btc.maker_fee, btc.taker_fee, D(0))
    reserved_quote = sum(
        (o.remaining * o.price * (1 + worst) for o in open_orders
         if o.side is Side.BUY and o.price is not None), D(0))
    reserved_base = sum((o.remaining for o in open_orders if o.side is Side.SELL), D(0))
    assert balances.used("USDT") == reserved_quote
    assert balances.used("BTC") == reserved_base


def check_conservation(fills: list[Fill], balances: Any) -> None:
    flows: dict[str, Decimal] = defaultdict(Decimal)
    for fill in fills:
        sign = 1 if fill.side is Side.BUY else -1
        flows["BTC"] += sign * fill.amount
        flows["USDT"] -= sign * fill.amount * fill.price + fill.fee
    for code in ("USDT", "BTC"):
        assert balances.total(code) == INITIAL[code] + flows[code], code


def check_fill_prices(fills: list[Fill], journal: Journal) -> None:
    for fill in fills:
        order = journal.orders[fill.order_id]
        assert fill.price % TICK == 0
        assert fill.amount % STEP == 0
        if fill.liquidity is Liquidity.MAKER:
            assert fill.price == order.price, "a resting order fills at its own price"
        if order.price is not None:
            if fill.side is Side.BUY:
                assert fill.price <= order.price, f"buy {order.price} filled at {fill.price}"
            else:
                assert fill.price >= order.price, f"sell {order.price} filled at {fill.price}"


async def scenario(ops: list[tuple[Any, ...]], seed: int, maker: Decimal, taker: Decimal
                   ) -> None:
    clock = new_clock()
    sim = await venue(
        clock, seed=seed, volatility=D(8), trade_rate=D(3), balances=INITIAL,
        markets=[market(maker_fee=maker, taker_fee=taker, level_amount=D("0.5"),
                        min_notional=None)],
    )
    btc = await sim.market(SYMBOL)
    journal = Journal()
    for op in ops:
        if op[0] == "place":
            try:
                order = await sim.create_order(request_for(op, sim.mid(SYMBOL)))
            except (InsufficientFunds, OrderRejected):
                pass
            else:
                journal.orders[order.id] = order
                journal.created.append(order.id)
        elif op[0] == "cancel" and journal.created:
            order_id = journal.created[op[1] % len(journal.created)]
            await sim.cancel_order(order_id, SYMBOL)
            now = await sim.fetch_order(order_id, SYMBOL)
            if now.status.value == "canceled" and order_id not in journal.cancelled:
                journal.cancelled[order_id] = frozenset(
                    f.id for f in await sim.fetch_my_trades() if f.order_id == order_id)
        elif op[0] == "advance":
            await clock.advance(op[1])
        await check_balances(sim, btc, journal)
    await clock.advance(120)
    fills = await sim.fetch_my_trades()
    check_conservation(fills, await sim.fetch_balances())
    check_fill_prices(fills, journal)
    for order_id, before in journal.cancelled.items():
        after = frozenset(f.id for f in fills if f.order_id == order_id)
        assert after == before, f"cancelled order {order_id} filled"
    await sim.cancel_all_orders()
    balances = await sim.fetch_balances()
    assert (balances.used("USDT"), balances.used("BTC")) == (D(0), D(0))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=operations, seed=st.integers(0, 2**16), maker=fees, taker=fees)
def test_random_trading_keeps_the_books_straight(
    ops: list[tuple[Any, ...]], seed: int, maker: Decimal, taker: Decimal
) -> None:
    asyncio.run(scenario(ops, seed, maker, taker))


prices = st.decimals(min_value=D("90"), max_value=D("99.8"), places=4, allow_nan=False)
amounts = st.decimals(min_value=D("0.0001"), max_value=D("5"), places=5, allow_nan=False)


async def placed_or_refused(request: OrderRequest) -> tuple[Order | None, OrderRejected | None]:
    sim = await venue(volatility=D(0), trade_rate=D(0), balances={"USDT": D("1000000")},
                      markets=[market(min_amount=D("0.01"), min_notional=D("5"))])
    try:
        return await sim.create_order(request), None
    except OrderRejected as refused:
        return None, refused


@settings(max_examples=300, deadline=None)
@given(price=prices, amount=amounts)
def test_precision_and_minimums_are_enforced_never_rounded(price: Decimal, amount: Decimal
                                                           ) -> None:
    request = OrderRequest(symbol=SYMBOL, side=Side.BUY, amount=amount, price=price)
    order, refused = asyncio.run(placed_or_refused(request))
    on_grid = price % TICK == 0 and amount % STEP == 0
    big_enough = amount >= D("0.01") and amount * price >= D("5")
    if on_grid and big_enough:
        assert order is not None, refused
        assert (order.price, order.amount) == (price, amount)
    else:
        assert order is None
        assert refused is not None
        grid_amount = amount // STEP * STEP
        grid_price = price // TICK * TICK
        if not on_grid and grid_amount >= D("0.01") and grid_amount * grid_price >= D("5"):
            assert refused.code == "precision"
        else:
            assert refused.code in {"amount_zero", "min_amount", "min_notional"}


@settings(max_examples=150, deadline=None)
@given(price=prices, amount=amounts)
def test_what_check_order_returns_is_accepted(price: Decimal, amount: Decimal) -> None:
    async def run() -> None:
        sim = await venue(volatility=D(0), trade_rate=D(0), balances={"USDT": D("1000000")},
                          markets=[market(min_amount=D("0.01"), min_notional=D("5"))])
        request = OrderRequest(symbol=SYMBOL, side=Side.BUY, amount=amount, price=price)
        try:
            checked = await sim.check_order(request)
        except OrderRejected:
            return
        order = await sim.create_order(checked)
        assert order.price is not None
        assert order.price <= price
        assert order.amount <= amount

    asyncio.run(run())


@settings(max_examples=400, deadline=None)
@given(
    price=st.decimals(min_value=D("0.001"), max_value=D("1000"), places=4, allow_nan=False),
    amount=amounts,
    side=st.sampled_from([Side.BUY, Side.SELL]),
    kind=st.sampled_from(["limit", "market", "market_with_price"]),
    max_amount=st.sampled_from([None, D("2")]),
)
def test_the_venues_quick_check_agrees_with_market_check_order(
    price: Decimal, amount: Decimal, side: Side, kind: str, max_amount: Decimal | None
) -> None:
    async def run() -> None:
        sim = await venue(volatility=D(0), trade_rate=D(0), markets=[
            market(min_amount=D("0.01"), min_notional=D("5"), max_amount=max_amount)])
        engine = sim._engines[SYMBOL]
        request = OrderRequest(
            symbol=SYMBOL, side=side, amount=amount,
            type=OrderType.LIMIT if kind == "limit" else OrderType.MARKET,
            price=None if kind == "market" else price,
        )
        market_ = await sim.market(SYMBOL)
        try:
            checked: OrderRequest | None = market_.check_order(
                request, reference_price=sim.mid(SYMBOL))
        except OrderRejected:
            checked = None
        unchanged = checked is not None and checked.amount == amount and (
            kind != "limit" or checked.price == price)
        if engine.admissible(request):
            assert unchanged
        elif kind == "limit":
            assert not unchanged

    asyncio.run(run())
