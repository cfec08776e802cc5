"""End to end against real ccxt: the CEX adapter, the simple converter and the case study's
mandate on ``exchanges.ccxt.binance`` and ``exchanges.ccxt.mexc`` pointed at the ccxt
helper's local stand-ins (tests/ccxt/standins), on 127.0.0.1 only."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import AsyncIterator, Callable, Coroutine
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from fortuna import Context, Mandate, start
from fortuna._internal.loader import load_file
from plugins.arbitrage.adapters.cex import CexAdapter, CexAdapterArgs
from plugins.arbitrage.converters.simple import SimpleConverter, SimpleConverterArgs
from plugins.arbitrage.service import Arbitrage
from plugins.exchanges.ccxt.component import CcxtExchange
from plugins.exchanges.ccxt.family import FAMILY
from schemas import OrderStatus, Side, TimeInForce, money
from schemas.arbitrage import InsufficientDepth
from schemas.money import Rounding
from tests.arbitrage.standins import Books, matching
from tests.ccxt.conftest import new_ledger
from tests.ccxt.standins.base import Ledger, SpotMarket, StandIn
from tests.ccxt.standins.venues import STANDINS

D = Decimal
CASE_STUDY = Path(__file__).resolve().parents[2] / "configs" / "arbitrage" / "case_study.yaml"

Venue = tuple[CcxtExchange, StandIn]
Factory = Callable[..., Coroutine[Any, Any, Venue]]


def connection(standin: StandIn, url: str) -> dict[str, Any]:
    """The args pointing an ``exchanges.ccxt.<id>`` component at a stand-in."""
    return {"api_key": standin.api_key, "secret": standin.secret,
            "password": standin.password, "api_url": url, "retry_backoff": 0.01,
            # ccxt's throttle would hold mexc's first call for seconds after its loading
            # calls: a local stand-in needs no rate limit.
            "enable_rate_limit": False}


@pytest.fixture
async def venues() -> AsyncIterator[Factory]:
    """Start a stand-in (plain, or matching with per-market books) and the real component."""
    started: list[Venue] = []

    async def make(venue: str, ledger: Ledger | None = None, books: Books | None = None,
                   **args: Any) -> Venue:
        ledger = ledger or new_ledger()
        standin = matching(venue, ledger, books) if books else STANDINS[venue](ledger)
        url = await standin.start()
        cls = FAMILY.resolve(venue)
        assert issubclass(cls, CcxtExchange)
        values = {**connection(standin, url), "symbols": [f"{m.base}/{m.quote}"
                                                          for m in ledger.markets], **args}
        values.update({k: SecretStr(values[k]) for k in ("api_key", "secret", "password")})
        exchange = cls(cls.Args(**values), Context(name=venue))
        started.append((exchange, standin))
        await exchange.load()
        return exchange, standin

    yield make
    for exchange, standin in started:
        await exchange.unload()
        await standin.stop()


async def adapter(exchange: CcxtExchange, symbol: str = "BTC/USDT") -> CexAdapter:
    component = CexAdapter(CexAdapterArgs(exchange=exchange, symbol=symbol),
                           Context(name=f"{exchange.venue}_adapter"))
    await component.load()
    return component


# The case study's venues: binance lists BTC/USDT and USDC/USDT, mexc BTC/USDC.
def binance_ledger() -> Ledger:
    ledger = Ledger(markets=[
        SpotMarket("BTC", "USDT", tick=D("0.01"), step=D("0.00001"), min_qty=D("0.00001"),
                   min_notional=D("5")),
        SpotMarket("USDC", "USDT", tick=D("0.0001"), step=D("0.01"), min_qty=D("1"),
                   min_notional=D("5")),
    ])
    ledger.balances = {"BTC": D("1"), "USDT": D("100000"), "USDC": D("0")}
    return ledger


def mexc_ledger() -> Ledger:
    ledger = Ledger(markets=[
        SpotMarket("BTC", "USDC", tick=D("0.01"), step=D("0.00001"), min_qty=D("0.00001"),
                   min_notional=D("5")),
    ])
    ledger.balances = {"BTC": D("1"), "USDC": D("100000")}
    return ledger


def binance_books() -> Books:
    return {
        ("BTC", "USDT"): ([("30000.10", "1"), ("29990.00", "2")],
                         [("30000.20", "1"), ("30010.00", "2")]),
        ("USDC", "USDT"): ([("0.9999", "500000")], [("1.0001", "500000")]),
    }


def mexc_books(bid: str = "30300.00", ask: str = "30310.00") -> Books:
    deeper_bid, deeper_ask = D(bid) - 100, D(ask) + 100
    return {("BTC", "USDC"): ([(bid, "1"), (f"{deeper_bid}", "2")],
                             [(ask, "1"), (f"{deeper_ask}", "2")])}


# -- the adapter -------------------------------------------------------------------------


async def test_binance_quote_walks_the_venues_depth(venues: Factory) -> None:
    exchange, _ = await venues("binance")
    quote = await (await adapter(exchange)).quote(Side.BUY, D("0.6"))
    # 0.5 at 30000.20 and 0.1 at 30000.21 (the stand-in's book); a buy's average rounds up
    assert quote.price == money.ratio(D("15000.10") + D("3000.021"), D("0.6"), Rounding.CEILING)
    assert quote.worst_price == D("30000.21")
    assert quote.fee_rate == D("0.001")


async def test_mexc_quote_carries_the_venues_own_taker_fee(venues: Factory) -> None:
    exchange, _ = await venues("mexc")
    quote = await (await adapter(exchange)).quote(Side.SELL, D("0.1"))
    assert quote.price == D("30000.10")
    assert quote.fee_rate == D("0.0005")


async def test_quote_beyond_the_venues_depth_says_not_enough_depth(venues: Factory) -> None:
    exchange, _ = await venues("binance")
    with pytest.raises(InsufficientDepth) as caught:
        await (await adapter(exchange)).quote(Side.BUY, D("20"))
    assert caught.value.available == D("12.5")  # 0.5 + 1.5 + 2.5 + 3.5 + 4.5


async def test_an_ioc_order_the_venue_leaves_open_is_cancelled_not_left_resting(
    venues: Factory,
) -> None:
    exchange, standin = await venues("binance")
    result = await (await adapter(exchange)).trade(Side.BUY, D("0.01"), client_order_id="arb1")
    (sent,) = standin.requests("POST", "/api/v3/order")
    assert sent.form["timeInForce"] == TimeInForce.IOC.value
    assert sent.form["newClientOrderId"] == "arb1"
    assert result.filled == 0
    assert result.status is OrderStatus.CANCELED
    assert [o.status for o in standin.ledger.orders.values()] == ["canceled"]


async def test_binance_ioc_buy_fills_and_reports_price_and_fee(venues: Factory) -> None:
    exchange, standin = await venues("binance", binance_ledger(), binance_books())
    cex = await adapter(exchange)
    quote = await cex.quote(Side.BUY, D("0.05"))
    result = await cex.trade(Side.BUY, D("0.05"), limit_price=quote.worst_price)
    (fill,) = standin.ledger.fills
    assert result.filled == D("0.05")
    assert result.average_price == quote.price == D("30000.20")
    assert result.fee == fill.fee == D("1.50001")
    assert result.fee_currency == "USDT"
    assert result.net_cost == quote.net_cost


async def test_mexc_ioc_sell_fills_and_reports_the_fee_it_charged(venues: Factory) -> None:
    exchange, standin = await venues("mexc", mexc_ledger(), mexc_books())
    cex = await adapter(exchange, "BTC/USDC")
    quote = await cex.quote(Side.SELL, D("0.05"))
    result = await cex.trade(Side.SELL, D("0.05"), limit_price=quote.worst_price)
    (fill,) = standin.ledger.fills
    assert result.average_price == quote.price == D("30300.00")
    # mexc lists a 0.05 % taker fee; this account paid 0.1 %: the result says what was paid.
    assert result.fee == fill.fee == D("1.515")
    assert quote.fee == D("0.7575")


async def test_adapter_balance_reads_the_venues_account(venues: Factory) -> None:
    exchange, _ = await venues("mexc", mexc_ledger(), mexc_books())
    balance = await (await adapter(exchange, "BTC/USDC")).balance()
    assert (balance.base_free, balance.quote_free) == (D(1), D(100000))


async def test_simple_converter_finds_the_direct_pair_on_binance(venues: Factory) -> None:
    exchange, _ = await venues("binance", binance_ledger(), binance_books())
    converter = SimpleConverter(SimpleConverterArgs(exchange=exchange), Context(name="conv"))
    assert (await converter.rate("USDC", "USDT")).rate == D(1)
    assert await converter.pair("USDC", "USDT") == ("USDC/USDT", False)
    assert await converter.pair("USDT", "USDC") == ("USDC/USDT", True)


# -- the case study's mandate ---------------------------------------------------------------


async def case_study(venues_: list[tuple[StandIn, str]], **service_args: Any) -> Mandate:
    """The case study's mandate, its two exchanges pointed at the stand-ins."""
    data = copy.deepcopy(load_file(str(CASE_STUDY)).data)
    for name, (standin, url) in zip(("binance", "mexc"), venues_, strict=True):
        data["components"][name]["args"] = {**connection(standin, url)}
    data["components"]["arbitrage"]["args"].update(service_args)
    return Mandate.from_dict(data, source="case_study.yaml")


async def ticked_once(venues_: list[tuple[StandIn, str]], **service_args: Any) -> Arbitrage:
    """The case study's service (with ``service_args``) after one tick, its graph stopped."""
    async with start(await case_study(venues_, **service_args)) as graph:
        service = graph.service
        assert isinstance(service, Arbitrage)
        await service.tick()
    return service


@contextlib.asynccontextmanager
async def standins(mexc: Books) -> AsyncIterator[list[tuple[StandIn, str]]]:
    """Binance's and mexc's stand-ins (mexc with the given books), running, with their URLs."""
    binance = matching("binance", binance_ledger(), binance_books())
    mexc_standin = matching("mexc", mexc_ledger(), mexc)
    started = [(binance, await binance.start()), (mexc_standin, await mexc_standin.start())]
    try:
        yield started
    finally:
        for standin, _ in started:
            await standin.stop()


@pytest.fixture
async def spread() -> AsyncIterator[list[tuple[StandIn, str]]]:
    """Stand-ins where mexc bids 30300 USDC for BTC that binance offers at 30000.20 USDT."""
    async with standins(mexc_books()) as started:
        yield started


@pytest.fixture
async def no_spread() -> AsyncIterator[list[tuple[StandIn, str]]]:
    async with standins(mexc_books(bid="30000.00", ask="30010.00")) as started:
        yield started


async def test_case_study_mandate_trades_the_spread_between_the_stand_ins(
    spread: list[tuple[StandIn, str]],
) -> None:
    service = await ticked_once(spread)
    (execution,) = service.executions
    assert execution.complete
    assert execution.opportunity.direction == "a_to_b"
    (binance_fill,) = spread[0][0].ledger.fills
    (mexc_fill,) = spread[1][0].ledger.fills
    assert (binance_fill.order.side, binance_fill.amount) == ("buy", D("0.05"))
    assert (mexc_fill.order.side, mexc_fill.amount) == ("sell", D("0.05"))


async def test_case_study_realised_figures_are_the_venues_and_the_quotes(
    spread: list[tuple[StandIn, str]],
) -> None:
    service = await ticked_once(spread)
    (execution,) = service.executions
    quoted = execution.opportunity
    (binance_fill,) = spread[0][0].ledger.fills
    (mexc_fill,) = spread[1][0].ledger.fills
    # Fills at the quoted prices; the rate is binance's USDC/USDT mid, exactly 1.
    assert execution.buy is not None
    assert execution.sell is not None
    assert execution.buy.average_price == quoted.buy.price == D("30000.20")
    assert execution.sell.average_price == quoted.sell.price == D("30300.00")
    assert quoted.sell_rate.rate == D(1)
    # Fees are what the venues charged: binance as quoted, mexc 0.1 % against 0.05 % listed.
    assert execution.realised_fees == binance_fill.fee + mexc_fill.fee == D("3.01501")
    assert execution.realised_cost == quoted.cost == D("1501.51001")
    assert execution.realised_profit == quoted.profit - (mexc_fill.fee - quoted.sell.fee)
    assert execution.realised_profit == D("11.97499")


async def test_case_study_mandate_does_not_trade_without_a_spread(
    no_spread: list[tuple[StandIn, str]],
) -> None:
    service = await ticked_once(no_spread)
    assert not service.executions
    assert all(not standin.ledger.orders for standin, _ in no_spread)


async def test_case_study_unwinds_the_buy_when_mexc_refuses_the_sell(
    spread: list[tuple[StandIn, str]],
) -> None:
    mexc = spread[1][0]
    mexc.fail("POST", "/api/v3/order", 400, {"code": 30004, "msg": "Insufficient position"})
    service = await ticked_once(spread)
    (execution,) = service.executions
    assert execution.sell is None
    assert "Insufficient" in (execution.sell_error or "")
    (correction,) = execution.corrections
    assert (correction.venue, correction.side, correction.filled) == (
        "binance", Side.SELL, D("0.05"))
    assert execution.residual == 0
    assert spread[0][0].ledger.balances["BTC"] == D(1)


# -- orders whose answer was lost: one policy for legs and rebalancing orders ----------------

LOST = 20  # the component's own lookups of the dropped order all fail (rate limited)


def lose_next_answer(standin: StandIn) -> None:
    """The next order is placed, then its connection drops, and the component's own lookup
    by order id keeps failing: the component reports its outcome unknown."""
    standin.drop_after(*standin.CREATE)
    for _ in range(LOST):
        standin.fail("GET", "/api/v3/order", *standin.RATE_LIMITED)


async def test_case_study_finds_a_leg_whose_answer_was_lost_by_its_client_order_id(
    spread: list[tuple[StandIn, str]],
) -> None:
    binance = spread[0][0]
    lose_next_answer(binance)
    service = await ticked_once(spread)
    (execution,) = service.executions
    assert execution.buy is not None
    assert execution.buy.filled == D("0.05")
    assert execution.buy_error is not None
    assert execution.corrections == ()
    assert len(binance.creates()) == 1  # looked up, not sent again
    assert binance.ledger.balances["BTC"] + spread[1][0].ledger.balances["BTC"] == D(2)
    assert service.halted is None


async def test_case_study_finds_a_rebalancing_order_whose_answer_was_lost(
    spread: list[tuple[StandIn, str]],
) -> None:
    binance, mexc = spread[0][0], spread[1][0]
    mexc.fail("POST", "/api/v3/order", 400, {"code": 30004, "msg": "Insufficient position"})
    async with start(await case_study(spread)) as graph:
        service = graph.service
        assert isinstance(service, Arbitrage)
        binance.seen.clear()
        # the buy leg goes through; the unwind that sells it back loses its answer
        binance.faults[binance.CREATE] = [None, ("drop",)]
        for _ in range(LOST):
            binance.fail("GET", "/api/v3/order", *binance.RATE_LIMITED)
        await service.tick()
        (execution,) = service.executions
    (correction,) = execution.corrections
    assert (correction.venue, correction.side, correction.filled) == (
        "binance", Side.SELL, D("0.05"))
    assert len(binance.creates()) == 2  # the leg and one unwind, not a second unwind
    assert binance.ledger.balances["BTC"] == D(1)
    assert service.halted is None


async def test_case_study_halts_naming_a_leg_it_cannot_find(
    spread: list[tuple[StandIn, str]],
) -> None:
    binance = spread[0][0]
    lose_next_answer(binance)
    for path in ("/api/v3/openOrders", "/api/v3/allOrders"):
        for _ in range(LOST):
            binance.fail("GET", path, *binance.RATE_LIMITED)
    service = await ticked_once(spread, recovery_attempts=1)
    (execution,) = service.executions
    (create,) = binance.creates()
    client_order_id = create.form.get("newClientOrderId") or create.query["newClientOrderId"]
    assert service.halted is not None
    assert client_order_id in service.halted
    assert execution.corrections == ()  # nothing unwound on a guess
    assert len(spread[1][0].creates()) == 1  # mexc's sell leg only
