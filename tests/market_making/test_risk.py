"""Pre-trade limits: each refusal, with its reason."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from plugins.market_making.risk import PreTradeLimits, RiskComponent
from schemas import Order, OrderRequest
from schemas.market_making import RiskContext

D = Decimal

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def request(side: str, price: str, amount: str = "1") -> OrderRequest:
    return OrderRequest(symbol="BTC/USDT", side=side, price=D(price), amount=D(amount))


def live(side: str, price: str) -> Order:
    return Order(id=f"{side}{price}", symbol="BTC/USDT", side=side, price=D(price),
                 amount=D(1), timestamp=NOW)


def check(limits: PreTradeLimits, order: OrderRequest, book: list[Order] | None = None,
          now: float = 0.0) -> str | None:
    return limits.refusal(order, RiskContext(D(100), book or [], now))


def test_an_order_inside_every_limit_passes() -> None:
    limits = PreTradeLimits(collar=D("0.02"), max_amount=D(2), max_notional=D(500),
                            max_open_orders=4, max_orders=10)
    assert check(limits, request("buy", "99")) is None


def test_a_price_outside_the_collar_is_refused() -> None:
    reason = check(PreTradeLimits(collar=D("0.02")), request("sell", "102.01"))
    assert reason is not None
    assert "outside the collar of 200.0 bps" in reason


def test_the_collar_follows_each_new_reference_and_a_changed_collar() -> None:
    limits = PreTradeLimits(collar=D("0.02"))
    sell = request("sell", "102.01")
    assert limits.refusal(sell, RiskContext(D(100), [], 0.0)) is not None
    assert limits.refusal(sell, RiskContext(D(101), [], 0.0)) is None
    assert limits.refusal(sell, RiskContext(D(100), [], 0.0)) is not None
    reference = D(100)
    context = RiskContext(reference, [], 0.0)
    assert limits.refusal(sell, context) is not None
    limits.collar = D("0.03")
    assert limits.refusal(sell, context) is None


def test_an_amount_over_the_cap_is_refused() -> None:
    reason = check(PreTradeLimits(max_amount=D(1)), request("buy", "99", "1.001"))
    assert reason is not None
    assert "amount 1.001 is over the cap 1" in reason


def test_a_notional_over_the_cap_is_refused() -> None:
    reason = check(PreTradeLimits(max_notional=D(150)), request("buy", "99", "2"))
    assert reason is not None
    assert "notional 198 is over the cap 150" in reason


def test_one_order_too_many_resting_is_refused() -> None:
    reason = check(PreTradeLimits(max_open_orders=2), request("buy", "97"),
                   [live("buy", "99"), live("buy", "98")])
    assert reason is not None
    assert "the limit is 2" in reason


def test_the_order_rate_limit_counts_orders_in_its_window() -> None:
    limits = PreTradeLimits(max_orders=2, rate_window=60.0)
    for t in (0.0, 10.0):
        limits.record_sent(request("buy", "99"), t)
    assert check(limits, request("buy", "98"), now=59.0) is not None
    assert check(limits, request("buy", "98"), now=60.5) is None


def test_a_duplicate_of_a_live_order_is_refused() -> None:
    reason = check(PreTradeLimits(), request("buy", "99"), [live("buy", "99")])
    assert reason is not None
    assert "duplicates" in reason


def test_an_order_crossing_the_mandates_own_book_is_refused() -> None:
    reason = check(PreTradeLimits(), request("buy", "101"), [live("sell", "100.5")])
    assert reason is not None
    assert "would cross the mandate's own sell at 100.5" in reason


def test_the_risk_component_applies_its_args() -> None:
    risk = RiskComponent(RiskComponent.Args(collar="0.01"))
    assert risk.refusal(request("buy", "98"), RiskContext(D(100), [], 0.0)) is not None
