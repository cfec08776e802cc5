"""ccxt structures (parsed in ``number = str`` mode) to :mod:`schemas` models.

Every money field goes through :func:`dec`: a string (what the exact layer yields) or an
int parses exactly; a float, which only a venue-specific ccxt code path can still produce,
is converted through its shortest ``repr`` (the digits the venue sent) and never through
its binary value. A value the model cannot hold (a zero price, a negative balance) is
dropped with the field rather than invented.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from schemas import (
    Balance,
    Balances,
    Candle,
    Fill,
    Liquidity,
    Market,
    Order,
    OrderBook,
    OrderBookLevel,
    OrderStatus,
    OrderType,
    Side,
    Symbol,
    Ticker,
    TimeInForce,
    Trade,
    from_milliseconds,
)

__all__ = [
    "DECIMAL_PLACES",
    "SIGNIFICANT_DIGITS",
    "TICK_SIZE",
    "balances",
    "candle",
    "dec",
    "fill",
    "increment",
    "market",
    "order",
    "order_book",
    "ticker",
    "trade",
]

# ccxt's precision modes (ccxt.base.decimal_to_precision), repeated to keep ccxt unimported.
DECIMAL_PLACES = 2
SIGNIFICANT_DIGITS = 3
TICK_SIZE = 4

_ZERO = Decimal(0)
_TEN = Decimal(10)
_STATUSES = {
    "open": OrderStatus.OPEN,
    "closed": OrderStatus.CLOSED,
    "canceled": OrderStatus.CANCELED,
    "cancelled": OrderStatus.CANCELED,
    "rejected": OrderStatus.REJECTED,
    "expired": OrderStatus.EXPIRED,
}
_TIFS = {"GTC": TimeInForce.GTC, "IOC": TimeInForce.IOC, "FOK": TimeInForce.FOK,
         "PO": TimeInForce.PO}
_BALANCE_META = frozenset({"info", "free", "used", "total", "timestamp", "datetime", "debt"})


def dec(value: Any) -> Decimal | None:
    """An exact Decimal from a ccxt value, or None when absent or not a number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, str):
        if not value:
            return None
        try:
            result = Decimal(value)
        except InvalidOperation:
            return None
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            return None
        result = Decimal(repr(value))
    else:
        return None
    return result if result.is_finite() else None


def _positive(value: Any) -> Decimal | None:
    number = dec(value)
    return number if number is not None and number > 0 else None


def _non_negative(value: Any, default: Decimal = _ZERO) -> Decimal:
    number = dec(value)
    return number if number is not None and number >= 0 else default


def _when(milliseconds: Any, fallback: datetime) -> datetime:
    if isinstance(milliseconds, bool) or milliseconds is None:
        return fallback
    try:
        return from_milliseconds(int(milliseconds))
    except (TypeError, ValueError):
        return fallback


def _plain(value: Decimal) -> Decimal:
    """Trailing zeros dropped from a fraction (0.01000000 -> 0.01); integers kept as such."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def increment(precision: Any, mode: int, magnitude: Decimal | None = None) -> Decimal | None:
    """The increment a ccxt precision stands for, in any of ccxt's three precision modes.

    ``TICK_SIZE``: the precision is the increment. ``DECIMAL_PLACES``: ``10**-p``.
    ``SIGNIFICANT_DIGITS``: the increment depends on the number's magnitude; for
    ``magnitude`` (a price or amount) it is ``10**(floor(log10(magnitude)) + 1 - p)``,
    and without one the increment at 1.
    """
    value = dec(precision)
    if value is None:
        return None
    if mode == TICK_SIZE:
        return _plain(value) if value > 0 else None
    places = int(value)
    if mode == DECIMAL_PLACES:
        return _plain(_TEN.scaleb(-places - 1))
    exponent = 0
    if magnitude is not None and magnitude > 0:
        exponent = magnitude.adjusted()
    return _plain(_TEN.scaleb(exponent - places))


def market(raw: Mapping[str, Any], mode: int) -> Market | None:
    """A :class:`schemas.Market`, or None for one without usable precision or symbol."""
    precision = raw.get("precision") or {}
    price_increment = increment(precision.get("price"), mode)
    amount_increment = increment(precision.get("amount"), mode)
    if price_increment is None or amount_increment is None:
        return None
    try:
        symbol = Symbol(raw["symbol"])
    except (KeyError, TypeError, ValueError):
        return None
    limits = raw.get("limits") or {}
    amount_limits = limits.get("amount") or {}
    cost_limits = limits.get("cost") or {}
    min_amount = _non_negative(amount_limits.get("min"))
    max_amount = _positive(amount_limits.get("max"))
    if max_amount is not None and max_amount < min_amount:
        max_amount = None
    min_notional = dec(cost_limits.get("min"))
    maker = dec(raw.get("maker"))
    taker = dec(raw.get("taker"))
    active = raw.get("active")
    return Market(
        symbol=symbol,
        base=symbol.base,
        quote=symbol.quote,
        price_increment=price_increment,
        amount_increment=amount_increment,
        min_amount=min_amount,
        max_amount=max_amount,
        min_notional=min_notional if min_notional is not None and min_notional >= 0 else None,
        maker_fee=maker if maker is not None and -1 <= maker <= 1 else _ZERO,
        taker_fee=taker if taker is not None and -1 <= taker <= 1 else _ZERO,
        active=active is not False,
    )


_LEVEL_FIELDS = frozenset({"price", "amount"})
_new = object.__new__
_set = object.__setattr__


def _level(price: Decimal, amount: Decimal) -> OrderBookLevel:
    # What ``OrderBookLevel.model_construct`` does, without its per-call overhead: both
    # values were just parsed from the venue's text and checked positive.
    level: OrderBookLevel = _new(OrderBookLevel)
    _set(level, "__dict__", {"price": price, "amount": amount})
    _set(level, "__pydantic_fields_set__", _LEVEL_FIELDS)
    _set(level, "__pydantic_extra__", None)
    _set(level, "__pydantic_private__", None)
    return level


def _levels(raw: Any, descending: bool) -> tuple[OrderBookLevel, ...]:
    """Levels with positive Decimal price and amount, best first, sorted on the Decimal
    price (ccxt's own sort is skipped by the exact layer: it would compare text)."""
    pairs: list[tuple[Decimal, Decimal]] = []
    append = pairs.append
    for entry in raw or ():
        text_price, text_amount = entry[0], entry[1]
        try:
            price = Decimal(text_price) if type(text_price) is str else dec(text_price)
            amount = Decimal(text_amount) if type(text_amount) is str else dec(text_amount)
        except InvalidOperation:
            continue
        if (price is not None and amount is not None and price.is_finite()
                and amount.is_finite() and price > 0 and amount > 0):
            append((price, amount))
    pairs.sort(key=_first, reverse=descending)
    return tuple([_level(price, amount) for price, amount in pairs])


def _first(pair: tuple[Decimal, Decimal]) -> Decimal:
    return pair[0]


def order_book(raw: Mapping[str, Any], symbol: str, received: datetime) -> OrderBook:
    """The book with Decimal levels; levels of zero price or amount are left out."""
    return OrderBook(
        symbol=Symbol(symbol),
        bids=_levels(raw.get("bids"), descending=True),
        asks=_levels(raw.get("asks"), descending=False),
        timestamp=_when(raw.get("timestamp"), received),
    )


def ticker(raw: Mapping[str, Any], symbol: str, received: datetime) -> Ticker:
    volume = dec(raw.get("baseVolume"))
    quote_volume = dec(raw.get("quoteVolume"))
    return Ticker(
        symbol=Symbol(symbol),
        bid=_positive(raw.get("bid")),
        ask=_positive(raw.get("ask")),
        last=_positive(raw.get("last")),
        volume=volume if volume is not None and volume >= 0 else None,
        quote_volume=quote_volume if quote_volume is not None and quote_volume >= 0 else None,
        timestamp=_when(raw.get("timestamp"), received),
    )


def trade(raw: Mapping[str, Any], received: datetime) -> Trade | None:
    price = _positive(raw.get("price"))
    amount = _positive(raw.get("amount"))
    side = raw.get("side")
    if price is None or amount is None or side not in ("buy", "sell"):
        return None
    return Trade(
        id=str(raw.get("id") or ""),
        symbol=Symbol(raw["symbol"]),
        side=Side(side),
        price=price,
        amount=amount,
        timestamp=_when(raw.get("timestamp"), received),
    )


def _fee(raw: Mapping[str, Any]) -> tuple[Decimal, str | None]:
    fees = raw.get("fees") or ([raw["fee"]] if raw.get("fee") else [])
    total = _ZERO
    currency: str | None = None
    for fee in fees:
        if not fee:
            continue
        cost = dec(fee.get("cost"))
        if cost is None:
            continue
        if currency is None:
            currency = fee.get("currency")
        if fee.get("currency") in (None, currency):
            total += cost
    return total, currency


def fill(raw: Mapping[str, Any], received: datetime) -> Fill | None:
    price = _positive(raw.get("price"))
    amount = _positive(raw.get("amount"))
    side = raw.get("side")
    if price is None or amount is None or side not in ("buy", "sell"):
        return None
    fee, fee_currency = _fee(raw)
    liquidity = raw.get("takerOrMaker")
    info = raw.get("info") or {}
    client_id = raw.get("clientOrderId") or None
    if client_id is None and isinstance(info, Mapping):
        client_id = info.get("clientOrderId") or None
    return Fill(
        id=str(raw.get("id") or ""),
        order_id=str(raw.get("order") or ""),
        client_order_id=str(client_id) if client_id else None,
        symbol=Symbol(raw["symbol"]),
        side=Side(side),
        price=price,
        amount=amount,
        fee=fee,
        fee_currency=fee_currency,
        liquidity=Liquidity(liquidity) if liquidity in ("maker", "taker") else None,
        timestamp=_when(raw.get("timestamp"), received),
    )


def order(
    raw: Mapping[str, Any],
    received: datetime,
    *,
    amount: Decimal | None = None,
    symbol: str | None = None,
) -> Order | None:
    """The order, or None when the venue's answer does not describe it (no id or size).

    ``amount`` and ``symbol`` fill in what a terse acknowledgement leaves out.
    """
    order_id = raw.get("id")
    size = _positive(raw.get("amount")) or amount
    symbol = raw.get("symbol") or symbol
    side = raw.get("side")
    if not order_id or size is None or symbol is None or side not in ("buy", "sell"):
        return None
    filled = _non_negative(raw.get("filled"))
    status = _STATUSES.get(str(raw.get("status") or "open").lower(), OrderStatus.OPEN)
    remaining = dec(raw.get("remaining"))
    if filled > size:
        filled = size
    if remaining is None or remaining < 0 or (
        status is OrderStatus.OPEN and remaining + filled != size
    ):
        remaining = size - filled
    fee, fee_currency = _fee(raw)
    post_only = raw.get("postOnly") is True or raw.get("timeInForce") == "PO"
    tif = _TIFS.get(str(raw.get("timeInForce") or "GTC").upper(), TimeInForce.GTC)
    if post_only:
        tif = TimeInForce.PO
    elif tif is TimeInForce.PO:
        post_only = True
    kind = str(raw.get("type") or "limit").lower()
    client_id = raw.get("clientOrderId") or None
    updated = raw.get("lastUpdateTimestamp")
    return Order(
        id=str(order_id),
        client_order_id=str(client_id) if client_id else None,
        symbol=Symbol(symbol),
        side=Side(side),
        type=OrderType.MARKET if kind == "market" else OrderType.LIMIT,
        price=_positive(raw.get("price")),
        amount=size,
        filled=filled,
        remaining=remaining,
        average=_positive(raw.get("average")),
        status=status,
        time_in_force=tif,
        post_only=post_only,
        fee=fee,
        fee_currency=fee_currency,
        timestamp=_when(raw.get("timestamp"), received),
        updated=_when(updated, received) if updated is not None else None,
    )


def balances(raw: Mapping[str, Any], received: datetime) -> Balances:
    """Every currency of a ccxt balance; a negative (debt) figure leaves the currency out."""
    result: dict[str, Balance] = {}
    for code, entry in raw.items():
        if code in _BALANCE_META or not isinstance(entry, Mapping):
            continue
        free = dec(entry.get("free"))
        used = dec(entry.get("used"))
        total = dec(entry.get("total"))
        if any(value is not None and value < 0 for value in (free, used, total)):
            continue
        if free is None and used is None and total is None:
            continue
        if free is None and total is not None:
            free = total - (used or _ZERO)
            if free < 0:
                free = _ZERO
        result[code] = Balance(
            currency=code, free=free or _ZERO, used=used or _ZERO, total=total
        )
    stamp = raw.get("timestamp")
    return Balances(balances=result, timestamp=_when(stamp, received) if stamp else received)


def candle(raw: Any) -> Candle | None:
    try:
        stamp, open_, high, low, close, volume = raw[:6]
    except (TypeError, ValueError):
        return None
    values = [_positive(open_), _positive(high), _positive(low), _positive(close)]
    if stamp is None or any(value is None for value in values):
        return None
    o, h, lo, c = (value for value in values if value is not None)
    return Candle(
        timestamp=from_milliseconds(int(stamp)),
        open=o, high=h, low=lo, close=c, volume=_non_negative(volume),
    )
