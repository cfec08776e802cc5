"""An order whose outcome is unknown is looked up by its client order id before the
executor trades on; a refused one is not (exchanges.sim's injected timeouts, which take
effect one time in two for a placement or a cancel)."""

from __future__ import annotations

import contextlib
import re
from decimal import Decimal

import pytest

from fortuna import Context, VirtualClock
from plugins.exchanges.sim.venue import SimExchange
from plugins.market_making.executors._outcome import refused
from plugins.market_making.executors.exchange import ExchangeExecutor, ExchangeExecutorArgs
from plugins.market_making.risk import PreTradeLimits
from schemas import (
    AuthenticationError,
    BadSymbol,
    ExchangeError,
    ExchangeUnavailable,
    InsufficientFunds,
    InvalidOrder,
    NetworkError,
    NotSupported,
    Order,
    OrderRejected,
    OrderRequest,
    RateLimited,
    RequestTimeout,
    Side,
)
from schemas.market_making import DesiredQuote, ExecutionReport
from tests.sim.helpers import STATIC, SYMBOL, new_clock, venue

D = Decimal
PREFIX = "mm_outcome"
_UNKNOWN = re.compile(r"outcome unknown .*client order id (\S+)$")


class CountingExecutor(ExchangeExecutor):
    """The exchange executor, counting the placements it sends."""

    sent = 0

    async def place(self, request: OrderRequest) -> Order:
        self.sent += 1
        return await super().place(request)


async def _executor(clock: VirtualClock, sim: SimExchange) -> CountingExecutor:
    executor = CountingExecutor(ExchangeExecutorArgs(), Context(name="executor", clock=clock))
    executor.bind(exchange=sim, market=await sim.market(SYMBOL), prefix=PREFIX, venue="sim")
    return executor


def _ladder(offset: int) -> list[DesiredQuote]:
    """Two bids and two asks around 100, ``offset`` cents further out each round, so every
    round replaces every order."""
    cents = D(offset) / 100
    return [
        DesiredQuote(Side.BUY, D("99.50") - cents, D("0.1")),
        DesiredQuote(Side.BUY, D("99.40") - cents, D("0.1")),
        DesiredQuote(Side.SELL, D("100.50") + cents, D("0.1")),
        DesiredQuote(Side.SELL, D("100.60") + cents, D("0.1")),
    ]


async def _own_open(sim: SimExchange) -> set[str]:
    """Ids of the mandate's open orders on the venue, asked again past injected faults."""
    for _ in range(100):
        try:
            orders = await sim.fetch_open_orders(SYMBOL)
        except ExchangeError:
            continue
        return {o.id for o in orders if (o.client_order_id or "").startswith(f"{PREFIX}-")}
    raise AssertionError("the venue never answered")


def _unknown_ids(report: ExecutionReport) -> list[str]:
    return [m.group(1) for e in report.errors if (m := _UNKNOWN.search(e)) is not None]


@pytest.mark.parametrize(
    "error",
    [InvalidOrder("x"), OrderRejected("x"), InsufficientFunds("x"), AuthenticationError("x"),
     BadSymbol("x"), NotSupported("x"), RateLimited("x")],
)
def test_a_venue_refusal_is_a_known_outcome(error: Exception) -> None:
    assert refused(error)


@pytest.mark.parametrize(
    "error",
    [RequestTimeout("x"), NetworkError("x"), ExchangeUnavailable("x"), ExchangeError("x"),
     RuntimeError("a bug reading the answer"), KeyError("id")],
)
def test_any_other_failure_after_sending_is_an_unknown_outcome(error: Exception) -> None:
    assert not refused(error)


async def test_every_order_resting_on_the_venue_is_known_after_each_round_of_timeouts() -> None:
    clock = new_clock()
    sim = await venue(clock, faults={"timeout_rate": D("0.3"), "timeout": "1s"}, **STATIC)
    executor = await _executor(clock, sim)
    found_placed: list[str] = []
    for offset in range(40):
        with contextlib.suppress(ExchangeError):  # a sync that times out: trade on as is
            await executor.sync()
        report = await executor.execute(_ladder(offset % 5), D(100), PreTradeLimits())
        on_venue = await _own_open(sim)
        resting = {o.id: o for o in executor.resting}
        if not executor.unresolved:
            # nothing rests on the venue that the executor does not know of
            assert on_venue <= set(resting), (offset, report.errors)
        cids = {o.client_order_id for o in resting.values()}
        found_placed += [cid for cid in _unknown_ids(report) if cid in cids]
    assert found_placed, "no placement timed out after taking effect: the test proves nothing"


async def test_nothing_more_is_sent_while_an_unknown_outcome_cannot_be_looked_up() -> None:
    clock = new_clock()
    sim = await venue(clock, faults={"timeout_rate": D(1), "timeout": "1s"}, **STATIC)
    executor = await _executor(clock, sim)
    first = await executor.execute(_ladder(0), D(100), PreTradeLimits())
    assert executor.sent == 4
    assert len(executor.unresolved) == 4
    assert any("not looked up" in error for error in first.errors)
    second = await executor.execute(_ladder(1), D(100), PreTradeLimits())
    assert executor.sent == 4  # not one more order
    assert (second.placed, second.cancelled) == ([], [])
    assert any("nothing is sent until they are" in error for error in second.errors)


async def test_a_placement_the_venue_refused_is_reported_and_not_looked_up() -> None:
    clock = new_clock()
    sim = await venue(clock, balances={"USDT": D("1"), "BTC": D("0")}, **STATIC)
    executor = await _executor(clock, sim)
    report = await executor.execute(_ladder(0)[:1], D(100), PreTradeLimits())
    assert executor.unresolved == []
    assert report.placed == []
    assert len(report.errors) == 1
    assert "InsufficientFunds" in report.errors[0]
    assert "outcome unknown" not in report.errors[0]
