"""What an order looks like on ccxt's side of the wire: plain decimal text, the price
withheld where ccxt would misread it, and what the venue cannot honour refused first."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from schemas import OrderRequest, OrderType, Side

__all__ = ["plain", "refuses", "wire_price"]


def plain(value: Decimal) -> str:
    """A decimal as the plain string that goes on the wire: no exponent, no float, no
    trailing zeros (``0.01000`` -> ``0.01``, ``3.0E+4`` -> ``30000``)."""
    if value == value.to_integral_value():
        return format(value.quantize(Decimal(1)), "f")
    return format(value.normalize(), "f")


def refuses(client: Any, venue: str, request: OrderRequest) -> str | None:
    """Why the venue cannot honour ``request`` as asked (ccxt's own ``features``), or
    None. A post-only order is never sent where it could silently take."""
    spot = (client.features or {}).get("spot") or {}
    create = spot.get("createOrder") or {}
    supported = create.get("timeInForce") or {}
    tif = request.time_in_force.value
    if supported and tif != "GTC" and supported.get(tif) is False:
        return f"{venue} does not support time in force {tif} through ccxt"
    return None


def wire_price(client: Any, request: OrderRequest) -> str | None:
    """The price handed to ccxt. A market order's price is only the reference its
    notional was checked against: ccxt turns a price on a market order into a size in the
    quote currency on some venues (binance and mexc send ``quoteOrderQty`` = amount x
    price), so it is withheld, except for market buys on venues that size those in quote
    and say so (``createMarketBuyOrderRequiresPrice``)."""
    if request.price is None:
        return None
    if request.type is OrderType.MARKET:
        sized_in_quote = client.options.get("createMarketBuyOrderRequiresPrice")
        if request.side is not Side.BUY or not sized_in_quote:
            return None
    return plain(request.price)
