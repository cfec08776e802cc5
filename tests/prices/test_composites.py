"""Composite price providers on fixed and simulated sources, on the virtual clock.

Every expected value is computed by hand in the test's docstring or comment; quotients that
do not terminate are written out to the 34 significant digits of the composites' context.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from fortuna import start, validate
from schemas import PriceUnavailable
from tests.prices.support import SYMBOL, fixed, mandate, provider


def findings(components: dict[str, Any]) -> list[str]:
    return [str(f) for f in validate(mandate(components)).findings]


async def price_of(components: dict[str, Any], name: str) -> Decimal:
    async with start(mandate(components)) as graph:
        return await provider(graph, name).price()


# -- weighted average ----------------------------------------------------------------------


async def test_weighted_average_weighs_each_price_by_its_weight() -> None:
    # (100 * 1 + 101 * 2 + 103 * 1) / 4 = 405 / 4 = 101.25
    assert await price_of({
        "a": fixed("100"), "b": fixed("101"), "c": fixed("103"),
        "avg": {"id": "prices.weighted_average", "args": {"max_age": "10s", "sources": [
            {"source": "@a", "weight": 1}, {"source": "@b", "weight": 2},
            {"source": "@c", "weight": 1}]}},
    }, "avg") == Decimal("101.25")


async def test_weighted_average_rounds_a_non_terminating_quotient_at_34_digits() -> None:
    # (100 * 1 + 101 * 2) / 3 = 302 / 3 = 100.666..., 34 significant digits, half even
    assert await price_of({
        "a": fixed("100"), "b": fixed("101"),
        "avg": {"id": "prices.weighted_average", "args": {"max_age": "10s", "sources": [
            {"source": "@a", "weight": 1}, {"source": "@b", "weight": 2}]}},
    }, "avg") == Decimal("100.6666666666666666666666666666667")


async def test_weighted_average_renormalises_over_healthy_sources_when_allowed() -> None:
    # "thin" cannot price (the book holds less than 10^6); (101 * 2 + 103 * 1) / 3 = 101.666...
    assert await price_of({
        "thin": {"id": "prices.order_book", "args": {
            "exchange": "@sim", "symbol": SYMBOL, "method": "depth_weighted",
            "depth": "1000000"}},
        "b": fixed("101"), "c": fixed("103"),
        "avg": {"id": "prices.weighted_average", "args": {
            "max_age": "10s", "min_sources": 2, "sources": [
                {"source": "@thin", "weight": 5}, {"source": "@b", "weight": 2},
                {"source": "@c", "weight": 1}]}},
    }, "avg") == Decimal("101.6666666666666666666666666666667")


async def test_weighted_average_refuses_when_fewer_than_min_sources_are_healthy() -> None:
    with pytest.raises(PriceUnavailable, match="1 healthy input"):
        await price_of({
            "thin": {"id": "prices.order_book", "args": {
                "exchange": "@sim", "symbol": SYMBOL, "method": "depth_weighted",
                "depth": "1000000"}},
            "b": fixed("101"),
            "avg": {"id": "prices.weighted_average", "args": {"max_age": "10s", "sources": [
                {"source": "@thin", "weight": 1}, {"source": "@b", "weight": 1}]}},
        }, "avg")


# -- median ------------------------------------------------------------------------------


async def test_median_of_an_odd_count_is_the_middle_price() -> None:
    assert await price_of({
        "a": fixed("103"), "b": fixed("100"), "c": fixed("101"),
        "med": {"id": "prices.median", "args": {"max_age": "10s",
                                                "sources": ["@a", "@b", "@c"]}},
    }, "med") == Decimal("101")


async def test_median_of_an_even_count_is_the_midpoint_of_the_middle_two() -> None:
    # sorted 100, 101, 103, 104: (101 + 103) / 2 = 102
    assert await price_of({
        "a": fixed("104"), "b": fixed("100"), "c": fixed("101"), "d": fixed("103"),
        "med": {"id": "prices.median", "args": {"max_age": "10s",
                                                "sources": ["@a", "@b", "@c", "@d"]}},
    }, "med") == Decimal("102")


async def test_median_refuses_sources_that_diverge_beyond_max_divergence() -> None:
    # (103 - 100) / 100 = 0.03 > 0.02
    with pytest.raises(PriceUnavailable, match="sources diverge: 100 to 103"):
        await price_of({
            "a": fixed("100"), "b": fixed("103"),
            "med": {"id": "prices.median", "args": {
                "max_age": "10s", "sources": ["@a", "@b"], "max_divergence": "0.02"}},
        }, "med")


async def test_median_accepts_a_divergence_exactly_at_the_limit() -> None:
    # (103 - 100) / 100 = 0.03, not more than 0.03: (100 + 103) / 2 = 101.5
    assert await price_of({
        "a": fixed("100"), "b": fixed("103"),
        "med": {"id": "prices.median", "args": {
            "max_age": "10s", "sources": ["@a", "@b"], "max_divergence": "0.03"}},
    }, "med") == Decimal("101.5")


# A source that cannot price: the book holds less than 10^6 base.
THIN = {"id": "prices.order_book", "args": {
    "exchange": "@sim", "symbol": SYMBOL, "method": "depth_weighted", "depth": "1000000"}}


async def test_median_leaves_out_an_unhealthy_source_when_min_sources_allow() -> None:
    # thin left out: the median of 100 and 103 is (100 + 103) / 2 = 101.5
    assert await price_of({
        "thin": THIN, "a": fixed("100"), "b": fixed("103"),
        "med": {"id": "prices.median", "args": {
            "max_age": "10s", "min_sources": 2, "sources": ["@thin", "@a", "@b"]}},
    }, "med") == Decimal("101.5")


async def test_median_refuses_when_fewer_than_min_sources_are_healthy_naming_why() -> None:
    with pytest.raises(PriceUnavailable,
                       match=r"^med: 1 healthy input\(s\), 2 needed \(thin: BTC/USDT: the book"):
        await price_of({
            "thin": THIN, "a": fixed("100"),
            "med": {"id": "prices.median", "args": {"max_age": "10s",
                                                    "sources": ["@thin", "@a"]}},
        }, "med")


# -- fallback ----------------------------------------------------------------------------


async def test_fallback_uses_the_first_source_when_it_is_healthy() -> None:
    assert await price_of({
        "a": fixed("100"), "b": fixed("200"),
        "fb": {"id": "prices.fallback", "args": {"max_age": "10s", "sources": ["@a", "@b"]}},
    }, "fb") == Decimal("100")


async def test_fallback_skips_an_unavailable_source_for_the_next_in_order() -> None:
    assert await price_of({
        "thin": {"id": "prices.order_book", "args": {
            "exchange": "@sim", "symbol": SYMBOL, "method": "depth_weighted",
            "depth": "1000000"}},
        "b": fixed("200"), "c": fixed("300"),
        "fb": {"id": "prices.fallback", "args": {"max_age": "10s",
                                                 "sources": ["@thin", "@b", "@c"]}},
    }, "fb") == Decimal("200")


async def test_fallback_with_no_healthy_source_names_every_reason() -> None:
    thin = {"id": "prices.order_book", "args": {
        "exchange": "@sim", "symbol": SYMBOL, "method": "depth_weighted", "depth": "1000000"}}
    with pytest.raises(PriceUnavailable) as caught:
        await price_of({"t1": thin, "t2": thin, "fb": {"id": "prices.fallback", "args": {
            "max_age": "10s", "sources": ["@t1", "@t2"]}}}, "fb")
    assert "t1:" in str(caught.value)
    assert "t2:" in str(caught.value)


# -- staleness -----------------------------------------------------------------------------

STALE = {
    # A ticker fetched once an hour: its quote carries the time of that fetch.
    "hourly": {"id": "listeners.ticker",
               "args": {"exchange": "@sim", "symbol": SYMBOL, "interval": "1h"}},
    "old_mid": {"id": "prices.ticker", "args": {"exchange": "@hourly", "symbol": SYMBOL}},
}


async def test_a_source_older_than_max_age_is_refused_as_stale() -> None:
    async with start(mandate({**STALE, "inv": {"id": "prices.inverse", "args": {
            "source": "@old_mid", "max_age": "10s"}}})) as graph:
        await provider(graph, "inv").price()  # fresh at the start
        await graph.clock.sleep(11)
        with pytest.raises(PriceUnavailable, match=r"stale: .* observed 11 s ago \(max 10 s\)"):
            await provider(graph, "inv").price()


async def test_fallback_treats_a_stale_source_as_unhealthy() -> None:
    async with start(mandate({**STALE, "b": fixed("200"), "fb": {
            "id": "prices.fallback", "args": {"max_age": "10s",
                                              "sources": ["@old_mid", "@b"]}}})) as graph:
        assert await provider(graph, "fb").price() != Decimal("200")
        await graph.clock.sleep(30)
        assert await provider(graph, "fb").price() == Decimal("200")


async def test_median_never_uses_a_stale_source() -> None:
    async with start(mandate({**STALE, "b": fixed("200"), "med": {
            "id": "prices.median", "args": {"max_age": "10s",
                                            "sources": ["@old_mid", "@b"]}}})) as graph:
        await graph.clock.sleep(30)
        with pytest.raises(PriceUnavailable, match="1 healthy input"):
            await provider(graph, "med").price()


async def test_a_composite_quote_is_as_old_as_its_oldest_input() -> None:
    async with start(mandate({**STALE, "b": fixed("200"), "med": {
            "id": "prices.median", "args": {"max_age": "1m",
                                            "sources": ["@old_mid", "@b"]}}})) as graph:
        fetched = (await provider(graph, "old_mid").quote()).timestamp
        await graph.clock.sleep(20)
        quote = await provider(graph, "med").quote()
        assert quote.timestamp == fetched
        assert quote.source == "med"


# -- inverse, offset, cross rate ---------------------------------------------------------------


async def test_inverse_of_8_is_exactly_0_125() -> None:
    assert await price_of({"a": fixed("8"), "inv": {"id": "prices.inverse", "args": {
        "source": "@a", "max_age": "10s"}}}, "inv") == Decimal("0.125")


async def test_inverse_of_3_is_rounded_half_even_at_34_digits() -> None:
    assert await price_of({"a": fixed("3"), "inv": {"id": "prices.inverse", "args": {
        "source": "@a", "max_age": "10s"}}}, "inv") == Decimal(
            "0.3333333333333333333333333333333333")


async def test_offset_multiplies_then_adds() -> None:
    # 100 * 1.001 - 0.5 = 99.6
    assert await price_of({"a": fixed("100"), "off": {"id": "prices.offset", "args": {
        "source": "@a", "max_age": "10s", "factor": "1.001", "add": "-0.5"}}},
        "off") == Decimal("99.6")


async def test_offset_refuses_a_result_that_is_not_positive() -> None:
    with pytest.raises(PriceUnavailable, match="not a positive price"):
        await price_of({"a": fixed("1"), "off": {"id": "prices.offset", "args": {
            "source": "@a", "max_age": "10s", "add": "-1"}}}, "off")


async def test_cross_rate_divides_two_legs_through_the_common_currency() -> None:
    # ETH/USDT 2000, BTC/USDT 50000: ETH/BTC = 2000 / 50000 = 0.04
    assert await price_of({
        "eth": fixed("2000"), "btc": fixed("50000"),
        "x": {"id": "prices.cross_rate", "args": {
            "max_age": "10s", "base": {"source": "@eth"}, "quote": {"source": "@btc"}}},
    }, "x") == Decimal("0.04")


async def test_cross_rate_takes_a_leg_in_the_other_orientation() -> None:
    # USDT/BTC 0.00002 (that is BTC/USDT 50000), ETH/USDT 2000: ETH/BTC = 2000 * 0.00002 = 0.04
    assert await price_of({
        "eth": fixed("2000"), "usdt_btc": fixed("0.00002"),
        "x": {"id": "prices.cross_rate", "args": {
            "max_age": "10s", "base": {"source": "@eth"},
            "quote": {"source": "@usdt_btc", "invert": True}}},
    }, "x") == Decimal("0.04")


async def test_cross_rate_with_both_legs_inverted() -> None:
    # USDT/ETH 0.0005, USDT/BTC 0.00002: ETH/BTC = 0.00002 / 0.0005 = 0.04
    assert await price_of({
        "usdt_eth": fixed("0.0005"), "usdt_btc": fixed("0.00002"),
        "x": {"id": "prices.cross_rate", "args": {
            "max_age": "10s", "base": {"source": "@usdt_eth", "invert": True},
            "quote": {"source": "@usdt_btc", "invert": True}}},
    }, "x") == Decimal("0.04")


async def test_cross_rate_is_unavailable_when_a_leg_is() -> None:
    with pytest.raises(PriceUnavailable, match="a leg is unhealthy"):
        await price_of({
            "thin": {"id": "prices.order_book", "args": {
                "exchange": "@sim", "symbol": SYMBOL, "method": "depth_weighted",
                "depth": "1000000"}},
            "btc": fixed("50000"),
            "x": {"id": "prices.cross_rate", "args": {
                "max_age": "10s", "base": {"source": "@thin"}, "quote": {"source": "@btc"}}},
        }, "x")


# -- validation refusals ------------------------------------------------------------------------


def test_a_fallback_needs_two_sources() -> None:
    assert any("sources" in f and "at least 2" in f for f in findings({
        "a": fixed("1"), "fb": {"id": "prices.fallback", "args": {
            "max_age": "10s", "sources": ["@a"]}}}))


def test_every_composite_needs_a_max_age() -> None:
    assert any("max_age" in f and "required" in f.lower() for f in findings({
        "a": fixed("1"), "inv": {"id": "prices.inverse", "args": {"source": "@a"}}}))


def test_min_sources_cannot_exceed_the_sources_given() -> None:
    assert any("min_sources 3 exceeds the 2 sources" in f for f in findings({
        "a": fixed("1"), "b": fixed("2"), "med": {"id": "prices.median", "args": {
            "max_age": "10s", "sources": ["@a", "@b"], "min_sources": 3}}}))


def test_an_offset_that_changes_nothing_is_refused() -> None:
    assert any("factor other than 1" in f for f in findings({
        "a": fixed("1"), "off": {"id": "prices.offset", "args": {
            "source": "@a", "max_age": "10s"}}}))


def test_a_zero_max_divergence_is_refused() -> None:
    assert any("max_divergence" in f for f in findings({
        "a": fixed("1"), "b": fixed("2"), "med": {"id": "prices.median", "args": {
            "max_age": "10s", "sources": ["@a", "@b"], "max_divergence": "0"}}}))


def test_a_weight_given_as_a_float_is_refused() -> None:
    spec = mandate({"a": fixed("1"), "b": fixed("2"), "avg": {
        "id": "prices.weighted_average", "args": {"max_age": "10s", "sources": [
            {"source": "@a", "weight": 0.5}, {"source": "@b", "weight": 1}]}}})
    assert any("float" in str(f) for f in validate(spec).findings)


def test_a_composite_refuses_a_source_that_is_not_a_price_provider() -> None:
    assert any("does not provide PriceProvider" in f for f in findings({
        "fb": {"id": "prices.fallback", "args": {
            "max_age": "10s", "sources": ["@sim", "@idle_price"]}}}))


async def test_weighted_average_refuses_sources_that_diverge_beyond_max_divergence() -> None:
    # (101 - 100) / 100 = 0.01 > 0.005, whatever the weights
    with pytest.raises(PriceUnavailable, match="sources diverge: 100 to 101"):
        await price_of({
            "a": fixed("100"), "b": fixed("101"),
            "avg": {"id": "prices.weighted_average", "args": {
                "max_age": "10s", "max_divergence": "0.005", "sources": [
                    {"source": "@a", "weight": 99}, {"source": "@b", "weight": 1}]}},
        }, "avg")


async def test_fallback_goes_back_to_the_first_source_once_it_is_fresh_again() -> None:
    async with start(mandate({**STALE, "b": fixed("200"), "fb": {
            "id": "prices.fallback", "args": {"max_age": "10s",
                                              "sources": ["@old_mid", "@b"]}}})) as graph:
        await graph.clock.sleep(30)
        assert await provider(graph, "fb").price() == Decimal("200")
        await graph.clock.sleep(3575)  # 3605 s: the hourly ticker fetched again at 3600 s
        fresh = await provider(graph, "old_mid").price()
        assert await provider(graph, "fb").price() == fresh
