"""Metrics: collectors that sample a mandate's venues and fills into sinks.

- ``metrics.balances``: free, used and total per currency of an exchange.
- ``metrics.spread``: best bid and ask (with amounts), mid, spread and spread in bps.
- ``metrics.depth``: per band around mid (in bps), base amount and quote notional per side.
- ``metrics.fills``: every fill a :class:`~schemas.metrics.FillSource` (an executor)
  reports, read by cursor, stored once in every sink even after a sink failed for a while.

Each collector ticks in the background on the graph's clock (a :class:`fortuna.Ticker`
started on load, stopped on unload) and writes each sample to all its sinks concurrently;
one failing sink never keeps the records from the others. Amounts read from a venue are
stored as they are; derived values (mid, spread in bps, notionals) are quantized to the
column's 18 places, half to even, with arithmetic in a 100-digit context.
"""
