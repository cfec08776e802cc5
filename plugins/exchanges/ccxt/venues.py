"""The tuned venues: the two dozen with the most liquidity, one small subclass each.

A tuned venue declares its :class:`~capabilities.Profile` (what is native, what the
component emulates), the ccxt options it needs by default, and where the venue can do
better than the generic code (looking an order up by its client order id).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from plugins.exchanges.ccxt.capabilities import (
    CancelAll,
    ClosedOrders,
    OpenOrders,
    PostOnly,
    Profile,
)
from plugins.exchanges.ccxt.component import CcxtExchange
from plugins.exchanges.ccxt.convert import dec
from schemas import (
    ClientIdFormat,
    ExchangeError,
    Order,
    OrderNotFound,
    OrderRequest,
    TimeInForce,
    money,
)

__all__ = ["TUNED"]

TUNED: dict[str, type[CcxtExchange]] = {}

_C, _O, _X = ClosedOrders, OpenOrders, CancelAll


def tuned(title: str) -> Callable[[type[CcxtExchange]], type[CcxtExchange]]:
    """Register a tuned venue; its catalog line says what is emulated."""

    def register(cls: type[CcxtExchange]) -> type[CcxtExchange]:
        assert cls.profile is not None
        assert cls.exchange_id
        body = (cls.__doc__ or "").strip()
        cls.__doc__ = f"{title} through ccxt (tuned: {cls.profile.summary()})." + (
            f"\n\n{body}" if body else ""
        )
        TUNED[cls.exchange_id] = cls
        return cls

    return register


class _LookupByClientId(CcxtExchange):
    """Venues whose ``fetch_order`` finds an order by its client order id."""

    client_id_param: str = "clientOrderId"

    async def find_order_by_client_id(self, client_order_id: str, symbol: str) -> Order | None:
        try:
            raw = await self.transport.read(lambda: self.client.fetch_order(
                None, symbol, {self.client_id_param: client_order_id}))
        except OrderNotFound:
            return None
        except ExchangeError as error:
            if "not exist" in error.message.lower() or "unknown order" in error.message.lower():
                return None
            raise
        return self._one_order(raw, symbol=symbol)


@tuned("Binance")
class Binance(_LookupByClientId):
    """Closed orders come from allOrders (final ones kept), per symbol; cancel-all runs
    DELETE openOrders per symbol; an order is looked up by origClientOrderId."""

    exchange_id = "binance"
    profile = Profile(_C.FROM_ALL_ORDERS, _O.NATIVE, _X.NATIVE_PER_SYMBOL)
    default_options = {
        "fetchMarkets": {"types": ["spot"]}, "fetchCurrencies": False, "fetchMargins": False,
        "warnOnFetchOpenOrdersWithoutSymbol": False,
        # streams (ccxt.pro only): the full 24hr ticker carries the best bid and ask (the
        # mini ticker does not); every market stream on one connection (up to the 200
        # subscriptions ccxt allows on one), instead of one connection per subscription
        "watchTickers": {"name": "ticker"}, "streamLimits": {"spot": 1},
    }
    client_id_param = "origClientOrderId"


@tuned("Binance US")
class BinanceUs(Binance):
    exchange_id = "binanceus"


@tuned("MEXC")
class Mexc(_LookupByClientId):
    """Open and closed orders need a symbol: all markets are covered by looping over the
    watched and traded symbols. Unknown-order codes (-2013, -2011), which ccxt leaves
    generic, raise OrderNotFound."""

    exchange_id = "mexc"
    profile = Profile(_C.NATIVE_PER_SYMBOL, _O.PER_SYMBOL, _X.NATIVE_PER_SYMBOL)
    client_id_param = "origClientOrderId"
    error_codes = {"-2013": OrderNotFound, "-2011": OrderNotFound}


@tuned("Bybit")
class Bybit(CcxtExchange):
    exchange_id = "bybit"
    profile = Profile(_C.NATIVE, _O.NATIVE, _X.NATIVE)
    default_options = {"fetchMarkets": {"types": ["spot"]}}


@tuned("OKX")
class Okx(_LookupByClientId):
    """Cancel-all is emulated (fetch open orders, cancel each); lookup by clOrdId, which
    OKX accepts as 1 to 32 letters and digits: a mandate's ids are separated by ``Z``."""

    exchange_id = "okx"
    client_id_format = ClientIdFormat(max_length=32, characters="A-Za-z0-9",
                                      description="letters and digits", separator="Z")
    profile = Profile(_C.NATIVE, _O.NATIVE, _X.ONE_BY_ONE)
    default_options = {"fetchMarkets": {"types": ["spot"]}}
    client_id_param = "clOrdId"


@tuned("Coinbase Advanced")
class Coinbase(CcxtExchange):
    exchange_id = "coinbase"
    profile = Profile(_C.NATIVE, _O.NATIVE, _X.ONE_BY_ONE)


@tuned("Coinbase Exchange")
class CoinbaseExchange(CcxtExchange):
    exchange_id = "coinbaseexchange"
    profile = Profile(_C.NATIVE, _O.NATIVE, _X.NATIVE)


@tuned("Kraken")
class Kraken(CcxtExchange):
    """Client order ids are ``cl_ord_id``, which Kraken accepts as a UUID, 32 hex digits
    or free text of at most 18 characters: ids are free text, 18 characters at most
    (letters, digits, '.', '_' and '-'). "EOrder:Unknown order", which ccxt reads as an
    invalid order, raises OrderNotFound."""

    exchange_id = "kraken"
    profile = Profile(_C.NATIVE, _O.NATIVE, _X.NATIVE)
    client_id_format = ClientIdFormat(max_length=18, characters="A-Za-z0-9._-",
                                      description="letters, digits, '.', '_' and '-'")
    error_messages = {"EOrder:Unknown order": OrderNotFound}


@tuned("KuCoin")
class Kucoin(CcxtExchange):
    exchange_id = "kucoin"
    profile = Profile(_C.NATIVE_PER_SYMBOL, _O.PER_SYMBOL, _X.NATIVE)


@tuned("Gate")
class Gate(CcxtExchange):
    """Client order ids travel as ``text`` with Gate's ``t-`` prefix (28 characters at
    most); the prefix is removed from what comes back."""

    exchange_id = "gate"
    profile = Profile(_C.NATIVE, _O.NATIVE, _X.NATIVE)
    default_options = {"fetchMarkets": {"types": ["spot"]}, "unifiedAccount": False}
    client_id_format = ClientIdFormat(max_length=28, characters="A-Za-z0-9._-",
                                      description="letters, digits, '.', '_' and '-'")

    def client_id_from_venue(self, text: str) -> str:
        return text.removeprefix("t-")


@tuned("HTX")
class Htx(CcxtExchange):
    exchange_id = "htx"
    profile = Profile(_C.NATIVE, _O.NATIVE, _X.NATIVE)


@tuned("Bitget")
class Bitget(CcxtExchange):
    exchange_id = "bitget"
    profile = Profile(_C.NATIVE, _O.NATIVE, _X.NATIVE_PER_SYMBOL)


@tuned("Bitfinex")
class Bitfinex(CcxtExchange):
    """Significant-digit prices: the tick is recomputed from each order's price."""

    exchange_id = "bitfinex"
    profile = Profile(_C.NATIVE, _O.NATIVE, _X.NATIVE)


@tuned("Bitstamp")
class Bitstamp(CcxtExchange):
    """No order history endpoint: closed orders are rebuilt from the account's trades.
    Post-only, IOC and FOK go as the venue's ``moc_order``, ``ioc_order``, ``fok_order``
    flags, which ccxt does not send. Open orders report what remains as ``amount`` and the
    order status only what remains:
    the size is taken from ``amount_at_create``, or from fills plus ``amount_remaining``."""

    exchange_id = "bitstamp"
    profile = Profile(_C.FROM_MY_TRADES, _O.NATIVE, _X.NATIVE)

    def order_params(self, request: OrderRequest) -> dict[str, Any]:
        # ccxt's bitstamp drops postOnly (an order meant to rest would take): send the
        # venue's own maker-or-cancel, immediate-or-cancel and fill-or-kill flags.
        flag = {TimeInForce.PO: "moc_order", TimeInForce.IOC: "ioc_order",
                TimeInForce.FOK: "fok_order"}.get(request.time_in_force)
        return {flag: True} if flag else {}

    def _order(self, raw: Any, *, amount: Decimal | None = None,
               symbol: str | None = None) -> Order | None:
        info = raw.get("info") if isinstance(raw, Mapping) else None
        if isinstance(info, Mapping):
            patch: dict[str, Any] = {}
            if info.get("amount_at_create") is not None:
                patch["amount"] = info["amount_at_create"]
                patch["remaining"] = info.get("amount")
            elif info.get("amount_remaining") is not None:
                remaining = dec(info["amount_remaining"]) or Decimal(0)
                filled = dec(raw.get("filled")) or Decimal(0)
                patch["amount"] = str(money.add(remaining, filled))
                patch["remaining"] = info["amount_remaining"]
            if patch:
                raw = {**raw, **patch}
        return super()._order(raw, amount=amount, symbol=symbol)


@tuned("Gemini")
class Gemini(CcxtExchange):
    exchange_id = "gemini"
    profile = Profile(_C.FROM_MY_TRADES, _O.NATIVE, _X.ONE_BY_ONE)


@tuned("Crypto.com")
class Cryptocom(CcxtExchange):
    exchange_id = "cryptocom"
    profile = Profile(_C.FROM_ALL_ORDERS, _O.NATIVE, _X.NATIVE)


@tuned("BingX")
class Bingx(CcxtExchange):
    exchange_id = "bingx"
    profile = Profile(_C.NATIVE, _O.NATIVE, _X.NATIVE_PER_SYMBOL)


@tuned("Upbit")
class Upbit(CcxtExchange):
    exchange_id = "upbit"
    profile = Profile(_C.NATIVE, _O.NATIVE, _X.ONE_BY_ONE)


@tuned("Bithumb")
class Bithumb(CcxtExchange):
    exchange_id = "bithumb"
    profile = Profile(_C.NATIVE, _O.NATIVE, _X.ONE_BY_ONE)


@tuned("WhiteBIT")
class Whitebit(CcxtExchange):
    exchange_id = "whitebit"
    profile = Profile(_C.NATIVE, _O.NATIVE, _X.NATIVE)


@tuned("LBank")
class Lbank(CcxtExchange):
    exchange_id = "lbank"
    profile = Profile(_C.FROM_ALL_ORDERS, _O.PER_SYMBOL, _X.NATIVE_PER_SYMBOL,
                      post_only=PostOnly.NONE)


@tuned("Poloniex")
class Poloniex(CcxtExchange):
    exchange_id = "poloniex"
    profile = Profile(_C.NATIVE, _O.NATIVE, _X.NATIVE)


@tuned("Bitvavo")
class Bitvavo(CcxtExchange):
    exchange_id = "bitvavo"
    profile = Profile(_C.FROM_ALL_ORDERS, _O.PER_SYMBOL, _X.NATIVE)


@tuned("XT.com")
class Xt(CcxtExchange):
    exchange_id = "xt"
    profile = Profile(_C.NATIVE, _O.NATIVE, _X.NATIVE)
