"""The strategies: a context in, the desired quotes out (pure, no venue)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from plugins.market_making.strategies.band import BandStrategy
from plugins.market_making.strategies.ladder import LadderStrategy
from plugins.market_making.strategies.multi import MultiStrategy
from plugins.market_making.strategies.price_threshold import PriceThresholdStrategy
from plugins.market_making.strategies.skewed import SkewedStrategy
from schemas import Balance, Balances, Market, Order, Side
from schemas.market_making import DesiredQuote, QuoteContext

D = Decimal

MARKET = Market(symbol="BTC/USDT", price_increment=D("0.01"), amount_increment=D("0.001"))
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def context(reference: str = "100", *, resting: tuple[Order, ...] = (),
            base: str | None = None) -> QuoteContext:
    balances = None
    if base is not None:
        balances = Balances.of([Balance(currency="BTC", free=D(base)),
                                Balance(currency="USDT", free=D("1000000"))])
    return QuoteContext(reference=D(reference), market=MARKET, now=NOW, resting=resting,
                        balances=balances)


def order(side: str, price: str, amount: str, filled: str = "0") -> Order:
    return Order(id=f"{side}{price}", client_order_id=f"mm-x-{side}{price}", symbol="BTC/USDT",
                 side=side, price=D(price), amount=D(amount), filled=D(filled), timestamp=NOW)


def sides(quotes: list[DesiredQuote], side: Side) -> list[tuple[D, D]]:
    return sorted(((q.price, q.amount) for q in quotes if q.side is side),
                  key=lambda pair: pair[0])


def ladder(**args: object) -> LadderStrategy:
    return LadderStrategy(LadderStrategy.Args.model_validate(args))


def test_ladder_places_levels_at_a_step_from_the_reference() -> None:
    quotes = ladder(levels=3, spread="0.01", step="0.005", amount="1").quotes(context())
    assert [p for p, _ in sides(quotes, Side.BUY)] == [D("98.0"), D("98.5"), D("99")]
    assert [p for p, _ in sides(quotes, Side.SELL)] == [D("101"), D("101.5"), D("102.0")]


def test_ladder_grows_sizes_by_step_and_factor() -> None:
    quotes = ladder(levels=3, spread="0.01", step="0.01", amount="1", amount_step="0.5",
                    amount_factor="2").quotes(context())
    assert [a for _, a in sides(quotes, Side.SELL)] == [D("1"), D("2.5"), D("5.0")]


def test_ladder_quotes_one_side_when_asked() -> None:
    quotes = ladder(levels=2, spread="0.01", amount="1", sides="sell").quotes(context())
    assert {q.side for q in quotes} == {Side.SELL}


def test_ladder_refuses_a_float_spread() -> None:
    with pytest.raises(ValidationError, match="float"):
        ladder(levels=2, spread=0.01, amount="1")


def band(**args: object) -> BandStrategy:
    defaults = {"spread": "0.01", "min_spread": "0.005", "max_spread": "0.02", "amount": "1"}
    return BandStrategy(BandStrategy.Args.model_validate({**defaults, **args}))


def test_band_places_at_the_target_spread_when_nothing_rests() -> None:
    quotes = band().quotes(context())
    assert sides(quotes, Side.BUY) == [(D("99.00"), D("1"))]
    assert sides(quotes, Side.SELL) == [(D("101.00"), D("1"))]


def test_band_keeps_an_order_still_inside_the_band() -> None:
    resting = (order("buy", "98.5", "1"), order("sell", "101.8", "1"))
    quotes = band().quotes(context(resting=resting))
    assert sides(quotes, Side.BUY) == [(D("98.5"), D("1"))]
    assert sides(quotes, Side.SELL) == [(D("101.8"), D("1"))]


def test_band_replaces_an_order_that_left_the_band() -> None:
    resting = (order("buy", "99.8", "1"), order("sell", "103", "1"))
    quotes = band().quotes(context(resting=resting))
    assert sides(quotes, Side.BUY) == [(D("99.00"), D("1"))]
    assert sides(quotes, Side.SELL) == [(D("101.00"), D("1"))]


def test_band_replaces_an_order_mostly_filled() -> None:
    quotes = band().quotes(context(resting=(order("buy", "98.5", "1", filled="0.7"),)))
    assert sides(quotes, Side.BUY) == [(D("99.00"), D("1"))]


def test_band_refuses_a_target_outside_its_band() -> None:
    with pytest.raises(ValidationError, match="min_spread <= spread <= max_spread"):
        band(spread="0.03")


def skewed(**args: object) -> SkewedStrategy:
    defaults = {"spread": "0.01", "amount": "1", "target": "10", "range": "5",
                "max_skew": "0.004"}
    return SkewedStrategy(SkewedStrategy.Args.model_validate({**defaults, **args}))


def test_skewed_quotes_symmetrically_at_target_inventory() -> None:
    quotes = skewed().quotes(context(base="10"))
    assert sides(quotes, Side.BUY) == [(D("99.00"), D("1"))]
    assert sides(quotes, Side.SELL) == [(D("101.00"), D("1"))]


def test_skewed_lowers_both_quotes_when_long() -> None:
    quotes = skewed().quotes(context(base="15"))  # a full range long: shift -0.4 %
    assert sides(quotes, Side.BUY)[0][0] == D("100") * D("0.996") * D("0.99")
    assert sides(quotes, Side.SELL)[0][0] == D("100") * D("0.996") * D("1.01")


def test_skewed_raises_both_quotes_when_short_and_caps_the_skew() -> None:
    quotes = skewed().quotes(context(base="0"))  # twice the range short: capped at full
    assert sides(quotes, Side.BUY)[0][0] == D("100") * D("1.004") * D("0.99")


def test_skewed_shrinks_the_side_that_grows_the_imbalance() -> None:
    quotes = skewed(size_skew=True).quotes(context(base="12.5"))  # half long
    assert sides(quotes, Side.BUY)[0][1] == D("0.5")
    assert sides(quotes, Side.SELL)[0][1] == D("1")


def threshold(**args: object) -> PriceThresholdStrategy:
    defaults = {"levels": 2, "spread": "0.01", "step": "0.01", "amount": "1"}
    return PriceThresholdStrategy(
        PriceThresholdStrategy.Args.model_validate({**defaults, **args})
    )


def test_price_threshold_quotes_nothing_outside_the_reference_limits() -> None:
    strategy = threshold(min_reference="90", max_reference="110")
    assert strategy.quotes(context("89.99")) == []
    assert strategy.quotes(context("110.01")) == []
    assert len(strategy.quotes(context("100"))) == 4


def test_price_threshold_never_offers_below_its_threshold() -> None:
    quotes = threshold(min_sell_price="101.5").quotes(context())
    assert [p for p, _ in sides(quotes, Side.SELL)] == [D("102.0")]


def test_price_threshold_clamps_a_bid_to_its_threshold_when_asked() -> None:
    quotes = threshold(max_buy_price="98.5", beyond="clamp").quotes(context())
    assert [p for p, _ in sides(quotes, Side.BUY)] == [D("98.0"), D("98.5")]


def test_multi_combines_the_quotes_of_its_strategies() -> None:
    inner = ladder(levels=1, spread="0.01", amount="1")
    outer = ladder(levels=1, spread="0.05", amount="2")
    multi = MultiStrategy(MultiStrategy.Args(strategies=[inner, outer]))
    quotes = multi.quotes(context())
    assert sides(quotes, Side.BUY) == [(D("95.00"), D("2")), (D("99.00"), D("1"))]


def test_multi_leaves_out_quotes_that_would_cross_each_other() -> None:
    bids = ladder(levels=1, spread="0", amount="1", sides="buy")
    low_asks = ladder(levels=2, spread="0", step="0.01", amount="1", sides="sell")
    quotes = MultiStrategy(MultiStrategy.Args(strategies=[bids, low_asks])).quotes(context())
    assert sides(quotes, Side.BUY) == []
    assert sides(quotes, Side.SELL) == [(D("101.00"), D("1"))]
