"""The exact-number layer: a ccxt exchange class that never turns a price into a float.

Why this design (each point verified against the installed ccxt, see docs/ccxt_capabilities.md):

1. ``exchange.number = Decimal`` is not usable. ccxt reads a market's precision with
   ``safe_string``, which does not recognise a ``Decimal``; a Decimal precision therefore
   reads as *missing*, and ``create_order`` (binance, among others) falls back to
   ``parse_to_numeric(amount)``: the unrounded value goes on the wire, as a float.
2. Order book levels are parsed with ``safe_float`` whatever ``number`` says, so a book
   comes back as floats in every mode.

So the layer sets ``number = str``: every value ccxt parses through ``safe_number`` stays
the exact text the venue sent (precision, limits, balances, orders, trades, tickers), and
:mod:`convert` turns that text into ``Decimal``. Book levels are parsed with
``safe_string`` by overriding the two level parsers, and a side whose every value is a
text (what venues send) is taken in one pass, as those parsers would give it. Prices and
amounts are quantized by Fortuna (``Market.check_order``) before ccxt sees them and are
passed as strings; ccxt's own ``price_to_precision``/``amount_to_precision`` return such
a string unchanged, because re-rounding an already exact multiple could only go wrong
(``DECIMAL_PLACES`` venues assert on a string precision; ``ROUND`` would move a sell price
the wrong way).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["ORIGIN", "exact_class", "original_url", "redirect", "redirect_urls"]

_CLASSES: dict[str, type[Any]] = {}

ORIGIN = re.compile(r"^[a-z][a-z0-9+.-]*://[^/]+", re.IGNORECASE)


def exact_class(exchange_id: str, *, pro: bool = False) -> type[Any]:
    """The async ccxt class of ``exchange_id`` with the exact-number overrides; with
    ``pro``, its websocket (ccxt.pro) class, whose streamed books hold exact levels too
    (:mod:`plugins.exchanges.ccxt.streams.exact_books`)."""
    key = f"pro:{exchange_id}" if pro else exchange_id
    cached = _CLASSES.get(key)
    if cached is not None:
        return cached
    if pro:
        import ccxt.pro as ccxt_module
    else:
        import ccxt.async_support as ccxt_module

    base: type[Any] | None = getattr(ccxt_module, exchange_id, None)
    if base is None:
        from schemas import NotSupported

        raise NotSupported(f"{exchange_id} has no websocket streams in ccxt (ccxt.pro): "
                           "turn its `stream` settings off", venue=exchange_id)

    def parse_order_book_bid_ask(
        self: Any, bidask: Any, price_key: Any = 0, amount_key: Any = 1, count_key: Any = 2
    ) -> list[Any]:
        return [self.safe_string(bidask, price_key), self.safe_string(bidask, amount_key)]

    def parse_order_book_bid_ask_l3(
        self: Any, bidask: Any, price_key: Any = 0, amount_key: Any = 1, count_key: Any = 2
    ) -> list[Any]:
        return [self.safe_string(bidask, price_key), self.safe_string(bidask, amount_key)]

    def parse_order_book_bids_asks(
        self: Any, bidasks: Any, price_key: Any = 0, amount_key: Any = 1, count_key: Any = 2
    ) -> list[Any]:
        texts = _texts(self.to_array(bidasks), price_key, amount_key)
        if texts is not None:
            return texts
        parsed: list[Any] = base.parse_order_book_bids_asks(self, bidasks, price_key,
                                                            amount_key, count_key)
        return parsed

    def price_to_precision(self: Any, symbol: Any, price: Any) -> Any:
        if isinstance(price, str):
            return price
        return base.price_to_precision(self, symbol, price)

    def amount_to_precision(self: Any, symbol: Any, amount: Any) -> Any:
        if isinstance(amount, str):
            return amount
        return base.amount_to_precision(self, symbol, amount)

    def sort_by(array: Any, key: Any, descending: bool = False, default: Any = 0) -> Any:
        # ccxt sorts book levels by price; on string prices that would be a textual sort
        # ("10" < "9"). Such lists are left as the venue sent them: :func:`book.order_book`
        # sorts the levels on their exact Decimal prices.
        if array and isinstance(key, int) and isinstance(array[0], list):
            first = array[0][key] if len(array[0]) > key else None
            if isinstance(first, str):
                return array
        return base.sort_by(array, key, descending, default)

    def handle_errors(self: Any, code: Any, reason: Any, url: Any, *rest: Any) -> Any:
        # Venues pick error tables by URL (binance: spot vs futures hosts); behind a
        # redirected origin, hand ccxt the URL it would have called.
        return base.handle_errors(self, code, reason, original_url(self, url), *rest)

    async def throttle(self: Any, cost: Any = None) -> Any:
        # Every REST request ccxt sends passes here (fetch2), one call of ours may send
        # several (load_markets: currencies, then markets): the shared budget
        # (rate_limits.*) is taken per request, after ccxt's own pacing of this instance.
        await base.throttle(self, cost)
        budget = getattr(self, "shared_budget", None)
        if budget is not None:
            await budget.acquire(self.shared_budget_key)

    extra: dict[str, Any] = {}
    if pro:
        from plugins.exchanges.ccxt.streams.exact_books import pro_overrides

        extra = pro_overrides(base)
    cls = type(
        f"Exact{base.__name__}",
        (base,),
        {
            **extra,
            "parse_order_book_bid_ask": parse_order_book_bid_ask,
            "parse_order_book_bid_ask_l3": parse_order_book_bid_ask_l3,
            **({"parse_order_book_bids_asks": parse_order_book_bids_asks}
               if _generic_sides(base) else {}),
            "price_to_precision": price_to_precision,
            "amount_to_precision": amount_to_precision,
            "sort_by": staticmethod(sort_by),
            "handle_errors": handle_errors,
            "throttle": throttle,
            "shared_budget": None,
            "shared_budget_key": "",
            "__doc__": f"{base.__name__} with exact numbers (strings from ccxt, Decimal out).",
        },
    )
    _CLASSES[key] = cls
    return cls


def _texts(levels: Any, price_key: Any, amount_key: Any) -> list[list[str]] | None:
    """``[price, amount]`` of each level when every one is a non-empty text, else None.

    What venues send, and what the level parser gives level by level (``safe_string``
    returns such a text as it is), taken in one pass instead of three calls a level."""
    try:
        prices = [level[price_key] for level in levels]
        amounts = [level[amount_key] for level in levels]
    except (TypeError, KeyError, IndexError):
        return None
    if {*map(type, prices), *map(type, amounts)} != {str} or "" in prices or "" in amounts:
        return None
    return [[price, amount] for price, amount in zip(prices, amounts, strict=True)]


def _generic_sides(base: type[Any]) -> bool:
    """Whether ``base`` parses a book side with ccxt's generic loop (a venue with a side
    parser of its own keeps it)."""
    from ccxt.base.exchange import Exchange

    return bool(base.parse_order_book_bids_asks is Exchange.parse_order_book_bids_asks)


def redirect_urls(urls: Any, base_url: str) -> Any:
    """``urls`` with the origin of every URL replaced by ``base_url`` (paths kept)."""
    origin = base_url.rstrip("/")
    if isinstance(urls, str):
        return ORIGIN.sub(origin, urls) if ORIGIN.match(urls) else urls
    if isinstance(urls, dict):
        return {key: redirect_urls(value, base_url) for key, value in urls.items()}
    if isinstance(urls, list):
        return [redirect_urls(value, base_url) for value in urls]
    return urls


def _leaves(urls: Any) -> list[str]:
    if isinstance(urls, str):
        return [urls]
    if isinstance(urls, dict):
        return [leaf for value in urls.values() for leaf in _leaves(value)]
    if isinstance(urls, list):
        return [leaf for value in urls for leaf in _leaves(value)]
    return []


def redirect(client: Any, base_url: str) -> None:
    """Point every key of ``client.urls['api']`` (nested too) at ``base_url``, keeping the
    paths, and remember the originals so URL-keyed error tables still apply."""
    original = client.urls.get("api")
    redirected = redirect_urls(original, base_url)
    pairs = sorted(
        {new: old for new, old in zip(_leaves(redirected), _leaves(original), strict=True)
         if new != old}.items(),
        key=lambda pair: len(pair[0]), reverse=True,
    )
    client.urls["api"] = redirected
    client.fortuna_original_urls = pairs


def original_url(client: Any, url: Any) -> Any:
    """The URL ccxt would have called for ``url`` on a redirected client."""
    pairs = getattr(client, "fortuna_original_urls", None)
    if not pairs or not isinstance(url, str):
        return url
    for new, old in pairs:
        if url.startswith(new):
            return old + url[len(new):]
    return url
