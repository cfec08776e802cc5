"""The account's orders and fills from two sources, merged: never backwards, never twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from plugins.exchanges.ccxt.streams.own import OwnView, newer
from schemas import Fill, Order, OrderStatus

D = Decimal
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def order(order_id: str = "1", *, filled: str = "0", status: OrderStatus = OrderStatus.OPEN,
          symbol: str = "BTC/USDT", client: str | None = "mm-1-1") -> Order:
    return Order(id=order_id, client_order_id=client, symbol=symbol, side="buy",
                 price=D("100"), amount=D("1"), filled=D(filled), status=status,
                 timestamp=T0)


def fill(fill_id: str, seconds: int = 0, **extra: Any) -> Fill:
    return Fill(id=fill_id, order_id="1", symbol="BTC/USDT", side="buy", price=D("100"),
                amount=D("0.5"), timestamp=T0 + timedelta(seconds=seconds), **extra)


def test_more_filled_is_news() -> None:
    assert newer(order(filled="0.5"), order(filled="0.2"))
    assert not newer(order(filled="0.2"), order(filled="0.5"))


def test_a_final_status_beats_an_open_one_at_the_same_fill() -> None:
    assert newer(order(status=OrderStatus.CANCELED), order())
    assert not newer(order(), order(status=OrderStatus.CANCELED))


def test_a_late_open_report_does_not_reopen_a_filled_order() -> None:
    view = OwnView()
    view.apply(order(filled="1", status=OrderStatus.CLOSED))
    view.apply(order())  # REST's answer, read before the fill
    assert view.orders["1"].status is OrderStatus.CLOSED


def test_a_report_without_client_id_keeps_the_one_known() -> None:
    view = OwnView()
    view.apply(order())
    view.apply(order(filled="0.5", client=None))
    assert view.orders["1"].client_order_id == "mm-1-1"


def test_seeding_closes_what_rest_no_longer_lists_unless_the_stream_said_otherwise() -> None:
    view = OwnView()
    view.apply(order("1"))
    view.apply(order("2"))
    mark = view.mark()
    view.apply(order("3"))  # reported by the stream while the REST read was under way
    view.seed("BTC/USDT", [order("2")], mark)
    assert {o.id for o in view.open_orders("BTC/USDT")} == {"2", "3"}
    assert "BTC/USDT" in view.seeded


def test_seeding_one_market_leaves_the_others_alone() -> None:
    view = OwnView()
    view.apply(order("9", symbol="ETH/USDT"))
    view.seed("BTC/USDT", [], view.mark())
    assert [o.id for o in view.open_orders("ETH/USDT")] == ["9"]


def test_a_fill_from_both_sources_is_kept_once() -> None:
    view = OwnView()
    assert view.add_fill(fill("f1"))
    assert not view.add_fill(fill("f1"))
    assert [f.id for f in view.merged([fill("f1"), fill("f2", 1)], "BTC/USDT", None)] == [
        "f1", "f2"]


def test_merged_fills_keep_to_the_range_asked_oldest_first() -> None:
    view = OwnView()
    view.add_fill(fill("late", 10))
    merged = view.merged([fill("early", 1), fill("before", -5)], "BTC/USDT", T0)
    assert [f.id for f in merged] == ["early", "late"]


def test_the_view_is_bounded() -> None:
    view = OwnView(keep=2)
    for number in range(5):
        view.apply(order(str(number)))
        view.add_fill(fill(f"f{number}"))
    assert list(view.orders) == ["3", "4"]
    assert len(view.fills) == 2
