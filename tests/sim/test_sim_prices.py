"""The seeded price process: determinism, exact prices on the tick, and one process shared
by two venues with an offset."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from plugins.exchanges.sim import SimExchange, SimPriceProcess
from plugins.exchanges.sim._walk import PricePath
from plugins.exchanges.sim.prices import default_increment
from tests.sim.helpers import SYMBOL, D, market, new_clock, process, venue


async def mids(sim: SimExchange, clock: object, seconds: int, every: int = 10) -> list[Decimal]:
    result = []
    for _ in range(seconds // every):
        await clock.advance(every)  # type: ignore[attr-defined]
        result.append(sim.mid(SYMBOL))
    return result


async def test_the_same_seed_gives_the_same_prices() -> None:
    first, second = new_clock(), new_clock()
    a = await venue(first, seed=3, volatility=D(1))
    b = await venue(second, seed=3, volatility=D(1))
    assert await mids(a, first, 600) == await mids(b, second, 600)


async def test_another_seed_gives_other_prices() -> None:
    first, second = new_clock(), new_clock()
    a = await venue(first, seed=3, volatility=D(1))
    b = await venue(second, seed=4, volatility=D(1))
    assert await mids(a, first, 600) != await mids(b, second, 600)


async def test_prices_are_exact_multiples_of_the_tick() -> None:
    clock = new_clock()
    sim = await venue(clock, markets=[market(price_increment=D("0.05"))], volatility=D(3))
    prices = await mids(sim, clock, 600, every=7)
    assert len(set(prices)) > 5
    assert all(p % D("0.05") == 0 and p > 0 for p in prices)


async def test_without_volatility_or_drift_the_price_stands_still() -> None:
    clock = new_clock()
    sim = await venue(clock, volatility=D(0))
    assert set(await mids(sim, clock, 3600, every=60)) == {D("100")}


async def test_volatility_sets_the_size_of_the_moves() -> None:
    path = PricePath(name="x", initial=D("100"), increment=D("0.0001"), volatility=0.5,
                     drift=0.0, step=60.0, seed=1)
    returns = [path.units(k + 1) / path.units(k) - 1 for k in range(20_000)]
    per_step = (sum(r * r for r in returns) / len(returns)) ** 0.5
    expected = 0.5 * (60 / (365 * 86_400)) ** 0.5
    assert expected * 0.9 < per_step < expected * 1.1


async def test_two_venues_on_one_process_quote_the_same_path_with_their_offsets() -> None:
    clock = new_clock()
    prices = await process(clock, series={"BTC": {"price": D("60000")}}, volatility=D(2))
    spec = market(price=None, series="BTC")
    a = await venue(clock, name="a", prices=prices, markets=[spec])
    b = await venue(clock, name="b", prices=prices, markets=[spec], price_offset=D("0.002"))
    for _ in range(30):
        await clock.advance(20)
        mid_a, mid_b = a.mid(SYMBOL), b.mid(SYMBOL)
        assert abs(mid_b - mid_a * D("1.002")) <= D("0.01")
    assert mid_a != D("60000")


async def test_a_series_the_process_lacks_fails_the_load_with_its_name() -> None:
    clock = new_clock()
    prices = await process(clock, series={"BTC": {"price": D("60000")}})
    with pytest.raises(ValueError, match="no price series 'ETH/USDT'"):
        await venue(clock, prices=prices, markets=[market(symbol="ETH/USDT", price=None)])


def test_a_market_needs_a_price_without_a_shared_process() -> None:
    with pytest.raises(ValidationError, match="need an initial `price`"):
        SimExchange.Args(markets=[{"symbol": SYMBOL}])


def test_args_refuse_floats() -> None:
    with pytest.raises(ValidationError, match="float"):
        SimExchange.Args(markets=[{"symbol": SYMBOL, "price": 100.5}])
    with pytest.raises(ValidationError, match="float"):
        SimPriceProcess.Args(series={"BTC": {"price": D(1)}}, volatility=0.5)


def test_an_initial_price_off_the_tick_is_refused() -> None:
    with pytest.raises(ValidationError, match="not a multiple"):
        SimExchange.Args(markets=[{"symbol": SYMBOL, "price": "100.005"}])


def test_a_series_price_off_its_increment_is_refused() -> None:
    with pytest.raises(ValidationError, match="not a multiple of the increment"):
        SimPriceProcess.Args(series={"BTC": {"price": "1.5", "increment": "1"}})


def test_a_market_listed_twice_is_refused() -> None:
    with pytest.raises(ValidationError, match="more than once"):
        SimExchange.Args(markets=[market(), market()])


def test_the_default_walk_increment_is_about_a_millionth_of_the_price() -> None:
    assert default_increment(D("60000")) == D("0.01")
    assert default_increment(D("1.5")) == D("0.000001")
    assert default_increment(D("0.123456789")) == D("1E-9")
