"""The grid: levels on a lattice between bounds, bids below the reference, asks above."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from plugins.market_making.strategies.grid import GridStrategy
from schemas import Market, Side
from schemas.market_making import DesiredQuote, QuoteContext
from tests.market_making.mandates import mandate as mm_mandate
from tests.market_making.mandates import session

D = Decimal
MARKET = Market(symbol="BTC/USDT", price_increment=D("0.01"), amount_increment=D("0.001"))


def grid(**overrides: Any) -> GridStrategy:
    args = {"lower": "90", "upper": "110", "step": "5", "amount": "0.1", **overrides}
    return GridStrategy(GridStrategy.Args.model_validate(args))


def prices(quotes: list[DesiredQuote], side: Side) -> list[Decimal]:
    return sorted(q.price for q in quotes if q.side is side)


def at(reference: str) -> QuoteContext:
    return QuoteContext(reference=D(reference), market=MARKET,
                        now=datetime(2026, 1, 1, tzinfo=UTC))


def test_a_static_grid_quotes_every_level_but_the_one_at_the_reference() -> None:
    quotes = grid().quotes(at("100.4"))
    assert prices(quotes, Side.BUY) == [D(90), D(95)]
    assert prices(quotes, Side.SELL) == [D(105), D(110)]
    assert {q.amount for q in quotes} == {D("0.1")}


def test_a_static_grid_above_its_top_only_buys() -> None:
    quotes = grid().quotes(at("130"))
    assert prices(quotes, Side.SELL) == []
    assert prices(quotes, Side.BUY) == [D(90), D(95), D(100), D(105), D(110)]


def test_a_recentred_grid_follows_the_price_in_whole_steps() -> None:
    subject = grid(mode="recentred", levels=1, lower="50", upper="150")
    first = subject.quotes(at("100"))
    assert (prices(first, Side.BUY), prices(first, Side.SELL)) == ([D(95)], [D(105)])
    moved = subject.quotes(at("111"))
    assert (prices(moved, Side.BUY), prices(moved, Side.SELL)) == ([D(105)], [D(115)])


def test_a_recentred_grid_stays_inside_its_bounds() -> None:
    quotes = grid(mode="recentred", levels=3).quotes(at("106"))
    assert prices(quotes, Side.SELL) == [D(110)]
    assert prices(quotes, Side.BUY) == [D(90), D(95), D(100)]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"lower": "110", "upper": "90"}, "lower 110 must be below upper 90"),
    ({"step": "0.001"}, "20001 levels between 90 and 110 at step 0.001: at most 1000"),
    ({"step": "0"}, "step"),
    ({"amount": "-1"}, "amount"),
    ({"mode": "drifting"}, "mode"),
])
def test_a_bad_grid_is_refused_with_the_reason(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        grid(**overrides)


async def test_a_grid_mandate_rests_its_levels_on_the_venue() -> None:
    spec = mm_mandate({"id": "market_making.strategies.grid",
                       "args": {"lower": "98", "upper": "102", "step": "1", "amount": "0.1"}})
    async with session(spec) as s:
        await s.ticks(1)
        resting = await s.own_open_orders()
        assert sorted((str(o.side), o.price) for o in resting) == [
            ("buy", D(98)), ("buy", D(99)), ("sell", D(101)), ("sell", D(102))]
