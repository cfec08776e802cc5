"""One exception policy for every order the arbitrage sends: each failure class, on a leg
and on a rebalancing order alike, over the book venues.

The two paths:
- ``leg``: the sell leg on beta fails in the way under test; ``unwind`` then sells back on
  alpha whatever the failure turns out to have left.
- ``rebalance``: the sell leg on beta is refused (nothing placed), so ``unwind`` sells the
  0.05 BTC bought back on alpha, and that rebalancing order (alpha's second) fails in the
  way under test.
In both, alpha's and beta's BTC add up to the 2 BTC they started with when the service
settles, and when it cannot find out what an order did it halts, names the order and
reports the range of the base position.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
import structlog

from plugins.arbitrage.adapters.cex import CexAdapter, CexAdapterArgs
from plugins.arbitrage.service import Arbitrage
from plugins.kill_switches.consecutive_errors import ConsecutiveErrorsArgs, ConsecutiveErrorsSwitch
from schemas import InsufficientFunds, NetworkError, NotSupported, RequestTimeout, Side
from schemas.arbitrage import TradeResult
from tests.arbitrage.parts import World, context, world
from tests.arbitrage.venue import BookVenue

D = Decimal
PATHS = ["leg", "rebalance"]


def open_gap(w: World) -> None:
    w.beta.set_book("BTC/USDC", bids=[("100500", "1")], asks=[("100600", "1")])


def failing(w: World, path: str, *, before: BaseException | None = None,
            after: BaseException | None = None) -> BookVenue:
    """Make the order of ``path`` fail as given; the venue it is sent to."""
    if path == "leg":
        w.beta.fault(1, before=before, after=after)
        return w.beta
    w.beta.fault(1, before=InsufficientFunds("BTC short", venue="beta"))
    w.alpha.fault(2, before=before, after=after)
    return w.alpha


def flat(w: World) -> bool:
    return w.alpha.free["BTC"] + w.beta.free["BTC"] == D(2)


async def traded(w: World, **args: Any) -> Arbitrage:
    open_gap(w)
    service = await w.service(leg_failure_policy="unwind", **args)
    await service.tick()
    return service


AFTER_PLACING: list[BaseException] = [
    RequestTimeout("no answer in time", venue="v"),
    NetworkError("connection reset", venue="v"),
    RuntimeError("the client library crashed reading the answer"),
    KeyError("orderId"),
    asyncio.CancelledError("the connection's task was cancelled under the client"),
]
CLASSES = [type(error).__name__ for error in AFTER_PLACING]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("error", AFTER_PLACING, ids=CLASSES)
async def test_an_order_that_raised_after_it_filled_is_found_and_counted_not_resent(
    path: str, error: BaseException
) -> None:
    w = await world()
    venue = failing(w, path, after=error)
    service = await traded(w)
    (execution,) = service.executions
    sent_by_path = 1 if path == "leg" else 2
    assert len(venue.requests) == sent_by_path  # looked up, never sent again
    assert flat(w)
    assert service.halted is None
    assert execution.residual == 0
    if path == "leg":
        assert execution.sell is not None
        assert execution.sell.filled == D("0.05")
        assert execution.corrections == ()
    else:
        (correction,) = execution.corrections
        assert correction.filled == D("0.05")


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("error", AFTER_PLACING, ids=CLASSES)
async def test_an_order_that_raised_before_it_was_placed_is_found_absent_then_rebalanced(
    path: str, error: BaseException
) -> None:
    w = await world()
    venue = failing(w, path, before=error)
    service = await traded(w)
    (execution,) = service.executions
    assert flat(w)
    assert service.halted is None
    # leg: the buy is sold back; rebalance: the next attempt sells it back
    (correction,) = execution.corrections
    assert (correction.venue, correction.filled) == ("alpha", D("0.05"))
    assert len(venue.requests) == (1 if path == "leg" else 3)


@pytest.mark.parametrize("path", PATHS)
async def test_an_order_the_venue_refused_is_not_looked_up(path: str) -> None:
    w = await world()
    failing(w, path, before=InsufficientFunds("short", venue="v"))
    w.alpha.lookup_error = w.beta.lookup_error = NetworkError("down", venue="v")
    service = await traded(w)
    assert flat(w)
    assert service.halted is None


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("lookup_error", [
    NetworkError("connection reset", venue="v"),
    RuntimeError("garbled order list"),
    NotSupported("no order lookup", venue="v"),
], ids=["retryable", "any_exception", "not_supported"])
async def test_an_order_whose_outcome_cannot_be_found_halts_with_the_exact_exposure(
    path: str, lookup_error: BaseException
) -> None:
    w = await world()
    venue = failing(w, path, after=RequestTimeout("no answer", venue="v"))
    venue.lookup_error = lookup_error
    with structlog.testing.capture_logs() as logs:
        service = await traded(w)
    (execution,) = service.executions
    unknown_id = venue.requests[-1].client_order_id
    assert unknown_id is not None
    assert service.halted is not None
    assert unknown_id in service.halted
    (unknown,) = execution.unknown
    assert unknown_id in unknown
    (halt,) = [line for line in logs if line["event"] == "arbitrage halted outcome unknown"]
    (order,) = halt["orders"]
    assert (order["client_order_id"], order["side"], order["amount"]) == (
        unknown_id, "sell", D("0.05"))
    # bought 0.05 on alpha; the unknown sell sold between nothing and all of it
    assert (halt["bought"], halt["imbalance_known"]) == (D("0.05"), D("0.05"))
    assert (halt["imbalance_low"], halt["imbalance_high"]) == (D(0), D("0.05"))
    assert len(venue.requests) == (1 if path == "leg" else 2)  # nothing sent on a guess
    venue.lookup_error = None
    await service.tick()
    assert len(service.executions) == 1  # halted until restarted


@pytest.mark.parametrize("path", PATHS)
async def test_a_lookup_that_fails_then_succeeds_counts_the_real_fill(path: str) -> None:
    w = await world()
    venue = failing(w, path, after=RequestTimeout("no answer", venue="v"))

    class FailsOnce(NetworkError):
        pass

    venue.lookup_error = FailsOnce("blip", venue="v")

    async def heal() -> None:
        await w.clock.sleep(0.5)  # before the second lookup, one second later
        venue.lookup_error = None

    healing = asyncio.ensure_future(heal())
    service = await traded(w)
    await healing
    assert service.halted is None
    assert flat(w)


async def test_a_rebalancing_order_that_fails_before_sending_spends_an_attempt_not_the_tick(
) -> None:
    w = await world()
    w.beta.fault(1, before=InsufficientFunds("BTC short", venue="beta"))
    # alpha's book fetch 1 is the tick's quotes; 2 and 3 the unwind's: both crash
    w.alpha.book_faults = {2: RuntimeError("book parser crashed"), 3: KeyError("asks")}
    errors = ConsecutiveErrorsSwitch(ConsecutiveErrorsArgs(max_errors=5), context("e", w.clock))
    with structlog.testing.capture_logs() as logs:
        service = await traded(w, recovery_attempts=2, kill_switches=[errors])  # no raise
    (execution,) = service.executions
    assert execution.corrections == ()
    assert len(w.alpha.requests) == 1  # the buy leg only
    assert service.halted is not None
    assert "0.05 BTC" in service.halted
    assert errors.errors == 1  # the tick counts as failed
    failed = [(line["attempt"], line["error"], line["sent"]) for line in logs
              if line["event"] == "arbitrage rebalance failed"]
    assert failed == [(1, "RuntimeError: book parser crashed", False),
                      (2, "KeyError: 'asks'", False)]


@pytest.mark.parametrize("path", PATHS)
async def test_a_forced_stop_with_an_order_in_flight_halts_with_it_named_and_stops(
    path: str,
) -> None:
    w = await world()
    open_gap(w)
    venue = w.beta if path == "leg" else w.alpha
    if path == "rebalance":
        w.beta.fault(1, before=InsufficientFunds("BTC short", venue="beta"))
    service = await w.service(leg_failure_policy="unwind")
    stall = asyncio.Event()
    sent = 1 if path == "leg" else 2
    with structlog.testing.capture_logs() as logs:
        task = asyncio.ensure_future(service.tick())
        for _ in range(1000):
            await asyncio.sleep(0)
            if len(venue.requests) == sent - 1 and venue.stall is None:
                venue.stall = stall  # the next order placed hangs in flight
            if len(venue.requests) == sent:
                break
        assert len(venue.requests) == sent
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    in_flight = venue.requests[-1].client_order_id
    assert in_flight is not None
    assert service.halted is not None
    assert in_flight in service.halted
    (halt,) = [line for line in logs if line["event"] == "arbitrage halted outcome unknown"]
    assert [o["client_order_id"] for o in halt["orders"]] == [in_flight]
    (execution,) = service.executions
    assert execution.unknown


class NameBreaksWhenTrading(CexAdapter):
    """An adapter whose venue name breaks once it has sent an order (a bug in an adapter)."""

    broken = False

    @property
    def venue(self) -> str:
        if self.broken:
            raise RuntimeError("venue name lookup broke")
        return super().venue

    async def trade(self, side: Side, amount: Decimal, *, limit_price: Decimal | None = None,
                    client_order_id: str | None = None) -> TradeResult:
        self.broken = True
        return await super().trade(side, amount, limit_price=limit_price,
                                   client_order_id=client_order_id)


async def test_a_failure_of_the_settlement_itself_halts_with_the_open_order_unknown() -> None:
    w = await world()
    open_gap(w)
    w.beta.fault(1, after=RequestTimeout("no answer", venue="beta"))
    broken = NameBreaksWhenTrading(CexAdapterArgs(exchange=w.beta, symbol="BTC/USDC"),
                                   context("b", w.clock))
    await broken.load()
    service = await w.service(exchange_b=broken)
    with pytest.raises(RuntimeError, match="venue name lookup broke"):
        await service.tick()
    assert service.halted is not None
    assert "halted_unknown" in service.halted  # the sell leg was in flight
    broken.broken = False
    await service.tick()
    assert len(w.alpha.requests) == 1  # halted: nothing more sent
