"""Websocket streams for ``exchanges.ccxt.<id>`` (ccxt.pro), with REST as the fallback.

Modules (none imports ccxt at module level; ``settings`` is all validation needs):
    settings.py     the ``stream`` arg: which kinds are streamed, staleness, reconnect backoff
    exact_books.py  streamed book levels held as exact Decimal (ccxt.pro would use floats)
    hub.py          one account's watchers: live/stale/dropped, reconnects, resyncs, waiters
    own.py          the account's orders and fills from stream and REST, merged (pure)
    reads.py        what the exchange serves from the streams, or declines for REST
"""
