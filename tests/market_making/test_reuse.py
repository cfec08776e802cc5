"""A tick reuses a step's last result only for the very same inputs, and then it is what
the step computes: the desired quotes, the reconciliation, whose orders are the mandate's."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from fortuna import Context, VirtualClock
from plugins.exchanges.sim.venue import SimExchange
from plugins.market_making._desired import DesiredQuotes
from plugins.market_making._funding import fit_to_balances
from plugins.market_making._quoting import quantize_quotes
from plugins.market_making.executors.exchange import ExchangeExecutor, ExchangeExecutorArgs
from plugins.market_making.risk import PreTradeLimits
from schemas import Balance, Balances, Market, Order, OrderRequest, Side
from schemas.market_making import DesiredQuote
from tests.sim.helpers import STATIC, SYMBOL, new_clock, venue

D = Decimal
BUY, SELL = Side.BUY, Side.SELL
MARKET = Market(symbol=SYMBOL, price_increment=D("0.01"), amount_increment=D("0.001"),
                min_amount=D("0.01"), maker_fee=D("0.001"), taker_fee=D("0.002"))
NOW = datetime(2026, 1, 1, tzinfo=UTC)
QUOTES = [DesiredQuote(BUY, D("99.504"), D("1.0009")), DesiredQuote(BUY, D("99.4"), D("1")),
          DesiredQuote(SELL, D("100.496"), D("1")), DesiredQuote(SELL, D("100.6"), D("2"))]


def balances(base: str, quote: str) -> Balances:
    return Balances.of([Balance(currency="BTC", free=D(base)),
                        Balance(currency="USDT", free=D(quote))])


def order(side: str, price: str, amount: str) -> Order:
    return Order(id=f"{side}{price}", client_order_id=f"mm-x-{side}{price}", symbol=SYMBOL,
                 side=side, price=D(price), amount=D(amount), timestamp=NOW)


def plain(quotes: list[DesiredQuote], funds: Balances, resting: list[Order]
          ) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """What quantizing then funding compute, each number with its text."""
    on_grid, dropped = quantize_quotes(quotes, MARKET)
    kept, unfunded = fit_to_balances(on_grid, funds, MARKET, resting)
    return written(kept), [(*quote, reason) for quote, reason in [*dropped, *unfunded]]


def written(quotes: list[DesiredQuote]) -> list[tuple[object, ...]]:
    return [(*quote, str(quote.price), str(quote.amount)) for quote in quotes]


def test_the_same_quotes_and_orders_on_the_next_tick_give_what_the_steps_compute() -> None:
    desired = DesiredQuotes(MARKET)
    funds, resting = balances("10", "1000"), [order("buy", "99.00", "1")]
    for _ in range(3):
        kept, dropped = desired.funded(list(QUOTES), funds, resting)
        assert (written(kept), [(*q, r) for q, r in dropped]) == plain(QUOTES, funds, resting)


def test_balances_that_no_longer_fund_the_same_quotes_trim_them() -> None:
    desired = DesiredQuotes(MARKET)
    resting = [order("sell", "101.00", "1")]
    desired.funded(QUOTES, balances("10", "1000"), resting)
    short = balances("1.5", "120")
    kept, dropped = desired.funded(QUOTES, short, resting)
    assert (written(kept), [(*q, r) for q, r in dropped]) == plain(QUOTES, short, resting)
    assert written(kept) != written(quantize_quotes(QUOTES, MARKET)[0])  # they are cut


def test_a_new_resting_order_changes_the_funding_of_the_same_quotes() -> None:
    desired = DesiredQuotes(MARKET)
    funds = balances("1", "150")
    first = desired.funded(QUOTES, funds, [])
    locked = [order("sell", "101.00", "2"), order("buy", "98.00", "1")]
    second = desired.funded(QUOTES, funds, locked)
    assert (written(second[0]), [(*q, r) for q, r in second[1]]) == plain(QUOTES, funds, locked)
    assert written(second[0]) != written(first[0])


def test_equal_quotes_written_differently_are_quantized_afresh() -> None:
    desired = DesiredQuotes(MARKET)
    desired.quantized([DesiredQuote(BUY, D("99.5"), D("1"))])
    quotes, _ = desired.quantized([DesiredQuote(BUY, D("99.500"), D("1.0"))])
    assert written(quotes) == written(quantize_quotes(
        [DesiredQuote(BUY, D("99.500"), D("1.0"))], MARKET)[0])


async def _bound(clock: VirtualClock, sim: SimExchange, prefix: str = "mm_reuse"
                 ) -> ExchangeExecutor:
    executor = ExchangeExecutor(ExchangeExecutorArgs(), Context(name="executor", clock=clock))
    executor.bind(exchange=sim, market=await sim.market(SYMBOL), prefix=prefix, venue="sim")
    return executor


def _ladder() -> list[DesiredQuote]:
    return [DesiredQuote(BUY, D("99.50"), D("0.1")), DesiredQuote(SELL, D("100.50"), D("0.1"))]


async def test_an_order_gone_from_the_venue_is_placed_again_for_the_same_quotes() -> None:
    clock = new_clock()
    sim = await venue(clock, **STATIC)
    executor = await _bound(clock, sim)
    quotes = _ladder()
    await executor.execute(quotes, D(100), PreTradeLimits())
    await executor.sync()
    kept = await executor.execute(quotes, D(100), PreTradeLimits())
    assert (kept.kept, kept.placed, kept.cancelled) == (2, [], [])
    gone = next(o for o in executor.resting if o.side is BUY)
    await sim.cancel_order(gone.id, SYMBOL)
    await executor.sync()
    again = await executor.execute(quotes, D(100), PreTradeLimits())
    assert (again.kept, [(o.side, o.price) for o in again.placed]) == (1, [(BUY, D("99.50"))])


async def test_an_order_of_another_mandate_is_never_taken_as_own_on_later_syncs() -> None:
    clock = new_clock()
    sim = await venue(clock, **STATIC)
    executor = await _bound(clock, sim)
    other = await _bound(clock, sim, prefix="mm_reuse_other")
    await sim.create_order(OrderRequest(
        symbol=SYMBOL, side=BUY, type="limit", amount=D("0.1"), price=D("99"),
        client_order_id=other.next_client_id()))
    await executor.execute(_ladder(), D(100), PreTradeLimits())
    for _ in range(3):
        await executor.sync()
        assert sorted(o.price for o in executor.resting if o.price) == [D("99.50"), D("100.50")]
