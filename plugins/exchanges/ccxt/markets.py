"""A venue's spot markets, as :class:`schemas.Market`, from ccxt's market structures.

ccxt states precision in one of three modes (decimal places, significant digits, tick
size); :func:`increment` turns each into the increment a :class:`~schemas.Market`
quantizes to. A market without usable precision or symbol is left out (with a log line,
through :func:`~guard.each`); derivatives are left out too: their amounts count
contracts, which :class:`schemas.Market` (amounts in base currency) does not express.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from fortuna import Logger
from plugins.exchanges.ccxt.convert import dec, non_negative, positive
from plugins.exchanges.ccxt.guard import Dropped, each
from schemas import Market, Symbol

__all__ = [
    "DECIMAL_PLACES",
    "SIGNIFICANT_DIGITS",
    "TICK_SIZE",
    "at_magnitude",
    "increment",
    "market",
    "spot_markets",
]

# ccxt's precision modes (ccxt.base.decimal_to_precision), repeated to keep ccxt unimported.
DECIMAL_PLACES = 2
SIGNIFICANT_DIGITS = 3
TICK_SIZE = 4

_ZERO = Decimal(0)
_TEN = Decimal(10)


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
    min_amount = non_negative(amount_limits.get("min"))
    max_amount = positive(amount_limits.get("max"))
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


def at_magnitude(market: Market, precision: tuple[Any, Any], price: Decimal | None,
                 amount: Decimal) -> Market:
    """``market`` with the increments a significant-digits venue applies to an order of
    ``price`` and ``amount`` (the tick depends on the number's magnitude)."""
    price_step = increment(precision[0], SIGNIFICANT_DIGITS, price)
    amount_step = increment(precision[1], SIGNIFICANT_DIGITS, amount)
    return market.model_copy(update={
        "price_increment": price_step or market.price_increment,
        "amount_increment": amount_step or market.amount_increment,
    })


def spot_markets(
    client: Any, venue: str, log: Logger
) -> tuple[dict[str, Market], dict[str, tuple[Any, Any]]]:
    """The spot markets of a loaded ccxt instance, by symbol, and each one's raw ccxt
    precision ``(price, amount)`` (significant-digit venues recompute the increments per
    order from it)."""
    mode = int(client.precisionMode)
    raws = [raw for raw in (client.markets or {}).values()
            if isinstance(raw, Mapping)
            and (raw.get("spot") is not False or raw.get("type") in (None, "spot"))]
    markets: dict[str, Market] = {}
    precision: dict[str, tuple[Any, Any]] = {}
    for found, raw in each("market", raws, lambda raw: _paired(raw, mode), venue=venue, log=log):
        markets[found.symbol] = found
        steps = raw.get("precision") or {}
        precision[found.symbol] = (steps.get("price"), steps.get("amount"))
    return markets, precision


def _paired(raw: Mapping[str, Any], mode: int) -> tuple[Market, Mapping[str, Any]]:
    found = market(raw, mode)
    if found is None:
        raise Dropped(f"market {raw.get('symbol')!r} has no usable precision or symbol")
    return found, raw
