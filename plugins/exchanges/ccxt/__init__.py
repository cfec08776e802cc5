"""Every exchange ccxt ships, as ``exchanges.ccxt.<id>``, with exact decimals throughout.

Modules (each small, none imports ccxt at module level):
    family.py        the ``exchanges.ccxt.*`` family: ids from the installed ccxt, no import
    args.py          the args every member shares
    capabilities.py  what each tuned venue does natively, emulates, or lacks
    exact.py         the exact-number ccxt subclass (strings in, strings out)
    convert.py       ccxt structures -> schemas models, Decimal in every field
    errors.py        ccxt's exception hierarchy -> schemas errors (retryable or not)
    component.py     the component: retries, quantization, client order ids, emulations
    venues.py        the tuned venues, one small subclass each
    table.py         the capability table of docs/ccxt_capabilities.md, from venues.py
"""
