"""The market-making executor's client order ids are accepted by every covered venue: it
issues them in the format the exchange states (okx: letters and digits; kraken: 18
characters at most), through real ccxt against each venue's stand-in."""

from __future__ import annotations

from decimal import Decimal

import ccxt
import pytest

from plugins.market_making.executors.exchange import ExchangeExecutor, ExchangeExecutorArgs
from plugins.market_making.risk import PreTradeLimits
from schemas import Side
from schemas.market_making import DesiredQuote
from tests.ccxt.conftest import ALL_VENUES, VenueFactory

D = Decimal
FAST = {"rate_limit": 0.001}


@pytest.mark.parametrize("venue", ALL_VENUES)
async def test_the_executors_orders_are_accepted_and_recognised_as_the_mandates(
    venue: str, venue_factory: VenueFactory
) -> None:
    exchange, standin = await venue_factory(venue, **FAST)
    executor = ExchangeExecutor(ExchangeExecutorArgs())
    executor.bind(exchange=exchange, market=await exchange.market("BTC/USDT"),
                  prefix="mandate12", venue=venue)  # its former ids: 20 characters
    report = await executor.execute(
        [DesiredQuote(Side.BUY, D("29000"), D("0.01")),
         DesiredQuote(Side.BUY, D("28990"), D("0.01"))],
        D("30000"), PreTradeLimits())
    assert report.errors == []
    assert len(report.placed) == 2
    for order in report.placed:
        stored = standin.ledger.orders[standin.ledger_id(order.id)]
        assert stored.client_id == order.client_order_id
        assert exchange.client_id_format.refusal(stored.client_id) is None
        assert executor.owns(order)
    assert {o.id for o in await executor._own_open_orders()} == {o.id for o in report.placed}


async def test_a_mandate_name_okx_cannot_carry_is_refused_when_the_executor_binds(
    venue_factory: VenueFactory,
) -> None:
    exchange, standin = await venue_factory("okx", **FAST)
    executor = ExchangeExecutor(ExchangeExecutorArgs())
    with pytest.raises(ValueError, match="okx takes only letters and digits"):
        executor.bind(exchange=exchange, market=await exchange.market("BTC/USDT"),
                      prefix="mm_1", venue="okx")
    assert standin.creates() == []


async def test_a_mandate_name_too_long_for_kraken_is_refused_when_the_executor_binds(
    venue_factory: VenueFactory,
) -> None:
    exchange, _ = await venue_factory("kraken", **FAST)
    executor = ExchangeExecutor(ExchangeExecutorArgs())
    with pytest.raises(ValueError, match="do not fit the 18 characters kraken takes"):
        executor.bind(exchange=exchange, market=await exchange.market("BTC/USDT"),
                      prefix="market_maker_one", venue="kraken")


async def test_okx_refuses_a_client_order_id_outside_its_documented_format(
    venue_factory: VenueFactory,
) -> None:
    """The stand-in enforces what OKX documents, so the acceptance above means something:
    the executor's former ids (``mandate-<run>-<n>``), sent straight through ccxt, fail."""
    exchange, standin = await venue_factory("okx", **FAST)
    with pytest.raises(ccxt.BadRequest, match="clOrdId"):
        await exchange.client.create_order("BTC/USDT", "limit", "buy", "0.01", "29000",
                                           {"clOrdId": "mandate-loyw3v28-1"})
    assert standin.ledger.orders == {}
