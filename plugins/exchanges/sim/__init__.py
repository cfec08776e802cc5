"""The simulated venue (``exchanges.sim``) and its shared price process
(``exchanges.sim.prices``).

Modules: ``_walk`` the seeded integer-tick price path; ``prices`` the shared process
component and its interface; ``_args`` the venue's args; ``_checks`` its checks of a
mandate; ``_ledger`` balances; ``_book`` the mandate's orders and book sides; ``_account``
fills and fees; ``_synthetic`` one market's synthetic book, price in ticks and public
trades; ``_engine`` the matching of the mandate's orders against it; ``_faults`` injected
failures; ``_records`` timeframes and history selection; ``_core`` the venue's loading and
the steps every call takes; ``_market_data`` and ``_orders`` its market-data and account
answers; ``venue`` the component assembled from them. Import cost is pydantic and the
standard library only.
"""

from plugins.exchanges.sim._args import Outage, SimArgs, SimFaults, SimMarketSpec
from plugins.exchanges.sim.prices import PriceProcess, SeriesSpec, SimPriceProcess, SimPricesArgs
from plugins.exchanges.sim.venue import SimExchange

__all__ = [
    "Outage",
    "PriceProcess",
    "SeriesSpec",
    "SimArgs",
    "SimExchange",
    "SimFaults",
    "SimMarketSpec",
    "SimPriceProcess",
    "SimPricesArgs",
]
