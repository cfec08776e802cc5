"""Converters: simple (a venue's direct or inverse pair), identity, fixed rate."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from fortuna import Context, NoArgs
from plugins.arbitrage.converters.fixed import FixedRateConverter, FixedRateConverterArgs
from plugins.arbitrage.converters.identity import IdentityConverter
from plugins.arbitrage.converters.simple import SimpleConverter, SimpleConverterArgs
from schemas import money
from schemas.arbitrage import ConversionUnavailable
from schemas.money import Rounding
from tests.arbitrage.venue import BookVenue, market

D = Decimal


def simple(venue: BookVenue) -> SimpleConverter:
    return SimpleConverter(SimpleConverterArgs(exchange=venue), Context(name="conv"))


def venue_with(symbol: str, bid: str, ask: str) -> BookVenue:
    venue = BookVenue("v", [market(symbol)])
    venue.set_book(symbol, bids=[(bid, "1")], asks=[(ask, "1")])
    return venue


async def test_simple_uses_the_direct_pair_mid() -> None:
    converter = simple(venue_with("USDC/USDT", "0.9990", "0.9994"))
    rate = await converter.rate("USDC", "USDT")
    assert rate.rate == D("0.9992")
    assert rate.source == "v USDC/USDT mid"


async def test_simple_inverts_the_inverse_pair() -> None:
    converter = simple(venue_with("USDT/USDC", "1.0006", "1.0010"))
    rate = await converter.rate("USDC", "USDT")
    assert rate.rate == money.ratio(D(1), D("1.0008"), Rounding.HALF_EVEN)
    assert rate.source.endswith("(inverse)")


async def test_simple_prefers_the_direct_pair_when_both_exist() -> None:
    venue = BookVenue("v", [market("USDC/USDT"), market("USDT/USDC")])
    venue.set_book("USDC/USDT", bids=[("0.99", "1")], asks=[("1.01", "1")])
    venue.set_book("USDT/USDC", bids=[("2", "1")], asks=[("3", "1")])
    assert (await simple(venue).rate("USDC", "USDT")).rate == D(1)


async def test_simple_converts_an_amount() -> None:
    converter = simple(venue_with("USDC/USDT", "0.998", "1.000"))
    assert await converter.convert(D("5025"), "USDC", "USDT") == D("5019.975")


async def test_simple_converts_the_same_currency_at_one_without_the_venue() -> None:
    converter = simple(BookVenue("v", []))
    assert (await converter.rate("USDT", "USDT")).rate == 1


async def test_simple_without_a_pair_says_which_markets_it_looked_for() -> None:
    converter = simple(venue_with("BTC/USDT", "1", "2"))
    with pytest.raises(ConversionUnavailable, match="neither USDC/USDT nor USDT/USDC"):
        await converter.rate("USDC", "USDT")


async def test_simple_reads_the_price_on_every_call() -> None:
    venue = venue_with("USDC/USDT", "0.99", "1.01")
    converter = simple(venue)
    await converter.rate("USDC", "USDT")
    venue.set_book("USDC/USDT", bids=[("0.97", "1")], asks=[("0.99", "1")])
    assert (await converter.rate("USDC", "USDT")).rate == D("0.98")


async def test_identity_converts_at_one() -> None:
    converter = IdentityConverter(NoArgs(), Context(name="id"))
    assert (await converter.rate("USDC", "USDT")).rate == 1


def fixed(rate: str = "0.998") -> FixedRateConverter:
    args = FixedRateConverterArgs(from_currency="USDC", to_currency="USDT", rate=D(rate))
    return FixedRateConverter(args, Context(name="fixed"))


async def test_fixed_converts_at_its_rate() -> None:
    assert (await fixed().rate("USDC", "USDT")).rate == D("0.998")


async def test_fixed_converts_back_at_the_inverse() -> None:
    assert (await fixed("0.5").rate("USDT", "USDC")).rate == D(2)


async def test_fixed_refuses_other_currencies() -> None:
    with pytest.raises(ConversionUnavailable, match="only knows USDC and USDT"):
        await fixed().rate("EUR", "USDT")


def test_fixed_refuses_a_float_rate() -> None:
    with pytest.raises(ValidationError, match="float"):
        FixedRateConverterArgs(from_currency="USDC", to_currency="USDT", rate=0.998)
