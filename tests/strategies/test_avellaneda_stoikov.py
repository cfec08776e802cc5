"""Avellaneda-Stoikov: the model's quotes against hand-computed values, the estimators,
warm-up, bounds, and the quotes a mandate rests on the simulated venue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError
from structlog.testing import capture_logs

from plugins.market_making.strategies.avellaneda_stoikov import AvellanedaStoikovStrategy
from schemas import Balance, Balances, Candle, Market, OrderBook, OrderBookLevel, Side
from schemas.feeds import CandlesFeed, FeedUnavailable, OrderBookFeed, Reading
from schemas.market_making import QuoteContext
from tests.market_making.mandates import SYMBOL, session, sim
from tests.market_making.mandates import mandate as mm_mandate

D = Decimal
NOW = datetime(2026, 1, 1, tzinfo=UTC)
MARKET = Market(symbol=SYMBOL, price_increment=D("0.01"), amount_increment=D("0.001"))
PICO = D("1e-12")
# By hand: ln 2 = 0.693147180559945309417232121458..., and with gamma 0.5, kappa 0.5 the
# liquidity term (2 / gamma) ln(1 + gamma / kappa) = 4 ln 2 = 2.772588722239781237668928...
LIQUIDITY_TERM = D("2.772588722239781237668928")
BASE = {"risk_aversion": "0.5", "volatility": "0.1", "liquidity": "0.5", "horizon": "100s",
        "amount": "0.1", "max_spread": "0.1"}


def strategy(**overrides: Any) -> AvellanedaStoikovStrategy:
    args = {**BASE, **overrides}
    return AvellanedaStoikovStrategy(AvellanedaStoikovStrategy.Args.model_validate(args))


def context(base: str | None = None, reference: str = "100") -> QuoteContext:
    balances = None if base is None else Balances.of(
        [Balance(currency="BTC", free=D(base)), Balance(currency="USDT", free=D("1000000"))])
    return QuoteContext(reference=D(reference), market=MARKET, now=NOW, balances=balances)


def pico(value: Decimal) -> Decimal:
    return value.quantize(PICO)


class Candles(CandlesFeed):
    """A candles feed holding given closes one minute apart (a listener's latest reading)."""

    def __init__(self, closes: list[str] | None, sequence: int = 1) -> None:
        self.closes, self.sequence = closes, sequence

    @property
    def venue(self) -> str:
        return "sim"

    def reading(self) -> Reading[Any]:
        if self.closes is None:
            raise FeedUnavailable("no candles yet")
        candles = tuple(Candle(timestamp=NOW + timedelta(minutes=i), open=D(c), high=D(c),
                               low=D(c), close=D(c)) for i, c in enumerate(self.closes))
        return Reading(candles, NOW, self.sequence)

    async def fetch_ohlcv(self, symbol: str, timeframe: str = "1m",
                          since: datetime | None = None, limit: int | None = None) -> list[Candle]:
        return list(self.reading().value)


class Book(OrderBookFeed):
    def __init__(self, bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> None:
        self.book = OrderBook(
            symbol=SYMBOL, timestamp=NOW,
            bids=tuple(OrderBookLevel(price=D(p), amount=D(a)) for p, a in bids),
            asks=tuple(OrderBookLevel(price=D(p), amount=D(a)) for p, a in asks))

    @property
    def venue(self) -> str:
        return "sim"

    def reading(self) -> Reading[Any]:
        return Reading(self.book, NOW, 1)

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        return self.book


def test_flat_inventory_quotes_symmetrically_at_the_optimal_spread() -> None:
    # gamma sigma^2 tau = 0.5 * 0.01 * 100 = 0.5; spread = 0.5 + 4 ln 2
    model = strategy().model(D(100), D(0))
    assert model.reservation == D(100)
    assert pico(model.spread) == pico(D("0.5") + LIQUIDITY_TERM) == D("3.272588722240")
    assert pico(model.bid) == D("98.363705638880")
    assert pico(model.ask) == D("101.636294361120")


def test_quotes_widen_with_volatility_as_the_model_says() -> None:
    calm = strategy(volatility="0.1").model(D(100), D(0))
    wild = strategy(volatility="0.2").model(D(100), D(0))
    # sigma doubled: gamma sigma^2 tau goes from 0.5 to 2, the spread widens by exactly 1.5
    assert pico(wild.spread) == D("4.772588722240")
    assert pico(wild.spread - calm.spread) == D("1.500000000000")


def test_quotes_skew_against_inventory_as_the_model_says() -> None:
    long = strategy(target="10").quotes(context(base="12"))
    # q = 2: reservation 100 - 2 * 0.5 = 99, same spread as flat
    bid, ask = (next(q.price for q in long if q.side is s) for s in (Side.BUY, Side.SELL))
    assert pico(bid) == D("97.363705638880")
    assert pico(ask) == D("100.636294361120")
    short = strategy(target="10").model(D(100), D(8))
    assert short.reservation == D(101)


def test_without_balances_inventory_counts_as_the_target() -> None:
    assert strategy(target="3").model(D(100), None).reservation == D(100)


def test_spread_is_held_between_its_bounds() -> None:
    assert strategy(min_spread="0.05").model(D(100), D(0)).spread == D(5)
    assert strategy(max_spread="0.01").model(D(100), D(0)).spread == D(1)


def test_volatility_is_estimated_from_candle_closes_with_its_inputs_logged() -> None:
    # closes step by 1 each minute: sigma^2 = 1 / 60 per second; with tau 60 s the
    # inventory term gamma sigma^2 tau is 0.5, as in the hand-computed flat case
    feed = Candles(["100", "101", "100", "101"])
    subject = strategy(candles=feed, horizon="60s")
    with capture_logs() as logs:
        model = subject.model(D(100), D(0))
    assert pico(model.spread) == D("3.272588722240")
    estimate = subject.volatility()
    assert estimate.source == "candles"
    assert pico(estimate.value) == D("0.129099444874")
    logged = [e for e in logs if e["event"] == "volatility estimate"]
    assert len(logged) == 1
    assert "4 closes 100..101" in logged[0]["inputs"]
    assert "60 s apart" in logged[0]["inputs"]


def test_only_the_latest_window_of_candles_counts() -> None:
    feed = Candles(["50", "150", "50", "100", "101", "100", "101"])
    assert pico(strategy(candles=feed, window=4).volatility().value) == D("0.129099444874")


def test_warm_up_quotes_with_the_given_volatility_before_any_candle() -> None:
    subject = strategy(candles=Candles(None))
    estimate = subject.volatility()
    assert (estimate.value, estimate.source) == (D("0.1"), "warm-up")
    assert len(subject.quotes(context(base="0"))) == 2


def test_warm_up_lasts_until_three_candles() -> None:
    estimate = strategy(candles=Candles(["100", "101"])).volatility()
    assert (estimate.source, estimate.inputs) == ("warm-up", "2 candles (need 3)")


def test_liquidity_is_estimated_from_the_book_depth() -> None:
    book = Book(bids=[("99", "1"), ("98", "1")], asks=[("101", "1"), ("102", "1")])
    estimate = strategy(order_book=book).liquidity()
    # distances 1, 2, 1, 2 at equal amounts: mean 1.5, kappa = 1 / 1.5
    assert estimate.source == "order book"
    assert pico(estimate.value) == D("0.666666666667")


def test_a_one_sided_book_falls_back_to_the_given_liquidity() -> None:
    estimate = strategy(order_book=Book(bids=[("99", "1")], asks=[])).liquidity()
    assert (estimate.value, estimate.source) == (D("0.5"), "warm-up")


@pytest.mark.parametrize(("field", "value"), [
    ("risk_aversion", "0"), ("volatility", "-1"), ("liquidity", "0"), ("horizon", "0s"),
    ("max_spread", "0"), ("min_spread", "1"), ("window", 2), ("amount", "0"),
])
def test_a_bad_parameter_is_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        strategy(**{field: value})


def test_min_spread_above_max_spread_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"min_spread 0\.2 is above max_spread 0\.1"):
        strategy(min_spread="0.2")


def test_a_float_parameter_is_refused() -> None:
    with pytest.raises(ValidationError):
        strategy(volatility=0.1)


AS_SPEC = {"id": "market_making.strategies.avellaneda_stoikov",
           "args": {**BASE, "target": "10"}}


@pytest.mark.parametrize(("held", "bid", "ask"), [
    ("10", "98.36", "101.64"),   # flat: the hand-computed quotes, bid down and ask up
    ("12", "97.36", "100.64"),   # 2 long: both moved down by q gamma sigma^2 tau = 1
])
async def test_a_mandate_rests_the_model_quotes_on_the_venue(
    held: str, bid: str, ask: str,
) -> None:
    spec = mm_mandate(AS_SPEC, venue=sim(balances={"BTC": held, "USDT": "10000"}))
    async with session(spec) as s:
        await s.ticks(1)
        resting = await s.own_open_orders()
        assert sorted((str(o.side), o.price) for o in resting) == [
            ("buy", D(bid)), ("sell", D(ask))]
