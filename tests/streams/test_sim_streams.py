"""The simulated venue's streams: a rehearsal requotes on pushed updates, on the clock."""

from __future__ import annotations

from typing import Any

import pytest

from plugins.market_making.executors.exchange import ExchangeExecutor
from schemas import BadSymbol
from schemas.streams import UpdateKind
from tests.market_making.mandates import ladder, mandate, session, sim

BUSY = {"trade_rate": "5", "volatility": "0.002", "step": "1s"}


def rehearsal(stream: bool, **service: Any) -> dict[str, Any]:
    return mandate(ladder(levels=1, spread="0.001", amount="0.1"),
                   venue=sim(stream=stream, **BUSY),
                   interval="1h", **service)


async def test_a_fill_reaches_the_executor_on_the_virtual_clock_without_a_tick() -> None:
    async with session(rehearsal(True, requote_on=["fill"], min_requote_interval="1s")) as s:
        executor = s.graph["executor"]
        assert isinstance(executor, ExchangeExecutor)
        await s.mm.tick()
        ticks = s.mm.ticks
        await s.graph.clock.sleep(120)
        assert len(executor.journal.since(0).fills) >= 1
        assert s.mm.requotes >= 1
        assert s.mm.ticks == ticks + s.mm.requotes  # every quote since came from a requote


async def test_without_streams_the_same_rehearsal_waits_for_its_tick() -> None:
    async with session(rehearsal(False, requote_on=["fill"], min_requote_interval="1s")) as s:
        await s.mm.tick()
        ticks = s.mm.ticks
        await s.graph.clock.sleep(120)
        assert s.mm.requotes == 0
        assert s.mm.ticks == ticks


async def test_requotes_are_spaced_by_the_minimum_interval() -> None:
    async with session(rehearsal(True, requote_on=["book", "fill"],
                                 min_requote_interval="10s")) as s:
        await s.mm.tick()
        await s.graph.clock.sleep(100)
        assert 1 <= s.mm.requotes <= 11


async def test_a_book_move_is_pushed_to_a_subscriber() -> None:
    async with session(rehearsal(True)) as s:
        updates = s.venue.updates("BTC/USDT", frozenset({UpdateKind.BOOK}))
        assert updates is not None
        kinds = await updates.next()
        assert kinds == [UpdateKind.BOOK]
        updates.close()


async def test_updates_of_a_market_the_venue_does_not_list_are_refused() -> None:
    async with session(rehearsal(True)) as s:
        with pytest.raises(BadSymbol):
            s.venue.updates("ETH/USDT", frozenset({UpdateKind.BOOK}))


async def test_a_venue_without_streams_offers_no_updates() -> None:
    async with session(rehearsal(False)) as s:
        assert s.venue.updates("BTC/USDT", frozenset({UpdateKind.BOOK})) is None
