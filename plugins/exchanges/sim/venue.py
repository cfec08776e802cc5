"""``exchanges.sim``: the simulated venue, a real in-process implementation of ``Exchange``.

Every call first waits the configured latency on the component's clock, then may fail as
the fault settings say, then replays the synthetic market up to the clock's ``now`` (price
steps and public trades, filling the mandate's resting orders they reach; see
:mod:`plugins.exchanges.sim._engine`), and only then does its work. Nothing runs in the
background: on the virtual clock a rehearsal costs only the calls it makes.

Orders are checked like a real venue checks them, never silently fixed: a price off the
tick or an amount off the step is refused (``OrderRejected``, code ``precision``), as are
amounts or values under the market's minimums (the codes of ``Market.check_order``). A
client that calls ``check_order`` first gets the quantized request that will pass.

The component is assembled from private modules with one job each: ``_core`` (loading,
the steps every call takes, metadata), ``_market_data`` (book, ticker, trades, candles)
and ``_orders`` (balances, orders, fills, trading), and ``_streams`` (updates pushed on the
clock, with ``stream: true``); this module only names the result, so
that ``plugins.exchanges.sim.venue:SimExchange`` stays the entry point.
"""

from __future__ import annotations

from plugins.exchanges.sim._market_data import MarketDataAnswers
from plugins.exchanges.sim._orders import AccountAnswers
from plugins.exchanges.sim._records import timeframe_seconds as timeframe_seconds
from plugins.exchanges.sim._streams import SimStreams
from schemas.streams import UpdateKind, Updates, UpdateSource

__all__ = ["SimExchange"]


class SimExchange(MarketDataAnswers, AccountAnswers, UpdateSource):
    """In-process simulated venue: seeded synthetic market, matching, fees, latency, faults.

    The mandate's orders are matched in price-time priority against a synthetic book built
    around a seeded price path (its own, or a shared ``exchanges.sim.prices`` process with
    this venue's ``price_offset``) and against synthetic public trades; balances move with
    every fill, net of maker or taker fees charged in quote (or in a market's fee token, a
    third currency, while the account holds enough of it). Orders off the tick or step or
    under the minimums are refused, never rounded. Deterministic for a seed; runs on the
    graph's clock, so a rehearsal on ``clock.virtual`` runs as fast as the CPU allows.
    """

    semantic_checks = ("plugins.exchanges.sim._checks:listed",)

    _streams: SimStreams | None = None

    async def load(self) -> None:
        await super().load()
        if self.args.stream:
            self._streams = SimStreams(self._engines, self._account, self.clock,
                                       self.args.stream_interval)

    async def unload(self) -> None:
        streams, self._streams = self._streams, None
        if streams is not None:
            await streams.close()
        await super().unload()

    def updates(self, symbol: str, kinds: frozenset[UpdateKind]) -> Updates | None:
        """Pushed updates of ``symbol`` (``stream: true``; ``BadSymbol`` for a market
        the venue does not list), or None without streams (:mod:`._streams`)."""
        if self._streams is None:
            return None
        self._engine(symbol)
        return self._streams.subscribe(symbol, kinds)
