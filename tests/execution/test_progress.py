"""The parent order's bookkeeping and its completion report, without a venue."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from plugins.execution._progress import Progress
from plugins.execution.twap import TwapArgs, schedule
from schemas import Fill, Order, OrderStatus, Side

D = Decimal
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def child(cid: str, filled: str, average: str | None, *, fee: str = "0",
          status: OrderStatus = OrderStatus.CLOSED) -> Order:
    return Order(id=f"id-{cid}", client_order_id=cid, symbol="BTC/USDT", side=Side.BUY,
                 price=D("101"), amount=max(D(filled), D(1)), filled=D(filled),
                 average=None if average is None else D(average), status=status,
                 fee=D(fee), fee_currency="USDT", timestamp=T0)


def fill(order_id: str, amount: str, price: str, fee: str = "0") -> Fill:
    return Fill(id=f"f-{order_id}-{price}", order_id=order_id, symbol="BTC/USDT",
                side=Side.BUY, price=D(price), amount=D(amount), fee=D(fee), timestamp=T0)


def progress(total: str = "3") -> Progress:
    return Progress(side=Side.BUY, total=D(total), started=T0, arrival=D("100"))


def test_a_child_is_valued_exactly_from_its_own_fills() -> None:
    p = progress()
    order = child("a", "1", "100.3333333333333333333333333333333")
    p.account(order, [fill("id-a", "0.4", "100.2", "0.01"), fill("id-a", "0.6", "100.42", "0.02")])
    assert (p.filled, p.cost, p.fees) == (D("1"), D("100.332"), D("0.03"))


def test_without_matching_fills_the_value_is_filled_times_average_to_18_places() -> None:
    p = progress()
    p.account(child("a", "1", "100.3333333333333333333333333333333"))
    assert p.cost == D("100.333333333333333333")


def test_a_child_is_accounted_once() -> None:
    p = progress()
    order = child("a", "1", "100")
    assert p.account(order)
    assert not p.account(order)
    assert p.filled == D(1)


def test_accounting_the_pending_child_clears_it() -> None:
    p = progress()
    p.pending = "a"
    p.account(child("a", "0", None, status=OrderStatus.CANCELED))
    assert p.pending is None


def test_a_child_that_takes_the_parent_past_its_amount_is_an_error() -> None:
    p = progress("1")
    p.account(child("a", "1", "100"))
    with pytest.raises(ValueError, match="past its amount"):
        p.account(child("b", "0.5", "100"))


def test_a_filled_child_without_an_average_price_is_an_error() -> None:
    with pytest.raises(ValueError, match="no average price"):
        progress().account(child("a", "1", None))


def test_slippage_is_positive_when_a_buy_pays_more_than_the_reference() -> None:
    p = progress()
    p.account(child("a", "2", "100.5"))
    p.count_trades(D("10"), D("1000"), T0)
    report = p.report()
    assert report.average == D("100.5")
    assert report.vwap == D("100")
    assert report.slippage_arrival_bps == D("50.00")
    assert report.slippage_vwap_bps == D("50.00")


def test_slippage_is_positive_when_a_sell_gets_less_than_the_reference() -> None:
    p = Progress(side=Side.SELL, total=D(1), started=T0, arrival=D("100"))
    p.account(child("a", "1", "99.9"))
    assert p.report().slippage_arrival_bps == D("10.00")


def test_a_report_without_fills_has_no_average_and_no_slippage() -> None:
    report = progress().report()
    assert (report.average, report.slippage_arrival_bps, report.vwap) == (None, None, None)


def test_the_journal_entry_round_trips_the_progress() -> None:
    p = progress()
    p.account(child("a", "1", "100"))
    p.pending = "b"
    record = p.record(mandate="m", venue="sim", symbol="BTC/USDT", algorithm="twap", now=T0)
    back = Progress.resume(record)
    assert (back.filled, back.cost, back.pending, back.sequence) == (D(1), D(100), "b", 1)
    again = p.record(mandate="m", venue="sim", symbol="BTC/USDT", algorithm="twap", now=T0)
    assert again.id != record.id  # each entry its own row


def twap_args(**overrides: Any) -> TwapArgs:
    """The args the schedule reads (the venue is not needed to compute it)."""
    fields: dict[str, Any] = {
        "symbol": "BTC/USDT", "side": Side.BUY, "amount": D("10"), "mandate": "m",
        "interval": 1.0, "window": 600.0, "slices": 7, "size_jitter": D(0),
        "time_jitter": D(0), "seed": 0, **overrides}
    return TwapArgs.model_construct(**fields)


def test_the_schedule_ends_on_the_whole_amount_exactly() -> None:
    starts, targets = schedule(twap_args())
    assert targets[-1] == D(10)
    assert starts == [k * (600 / 7) for k in range(7)]
    assert all(a < b for a, b in itertools.pairwise(targets))


def test_jittered_targets_stay_within_half_a_slice_and_in_order() -> None:
    starts, targets = schedule(twap_args(size_jitter=D("0.5"), time_jitter=D("0.9"), seed=4))
    slice_amount = D(10) / 7
    for k, target in enumerate(targets[:-1]):
        straight = D(10) * (k + 1) / 7
        assert abs(target - straight) <= slice_amount / 2
        assert k * 600 / 7 <= starts[k] < (k + 1) * 600 / 7
    assert all(a <= b for a, b in itertools.pairwise(targets))
    assert targets[-1] == D(10)
