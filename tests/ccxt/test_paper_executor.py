"""market_making.executors.paper against the real ccxt client and a Binance stand-in:
it reads the live book and public trades, fills locally, and never writes to the venue."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from typing import Any

import pytest

from plugins.market_making.executors.paper import PaperExecutor
from plugins.market_making.risk import PreTradeLimits
from schemas import (
    InsufficientFunds,
    Liquidity,
    OrderRejected,
    OrderRequest,
    OrderStatus,
    Side,
    TimeInForce,
)
from schemas.market_making import DesiredQuote
from tests.ccxt.conftest import VenueFactory
from tests.ccxt.standins.base import StandIn

SYMBOL = "BTC/USDT"


async def paper(venue_factory: VenueFactory, venue: dict[str, Any] | None = None, **args: Any
                ) -> tuple[PaperExecutor, StandIn]:
    exchange, standin = await venue_factory("binance", **(venue or {}))
    executor = PaperExecutor(PaperExecutor.Args(
        balances={"USDT": Decimal("100000"), "BTC": Decimal("2")}, **args))
    executor.bind(exchange=exchange, market=await exchange.market(SYMBOL), prefix="paper_t",
                  venue="binance")
    return executor, standin


def request(executor: PaperExecutor, side: Side, price: str, amount: str,
            post_only: bool = False, tif: TimeInForce = TimeInForce.GTC) -> OrderRequest:
    return OrderRequest(symbol=SYMBOL, side=side, price=Decimal(price), amount=Decimal(amount),
                        client_order_id=executor.next_client_id(), post_only=post_only,
                        time_in_force=TimeInForce.PO if post_only else tif)


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


async def test_an_immediate_or_cancel_order_takes_what_it_can_and_expires(
        venue_factory: VenueFactory) -> None:
    executor, _ = await paper(venue_factory)
    order = await executor.place(
        request(executor, Side.BUY, "30000.21", "2.5", tif=TimeInForce.IOC))
    assert order.status is OrderStatus.EXPIRED
    assert order.filled == Decimal("2.0")
    assert executor.resting == []
    assert executor.simulated_balances().used("USDT") == 0


async def test_a_fill_or_kill_order_the_book_cannot_fill_expires_with_nothing_filled(
        venue_factory: VenueFactory) -> None:
    executor, _ = await paper(venue_factory)
    order = await executor.place(
        request(executor, Side.BUY, "30000.21", "2.5", tif=TimeInForce.FOK))
    assert order.status is OrderStatus.EXPIRED
    assert order.filled == 0
    assert (await executor.fills_since(0)).fills == ()


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


QUOTES = [DesiredQuote(Side.BUY, Decimal("29999.00"), Decimal("0.1"))]


async def test_a_book_that_cannot_be_read_refuses_the_placement_and_trading_goes_on(
        venue_factory: VenueFactory) -> None:
    executor, standin = await paper(venue_factory, venue={"retries": 0})
    standin.fail("GET", "/api/v3/depth", 503, "Service Unavailable")
    report = await executor.execute(QUOTES, Decimal("30000"), PreTradeLimits())
    assert report.placed == []
    assert "could not be read" in report.errors[0]
    assert executor.unresolved == []
    report = await executor.execute(QUOTES, Decimal("30000"), PreTradeLimits())
    assert [o.price for o in report.placed] == [Decimal("29999.00")]


async def test_a_placement_interrupted_while_reading_the_book_is_resolved_locally(
        venue_factory: VenueFactory) -> None:
    executor, standin = await paper(venue_factory)
    interrupted = asyncio.create_task(
        executor.execute(QUOTES, Decimal("30000"), PreTradeLimits()))
    await asyncio.sleep(0)  # the placement is now waiting for the book
    interrupted.cancel()
    with pytest.raises(asyncio.CancelledError):
        await interrupted
    assert len(executor.unresolved) == 1
    report = await executor.execute(QUOTES, Decimal("30000"), PreTradeLimits())
    assert executor.unresolved == []
    assert [o.price for o in report.placed] == [Decimal("29999.00")]
    assert not [s for s in standin.seen if "openOrders" in s.path or "allOrders" in s.path]


async def sell(standin: StandIn, trade_id: int, price: str, amount: str) -> None:
    """The stand-in prints a public sell (the buyer was the maker), a moment from now (the
    tape is in milliseconds: a trade in the millisecond of a placement may predate it)."""
    await asyncio.sleep(0.002)
    tape = standin.ledger.tape if standin.ledger.tape is not None else []
    tape.append({"a": trade_id, "p": price, "q": amount, "f": trade_id, "l": trade_id,
                 "T": int(time.time() * 1000), "m": True, "M": True})
    standin.ledger.tape = tape


async def test_public_sells_at_the_price_fill_a_bid_after_the_displayed_queue(
        venue_factory: VenueFactory) -> None:
    executor, standin = await paper(venue_factory)
    await executor.sync()  # marks where the run starts on the tape
    # the best bid, 30000.10, displays 0.12345: a bid joining it queues behind that
    await executor.place(request(executor, Side.BUY, "30000.10", "0.1"))
    await sell(standin, 1, "30000.10", "0.1")
    await executor.sync()
    assert (await executor.fills_since(0)).fills == ()
    await sell(standin, 2, "30000.10", "0.1")
    await executor.sync()
    fills = (await executor.fills_since(0)).fills
    assert [(f.price, f.amount) for f in fills] == [(Decimal("30000.10"), Decimal("0.07655"))]


async def test_a_public_sell_below_a_bid_fills_it_with_nothing_ahead(
        venue_factory: VenueFactory) -> None:
    executor, standin = await paper(venue_factory)
    await executor.sync()
    await executor.place(request(executor, Side.BUY, "30000.10", "0.1"))
    await sell(standin, 1, "30000.05", "0.04")
    await executor.sync()
    await executor.sync()  # a trade already counted fills nothing more
    fills = (await executor.fills_since(0)).fills
    assert [(f.price, f.amount) for f in fills] == [(Decimal("30000.10"), Decimal("0.04"))]
