"""Every exchange ccxt ships, as ``exchanges.ccxt.<id>``, with exact decimals throughout.

Modules (each small, none imports ccxt at module level):
    family.py        the ``exchanges.ccxt.*`` family: ids from the installed ccxt, no import
    args.py          the args every member shares
    capabilities.py  what each tuned venue does natively, emulates, or lacks
    exact.py         the exact-number ccxt subclass (strings in, strings out)
    convert.py       ccxt structures -> schemas models, Decimal in every field
    book.py          the order book, the layer's hot path
    markets.py       ccxt markets and their three precision modes -> schemas.Market
    guard.py         untrusted answers: a record dropped with a log line, or a contract error
    errors.py        ccxt's exception hierarchy -> schemas errors (retryable or not)
    transport.py     calls into ccxt: errors translated, reads retried, writes sent once
    emulation.py     open/closed orders and cancel-all, native or emulated per the profile
    client_ids.py    the client order ids placed this session: bounded, indexed both ways
    wire.py          an order on ccxt's side of the wire (plain decimal text)
    _loaded.py       the loaded session, load/unload, the venue's records of our orders
    _reads.py        the market-data calls (streams when fresh, else REST)
    _orders.py       the order path: create (looked up after a failure), cancel, account
    component.py     the component: CcxtExchange, the Exchange contract over those parts
    venues.py        the tuned venues, one small subclass each
    table.py         the capability table of docs/ccxt_capabilities.md, from venues.py
"""
