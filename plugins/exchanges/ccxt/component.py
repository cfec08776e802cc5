"""The component behind every ``exchanges.ccxt.<id>``: ccxt with exact numbers and rules.

The Exchange contract on top of small parts, one job each:

- :mod:`_loaded`: the venue's choices (profile, options, client order id format, error
  tables), ``load`` and ``unload``, and the one :class:`~_loaded.Session` that holds what
  exists only while loaded (the ccxt instance, the parts below, the markets);
- :mod:`_reads`: the market-data calls, from the streams when fresh, else REST;
- :mod:`_orders`: the order path: quantized orders as plain decimal text, a creation never
  retried but looked up by its client order id after a retryable failure (never guessed);
- :mod:`transport`: calls into ccxt, every failure a :mod:`schemas` error (refined by the
  venue's own codes, :mod:`errors`), reads retried with backoff, writes sent once;
- :mod:`emulation`: open orders, closed orders and cancel-all, native or emulated as the
  venue's :class:`~capabilities.Profile` says;
- :mod:`client_ids`: the client order ids this session placed, bounded, indexed both ways;
- :mod:`convert`, :mod:`book`, :mod:`markets` and :mod:`guard`: ccxt structures to exact
  models, what cannot be held dropped with a log line or refused as a contract error.

A tuned venue (:mod:`venues`) is a subclass of :class:`CcxtExchange` that overrides the
class-level choices and the hooks of the order path (``order_params``,
``client_order_id_params``, ``client_id_from_venue``, ``find_order_by_client_id``).
"""

from __future__ import annotations

from plugins.exchanges.ccxt._loaded import Session
from plugins.exchanges.ccxt._orders import OrderPath
from plugins.exchanges.ccxt._reads import MarketReads

__all__ = ["CcxtExchange", "Session"]


class CcxtExchange(MarketReads, OrderPath):
    """An exchange through ccxt, with exact decimals, quantized orders and mapped errors."""
