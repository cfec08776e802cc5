"""market_making.executors.paper against the real ccxt client and a Binance stand-in:
it reads the live book and public trades, fills locally, and never writes to the venue."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from plugins.market_making.executors.paper import PaperExecutor
from schemas import InsufficientFunds, Liquidity, OrderRejected, OrderRequest, OrderStatus, Side
from tests.ccxt.conftest import VenueFactory
from tests.ccxt.standins.base import StandIn

SYMBOL = "BTC/USDT"


async def paper(venue_factory: VenueFactory, **args: Any) -> tuple[PaperExecutor, StandIn]:
    exchange, standin = await venue_factory("binance")
    executor = PaperExecutor(PaperExecutor.Args(
        balances={"USDT": Decimal("100000"), "BTC": Decimal("2")}, **args))
    executor.bind(exchange=exchange, market=await exchange.market(SYMBOL), prefix="paper_t",
                  venue="binance")
    return executor, standin


def request(executor: PaperExecutor, side: Side, price: str, amount: str,
            post_only: bool = False) -> OrderRequest:
    return OrderRequest(symbol=SYMBOL, side=side, price=Decimal(price), amount=Decimal(amount),
                        client_order_id=executor.next_client_id(), post_only=post_only)


async def test_a_resting_order_rests_locally_and_nothing_is_sent(
        venue_factory: VenueFactory) -> None:
    executor, standin = await paper(venue_factory)
    order = await executor.place(request(executor, Side.BUY, "29999.00", "0.1"))
    await executor.sync()
    assert order.status is OrderStatus.OPEN
    assert [o.id for o in executor.resting] == [order.id]
    assert not [s for s in standin.seen if s.method != "GET"]


async def test_the_live_book_moving_through_a_bid_fills_it_as_maker_at_its_price(
        venue_factory: VenueFactory) -> None:
    executor, standin = await paper(venue_factory)
    placed = await executor.place(request(executor, Side.BUY, "29999.00", "0.1"))
    standin.ledger.asks = [("29998.50", "0.04"), ("29999.00", "0.5")]
    await executor.sync()
    fills = (await executor.fills_since(0)).fills
    fee_rate = executor.market.maker_fee
    assert [(f.price, f.amount, f.liquidity) for f in fills] == [
        (Decimal("29999.00"), Decimal("0.1"), Liquidity.MAKER)]
    assert fills[0].fee == Decimal("2999.9") * fee_rate
    assert fills[0].order_id == placed.id
    assert executor.resting == []


async def test_the_book_fills_no_more_than_it_shows_across_the_order(
        venue_factory: VenueFactory) -> None:
    executor, standin = await paper(venue_factory)
    await executor.place(request(executor, Side.BUY, "29999.00", "0.1"))
    standin.ledger.asks = [("29999.00", "0.03"), ("29999.50", "5")]
    await executor.sync()
    assert [f.amount for f in (await executor.fills_since(0)).fills] == [Decimal("0.03")]
    assert [o.remaining for o in executor.resting] == [Decimal("0.07")]


async def test_public_trades_printed_before_the_run_fill_nothing(
        venue_factory: VenueFactory) -> None:
    executor, _ = await paper(venue_factory)
    await executor.sync()  # the stand-in's trades are from 2023
    await executor.place(request(executor, Side.SELL, "30000.20", "0.01"))
    await executor.sync()
    assert (await executor.fills_since(0)).fills == ()


async def test_a_crossing_order_takes_the_book_as_taker_and_rests_the_rest(
        venue_factory: VenueFactory) -> None:
    executor, _ = await paper(venue_factory)
    # asks: 30000.20 x 0.5, 30000.21 x 1.5, ...
    order = await executor.place(request(executor, Side.BUY, "30000.21", "2.5"))
    fills = (await executor.fills_since(0)).fills
    assert [(f.price, f.amount, f.liquidity) for f in fills] == [
        (Decimal("30000.20"), Decimal("0.5"), Liquidity.TAKER),
        (Decimal("30000.21"), Decimal("1.5"), Liquidity.TAKER),
    ]
    assert order.filled == Decimal("2.0")
    assert order.status is OrderStatus.OPEN
    assert [o.remaining for o in executor.resting] == [Decimal("0.5")]


async def test_liquidity_an_order_took_is_not_taken_again_while_the_book_shows_it(
        venue_factory: VenueFactory) -> None:
    executor, standin = await paper(venue_factory)
    await executor.place(request(executor, Side.BUY, "30000.20", "0.8"))  # takes 0.5
    await executor.sync()
    assert [f.amount for f in (await executor.fills_since(0)).fills] == [Decimal("0.5")]
    standin.ledger.asks = [("30000.20", "0.2")]
    await executor.sync()  # the level thinned: what is shown now is not what was taken
    standin.ledger.asks = [("30000.20", "0.9")]
    await executor.sync()  # new liquidity: 0.7 more shown than was taken
    fills = (await executor.fills_since(0)).fills
    assert [f.amount for f in fills] == [Decimal("0.5"), Decimal("0.3")]


async def test_a_post_only_order_that_would_take_is_refused(
        venue_factory: VenueFactory) -> None:
    executor, _ = await paper(venue_factory)
    with pytest.raises(OrderRejected, match="post-only"):
        await executor.place(request(executor, Side.BUY, "30000.20", "0.1", post_only=True))
    assert executor.resting == []


async def test_an_order_the_paper_account_cannot_fund_is_refused(
        venue_factory: VenueFactory) -> None:
    executor, _ = await paper(venue_factory)
    with pytest.raises(InsufficientFunds, match="BTC"):
        await executor.place(request(executor, Side.SELL, "31000.00", "3"))


async def test_balances_are_the_paper_account_after_a_fill(
        venue_factory: VenueFactory) -> None:
    executor, standin = await paper(venue_factory)
    await executor.place(request(executor, Side.SELL, "30001.00", "0.5"))
    standin.ledger.bids = [("30001.00", "1")]
    await executor.sync()
    balances = executor.simulated_balances()
    fee = Decimal("15000.5") * executor.market.maker_fee
    assert balances.total("BTC") == Decimal("1.5")
    assert balances.total("USDT") == Decimal("100000") + Decimal("15000.5") - fee
    assert balances.used("BTC") == 0
