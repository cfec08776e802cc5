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
and ``_orders`` (balances, orders, fills, trading); this module only names the result, so
that ``plugins.exchanges.sim.venue:SimExchange`` stays the entry point.
"""

from __future__ import annotations

from plugins.exchanges.sim._market_data import MarketDataAnswers
from plugins.exchanges.sim._orders import AccountAnswers
from plugins.exchanges.sim._records import timeframe_seconds as timeframe_seconds

__all__ = ["SimExchange"]


class SimExchange(MarketDataAnswers, AccountAnswers):
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
