"""The simulated venue's markets and market data: book, ticker, trades, candles."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from plugins.exchanges.sim import SimExchange
from schemas import BadSymbol, Exchange, Side
from tests.sim.helpers import STATIC, SYMBOL, D, limit, market, market_order, new_clock, venue


async def test_the_venue_is_an_exchange_named_as_configured() -> None:
    sim = await venue(name="simx", **STATIC)
    assert isinstance(sim, Exchange)
    assert sim.venue == "simx"


async def test_markets_carry_the_configured_precision_minimums_and_fees() -> None:
    sim = await venue(**STATIC)
    btc = (await sim.markets())[SYMBOL]
    assert (btc.base, btc.quote) == ("BTC", "USDT")
    assert btc.price_increment == D("0.01")
    assert btc.amount_increment == D("0.001")
    assert btc.min_amount == D("0.01")
    assert btc.min_notional == D("1")
    assert (btc.maker_fee, btc.taker_fee) == (D("0.001"), D("0.002"))


async def test_several_symbols_are_listed() -> None:
    sim = await venue(markets=[market(), market(symbol="ETH/USDT", price=D("3000"))], **STATIC)
    assert set(await sim.markets()) == {"BTC/USDT", "ETH/USDT"}
    assert (await sim.fetch_ticker("ETH/USDT")).bid == D("2997.00")


async def test_an_unknown_symbol_raises_bad_symbol() -> None:
    sim = await venue(**STATIC)
    with pytest.raises(BadSymbol):
        await sim.fetch_order_book("DOGE/USDT")
    with pytest.raises(BadSymbol):
        await sim.create_order(limit("buy", "1", "1", symbol="DOGE/USDT"))


async def test_the_book_is_centred_on_the_price_with_the_configured_spread() -> None:
    sim = await venue(**STATIC)
    book = await sim.fetch_order_book(SYMBOL)
    assert book.best_bid is not None
    assert book.best_ask is not None
    assert (book.best_bid.price, book.best_ask.price) == (D("99.90"), D("100.10"))
    assert book.mid == D("100")


async def test_the_book_has_the_configured_depth_spacing_and_level_amount() -> None:
    sim = await venue(**STATIC, depth=5)
    book = await sim.fetch_order_book(SYMBOL)
    assert [level.price for level in book.asks] == [
        D("100.10"), D("100.20"), D("100.30"), D("100.40"), D("100.50")]
    assert [level.price for level in book.bids] == [
        D("99.90"), D("99.80"), D("99.70"), D("99.60"), D("99.50")]
    assert {level.amount for level in book.bids + book.asks} == {D("1")}


async def test_a_book_limit_returns_that_many_levels_per_side() -> None:
    sim = await venue(**STATIC)
    book = await sim.fetch_order_book(SYMBOL, limit=2)
    assert (len(book.bids), len(book.asks)) == (2, 2)


async def test_the_book_shows_the_mandates_resting_orders() -> None:
    sim = await venue(**STATIC)
    await sim.create_order(limit("buy", "0.5", "100.00"))
    await sim.create_order(limit("buy", "0.25", "99.90"))
    book = await sim.fetch_order_book(SYMBOL, limit=2)
    assert [(lv.price, lv.amount) for lv in book.bids] == [
        (D("100.00"), D("0.5")), (D("99.90"), D("1.25"))]


async def test_the_ticker_reports_the_top_of_the_book() -> None:
    sim = await venue(**STATIC)
    ticker = await sim.fetch_ticker(SYMBOL)
    assert (ticker.bid, ticker.ask, ticker.last) == (D("99.90"), D("100.10"), D("100.00"))
    await sim.create_order(limit("sell", "0.1", "100.05"))
    assert (await sim.fetch_ticker(SYMBOL)).ask == D("100.05")


async def test_the_tickers_ask_moves_to_the_next_level_when_a_taker_empties_the_first() -> None:
    sim = await venue(**STATIC)
    await sim.create_order(market_order("buy", "1"))  # the whole first synthetic ask level
    ticker, book = await sim.fetch_ticker(SYMBOL), await sim.fetch_order_book(SYMBOL)
    assert book.best_ask is not None
    assert book.best_bid is not None
    assert ticker.ask == book.best_ask.price > D("100.10")
    assert ticker.bid == book.best_bid.price


async def test_the_ticker_is_stamped_with_the_clock() -> None:
    clock = new_clock()
    sim = await venue(clock, **STATIC)
    await clock.advance(90)
    assert (await sim.fetch_ticker(SYMBOL)).timestamp == clock.now()


async def test_public_trades_arrive_over_time_oldest_first() -> None:
    clock = new_clock()
    sim = await venue(clock, volatility=D(0), trade_rate=D(2))
    assert await sim.fetch_trades(SYMBOL) == []
    await clock.advance(60)
    trades = await sim.fetch_trades(SYMBOL)
    assert 60 < len(trades) < 200
    assert [t.timestamp for t in trades] == sorted(t.timestamp for t in trades)
    assert {t.price for t in trades if t.side is Side.BUY} == {D("100.10")}
    assert {t.price for t in trades if t.side is Side.SELL} == {D("99.90")}


async def test_fetch_trades_honours_since_and_limit() -> None:
    clock = new_clock()
    sim = await venue(clock, volatility=D(0), trade_rate=D(2))
    await clock.advance(60)
    everything = await sim.fetch_trades(SYMBOL)
    since = everything[10].timestamp
    assert (await sim.fetch_trades(SYMBOL, since=since, limit=3)) == everything[10:13]
    assert (await sim.fetch_trades(SYMBOL, limit=3)) == everything[-3:]


async def test_candles_follow_the_price_path_and_are_consistent() -> None:
    clock = new_clock()
    sim = await venue(clock, volatility=D(2), trade_rate=D(1))
    await clock.advance(3600)
    candles = await sim.fetch_ohlcv(SYMBOL, "5m", limit=12)
    assert len(candles) == 12
    assert all(c.low <= min(c.open, c.close) <= max(c.open, c.close) <= c.high for c in candles)
    gaps = {b.timestamp - a.timestamp for a, b in itertools.pairwise(candles)}
    assert gaps == {timedelta(minutes=5)}
    assert candles[-1].timestamp == clock.now()
    assert candles[-1].close == await sim_mid(sim)
    assert sum(c.volume for c in candles[:-1]) > 0


async def test_candles_start_at_since() -> None:
    clock = new_clock()
    sim = await venue(clock, volatility=D(1), trade_rate=D(0))
    start = clock.now()
    await clock.advance(600)
    candles = await sim.fetch_ohlcv(SYMBOL, "1m", since=start + timedelta(minutes=2))
    assert candles[0].timestamp == start + timedelta(minutes=2)
    assert len(candles) == 9


async def test_an_unknown_timeframe_is_refused() -> None:
    sim = await venue(**STATIC)
    with pytest.raises(ValueError, match="timeframe"):
        await sim.fetch_ohlcv(SYMBOL, "fortnight")


async def sim_mid(sim: SimExchange) -> D:
    return sim.mid(SYMBOL)


async def test_a_venue_used_before_it_loads_says_so() -> None:
    from plugins.exchanges.sim import SimExchange
    from schemas import ExchangeUnavailable

    venue = SimExchange(SimExchange.Args.model_validate(
        {"markets": [{"symbol": "BTC/USDT", "price": 65000}]}))
    with pytest.raises(ExchangeUnavailable, match="is not loaded: call load\\(\\) first"):
        await venue.fetch_ticker("BTC/USDT")
    with pytest.raises(ExchangeUnavailable, match="is not loaded"):
        await venue.markets()
