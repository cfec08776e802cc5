"""ccxt structures (parsed in ``number = str`` mode) to :mod:`schemas` models.

Every money field goes through :func:`dec`: a string (what the exact layer yields) or an
int parses exactly; a float, which only a venue-specific ccxt code path can still produce,
is converted through its shortest ``repr`` (the digits the venue sent) and never through
its binary value. A value the model cannot hold (a zero price, a negative balance, more
digits than an exact decimal carries) is dropped with the field rather than invented.

A venue's answer is untrusted input: the converters raise :class:`~guard.Dropped` (or let
a pydantic, key or type error out) for what the contracts cannot hold, and the callers run
them through :mod:`guard`, which turns that into a dropped record with a log line or a
contract error. Arithmetic on the venue's figures goes through :mod:`schemas.money`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from fortuna import DECIMAL_MAX_DIGITS, DECIMAL_MAX_EXPONENT
from plugins.exchanges.ccxt.guard import Dropped
from schemas import (
    Balance,
    Balances,
    Candle,
    Fill,
    Liquidity,
    Order,
    OrderStatus,
    OrderType,
    Side,
    Symbol,
    Ticker,
    TimeInForce,
    Trade,
    from_milliseconds,
    money,
)

__all__ = [
    "balances",
    "candle",
    "dec",
    "fill",
    "non_negative",
    "order",
    "positive",
    "ticker",
    "trade",
    "when",
]

_ZERO = Decimal(0)
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


def _bounded(value: Decimal, short: bool = False) -> Decimal | None:
    """``value`` when an exact decimal of the contracts can carry it (at most
    ``DECIMAL_MAX_DIGITS`` significant digits, leading digit within
    ``10**±DECIMAL_MAX_EXPONENT``), else None. ``short``: the value was parsed from a text
    too short to hold too many digits, so only the exponent is checked."""
    if not value.is_finite():
        return None
    if value.is_zero():
        return value
    if not -DECIMAL_MAX_EXPONENT <= value.adjusted() <= DECIMAL_MAX_EXPONENT:
        return None
    if not short:
        digits = value.as_tuple().digits
        if (len(digits) > DECIMAL_MAX_DIGITS
                and len(bytes(digits).rstrip(b"\0")) > DECIMAL_MAX_DIGITS):
            return None
    return value


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
            return _bounded(Decimal(value), len(value) <= DECIMAL_MAX_DIGITS)
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
    return _bounded(result)


def positive(value: Any) -> Decimal | None:
    number = dec(value)
    return number if number is not None and number > 0 else None


def non_negative(value: Any, default: Decimal = _ZERO) -> Decimal:
    number = dec(value)
    return number if number is not None and number >= 0 else default


def when(milliseconds: Any, fallback: datetime) -> datetime:
    if isinstance(milliseconds, bool) or milliseconds is None:
        return fallback
    try:
        return from_milliseconds(int(milliseconds))
    except (TypeError, ValueError, ArithmeticError):
        return fallback


def ticker(raw: Mapping[str, Any], symbol: str, received: datetime) -> Ticker:
    volume = dec(raw.get("baseVolume"))
    quote_volume = dec(raw.get("quoteVolume"))
    return Ticker(
        symbol=Symbol(symbol),
        bid=positive(raw.get("bid")),
        ask=positive(raw.get("ask")),
        last=positive(raw.get("last")),
        volume=volume if volume is not None and volume >= 0 else None,
        quote_volume=quote_volume if quote_volume is not None and quote_volume >= 0 else None,
        timestamp=when(raw.get("timestamp"), received),
    )


def _side(raw: Mapping[str, Any]) -> Side:
    side = raw.get("side")
    if side not in ("buy", "sell"):
        raise Dropped(f"side {_shown(side)} is neither buy nor sell")
    return Side(side)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _required(raw: Mapping[str, Any], key: str) -> Decimal:
    value = positive(raw.get(key))
    if value is None:
        raise Dropped(f"{key} {_shown(raw.get(key))} is not a positive number in range")
    return value


def trade(raw: Mapping[str, Any], received: datetime) -> Trade:
    return Trade(
        id=str(raw.get("id") or ""),
        symbol=Symbol(raw["symbol"]),
        side=_side(raw),
        price=_required(raw, "price"),
        amount=_required(raw, "amount"),
        timestamp=when(raw.get("timestamp"), received),
    )


def _fee(raw: Mapping[str, Any]) -> tuple[Decimal, str | None]:
    """The fees of ``raw`` charged in the first fee's currency, summed exactly. (A fee in
    a second currency is not added to the first: an order or fill holds one fee.)"""
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
            total = money.add(total, cost)
    return total, currency


def fill(raw: Mapping[str, Any], received: datetime) -> Fill:
    fee, fee_currency = _fee(raw)
    liquidity = raw.get("takerOrMaker")
    info = raw.get("info") or {}
    client_id = raw.get("clientOrderId") or None
    if client_id is None and isinstance(info, Mapping):
        client_id = info.get("clientOrderId") or None
    return Fill(
        id=str(raw.get("id") or ""),
        order_id=str(raw.get("order") or ""),
        client_order_id=_client_id(client_id),
        symbol=Symbol(raw["symbol"]),
        side=_side(raw),
        price=_required(raw, "price"),
        amount=_required(raw, "amount"),
        fee=fee,
        fee_currency=fee_currency,
        liquidity=Liquidity(liquidity) if liquidity in ("maker", "taker") else None,
        timestamp=when(raw.get("timestamp"), received),
    )


def _client_id(value: Any) -> str | None:
    """The client order id a venue echoed, or None when it is not one an order can carry
    (the order is kept without it rather than dropped)."""
    text = str(value) if value else None
    return text if text is not None and len(text) <= 64 else None


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
    size = positive(raw.get("amount")) or amount
    symbol = raw.get("symbol") or symbol
    if not order_id or size is None or symbol is None:
        return None
    side = _side(raw)
    filled = non_negative(raw.get("filled"))
    status = _STATUSES.get(str(raw.get("status") or "open").lower(), OrderStatus.OPEN)
    remaining = dec(raw.get("remaining"))
    if filled > size:
        filled = size
    if remaining is None or remaining < 0 or (
        status is OrderStatus.OPEN and money.add(remaining, filled) != size
    ):
        remaining = money.subtract(size, filled)
    fee, fee_currency = _fee(raw)
    post_only = raw.get("postOnly") is True or raw.get("timeInForce") == "PO"
    tif = _TIFS.get(str(raw.get("timeInForce") or "GTC").upper(), TimeInForce.GTC)
    if post_only:
        tif = TimeInForce.PO
    elif tif is TimeInForce.PO:
        post_only = True
    kind = str(raw.get("type") or "limit").lower()
    updated = raw.get("lastUpdateTimestamp")
    return Order(
        id=str(order_id),
        client_order_id=_client_id(raw.get("clientOrderId")),
        symbol=Symbol(symbol),
        side=side,
        type=OrderType.MARKET if kind == "market" else OrderType.LIMIT,
        price=positive(raw.get("price")),
        amount=size,
        filled=filled,
        remaining=remaining,
        average=positive(raw.get("average")),
        status=status,
        time_in_force=tif,
        post_only=post_only,
        fee=fee,
        fee_currency=fee_currency,
        timestamp=when(raw.get("timestamp"), received),
        updated=when(updated, received) if updated is not None else None,
    )


def balances(raw: Mapping[str, Any], received: datetime) -> Balances:
    """Every currency of a ccxt balance. A currency with a negative (debt) figure, or one
    the contracts cannot hold, is left out: :func:`balance` raises and this skips it."""
    result: dict[str, Balance] = {}
    for code, entry in raw.items():
        if code in _BALANCE_META or not isinstance(entry, Mapping):
            continue
        try:
            held = balance(code, entry)
        except (Dropped, ValueError, TypeError):
            continue
        if held is not None:
            result[code] = held
    stamp = raw.get("timestamp")
    return Balances(balances=result, timestamp=when(stamp, received) if stamp else received)


def balance(code: Any, entry: Mapping[str, Any]) -> Balance | None:
    """One currency's balance; None when the venue gives no figure, :class:`Dropped` for a
    negative one (a debt, which a :class:`~schemas.Balance` does not express)."""
    free = dec(entry.get("free"))
    used = dec(entry.get("used"))
    total = dec(entry.get("total"))
    if any(value is not None and value < 0 for value in (free, used, total)):
        raise Dropped(f"{code}: a negative figure (a debt)")
    if free is None and used is None and total is None:
        return None
    if free is None and total is not None:
        free = max(money.subtract(total, used or _ZERO), _ZERO)
    return Balance(currency=code, free=free or _ZERO, used=used or _ZERO, total=total)


def candle(raw: Any) -> Candle:
    """One OHLCV bar from ``[ms, open, high, low, close, volume]``; :class:`Dropped` for a
    bar the contracts cannot hold (a missing or non-positive price, an open or close
    outside ``[low, high]``, an unreadable time)."""
    if not isinstance(raw, list | tuple) or len(raw) < 6:
        raise Dropped(f"a candle is [time, open, high, low, close, volume], got {_shown(raw)}")
    stamp, *prices, volume = raw[:6]
    o, h, lo, c = (positive(value) for value in prices)
    if o is None or h is None or lo is None or c is None:
        raise Dropped(f"prices {_shown(prices)} are not all positive numbers in range")
    if not lo <= min(o, c) <= max(o, c) <= h:
        raise Dropped(f"open {o} high {h} low {lo} close {c}: not low <= open, close <= high")
    if isinstance(stamp, bool) or not isinstance(stamp, int | str):
        raise Dropped(f"time {_shown(stamp)} is not milliseconds")
    return Candle(timestamp=from_milliseconds(int(stamp)), open=o, high=h, low=lo, close=c,
                  volume=non_negative(volume))
