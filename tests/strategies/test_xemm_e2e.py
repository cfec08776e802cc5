"""Cross-venue hedged quoting end to end: two exchanges.sim venues on one price process,
the virtual clock, the real container."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from structlog.testing import capture_logs

from fortuna import Graph, run, start
from plugins.exchanges.sim.venue import SimExchange
from plugins.market_making.xemm import Xemm
from schemas import ExchangeError, Side

D = Decimal
SYMBOL = "BTC/USDT"
AMOUNT = D("0.1")
XEMM_CONFIG = Path(__file__).resolve().parents[2] / "configs" / "market_making" / "xemm.yaml"


def spec(*, taker_btc: str = "10", taker: dict[str, Any] | None = None,
         **xemm: Any) -> dict[str, Any]:
    venue = {"markets": [{"symbol": SYMBOL, "amount_increment": "0.001"}],
             "prices": "@prices", "history": 100_000}
    return {"service": "@xemm", "components": {
        "clock": {"id": "clock.virtual"},
        "prices": {"id": "exchanges.sim.prices",
                   "args": {"seed": 3, "volatility": 3, "series": {SYMBOL: {"price": 100}}}},
        "maker": {"id": "exchanges.sim", "args": {
            **venue, "venue": "maker", "seed": 1, "trade_rate": 2,
            "balances": {"BTC": "10", "USDT": "10000"}}},
        "taker": {"id": "exchanges.sim", "args": {
            **venue, "venue": "taker", "seed": 2,
            "balances": {"BTC": taker_btc, "USDT": "10000"}, **(taker or {})}},
        "xemm": {"id": "market_making.xemm", "args": {
            "maker": "@maker", "taker": "@taker", "symbol": SYMBOL, "amount": str(AMOUNT),
            "min_profitability": "0.0005", "mandate": "xm", "interval": "1s", **xemm}},
    }}


@contextlib.asynccontextmanager
async def running(config: dict[str, Any]) -> AsyncIterator[tuple[Graph, Xemm]]:
    async with start(config) as graph:
        service = graph["xemm"]
        assert isinstance(service, Xemm)
        await service.on_start()
        yield graph, service


async def base_held(graph: Graph) -> Decimal:
    total = D(0)
    for name in ("maker", "taker"):
        venue = graph[name]
        assert isinstance(venue, SimExchange)
        for _ in range(20):
            with contextlib.suppress(ExchangeError):
                total += (await venue.fetch_balances()).total("BTC")
                break
    return total


async def own_open(graph: Graph, mandate: str = "xm") -> list[Any]:
    venue = graph["maker"]
    assert isinstance(venue, SimExchange)
    return [o for o in await venue.fetch_open_orders(SYMBOL)
            if (o.client_order_id or "").startswith(f"{mandate}-")]


async def test_hedged_quoting_keeps_net_inventory_within_one_hedge_size() -> None:
    with capture_logs() as logs:
        async with running(spec()) as (graph, xemm):
            start_held = await base_held(graph)
            worst = D(0)
            for _ in range(400):
                worst = max(worst, abs(await base_held(graph) - start_held))
                await xemm.tick()
                worst = max(worst, abs(await base_held(graph) - start_held))
                await graph.clock.sleep(1.0)
    assert len([e for e in logs if e["event"] == "maker fill"]) >= 5
    assert D(0) < worst <= AMOUNT
    assert not xemm.halted


async def test_every_maker_fill_is_hedged_on_the_taker() -> None:
    with capture_logs() as logs:
        async with running(spec()) as (graph, xemm):
            for _ in range(400):
                await xemm.tick()
                await graph.clock.sleep(1.0)
    maker_fills = [e for e in logs if e["event"] == "maker fill"]
    assert maker_fills, "the rehearsal filled no maker quote"
    assert abs(xemm.ledger.exposure) < D("0.001")
    bought = sum((e["amount"] for e in maker_fills if e["side"] == "buy"), D(0))
    sold = sum((e["amount"] for e in maker_fills if e["side"] == "sell"), D(0))
    assert xemm.ledger.hedged == sold - bought


async def test_the_maker_quotes_stand_beyond_the_taker_book_by_the_minimum_profitability(
) -> None:
    async with running(spec()) as (graph, xemm):
        await xemm.tick()
        taker = graph["taker"]
        assert isinstance(taker, SimExchange)
        book = await taker.fetch_order_book(SYMBOL, 1)
        quotes = {o.side: o.price for o in await own_open(graph)}
        assert quotes[Side.BUY] <= book.bids[0].price * (1 - D("0.0005"))
        assert quotes[Side.SELL] >= book.asks[0].price * (1 + D("0.0005"))


async def test_a_failing_hedge_venue_halts_with_the_exposure_reported_exactly() -> None:
    # The taker holds no BTC: the hedge of a maker buy is refused every time.
    with capture_logs() as logs:
        async with running(spec(taker_btc="0", hedge_attempts=3)) as (graph, xemm):
            start_held = await base_held(graph)
            for _ in range(600):
                await xemm.tick()
                if xemm.halted:
                    break
                await graph.clock.sleep(1.0)
            assert xemm.halted
            assert await own_open(graph) == []
            held = await base_held(graph) - start_held
    halt = next(e for e in logs if e["event"] == "hedging failed: mandate halted")
    assert xemm.exposure is not None
    assert xemm.exposure > 0
    assert halt["exposure"] == xemm.exposure == xemm.ledger.maker + xemm.ledger.hedged
    assert "3 hedge attempts in a row" in halt["reason"]
    # what the venues hold agrees with the reported exposure, up to the maker's base fees
    assert abs(held - xemm.exposure) <= xemm.exposure * D("0.001")


async def test_quotes_are_pulled_when_the_taker_book_cannot_be_read() -> None:
    outage = {"faults": {"outages": [{"start": "5s", "duration": "1h"}]}}
    async with running(spec(taker=outage)) as (graph, xemm):
        failures = 0
        for _ in range(10):
            try:
                await xemm.tick()
            except ExchangeError:
                failures += 1
            await graph.clock.sleep(1.0)
        assert failures > 0
        assert await own_open(graph) == []


async def test_the_shipped_xemm_mandate_rehearses_on_two_simulated_venues() -> None:
    graph = await run(XEMM_CONFIG, duration=900)
    service = graph.service
    assert isinstance(service, Xemm)
    assert not service.halted
    assert abs(service.ledger.exposure) < D("0.0001")
    assert await own_open(graph, "xemm_btc") == []
