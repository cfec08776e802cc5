"""Binance spot REST (api/v3) as documented, with HMAC-SHA256 signed private endpoints.

MEXC's spot v3 API follows the same layout (paths, signing, order fields); see mexc.py.
"""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal
from typing import Any

from aiohttp import web

from tests.ccxt.standins.base import SEEN, D, Ledger, StandIn, StoredFill, StoredOrder, text

STATUS = {"open": "NEW", "closed": "FILLED", "canceled": "CANCELED"}


class BinanceStandIn(StandIn):
    venue = "binance"
    prefix = "/api/v3"
    key_header = "X-MBX-APIKEY"
    CREATE = ("POST", "/api/v3/order")
    omit_order_id = False
    BALANCE = ("GET", "/api/v3/account")
    BOOK = ("GET", "/api/v3/depth")
    RATE_LIMITED = (429, {"code": -1003, "msg": "Too many requests; current limit of IP is "
                          "6000 requests per minute. Please use the websocket for live updates."})

    def __init__(self, ledger: Ledger, **kwargs: Any) -> None:
        super().__init__(ledger, **kwargs)

    # -- formats --------------------------------------------------------------------------

    def market_id(self, base: str, quote: str) -> str:
        return base + quote

    def symbol_of(self, market_id: str) -> tuple[str, str] | None:
        for m in self.ledger.markets:
            if self.market_id(m.base, m.quote) == market_id:
                return m.base, m.quote
        return None

    def exchange_info(self) -> dict[str, Any]:
        symbols = []
        for m in self.ledger.markets:
            symbols.append({
                "symbol": self.market_id(m.base, m.quote), "status": "TRADING",
                "baseAsset": m.base, "baseAssetPrecision": 8, "quoteAsset": m.quote,
                "quotePrecision": 8, "quoteAssetPrecision": 8, "baseCommissionPrecision": 8,
                "quoteCommissionPrecision": 8,
                "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET"], "icebergAllowed": True,
                "ocoAllowed": True, "isSpotTradingAllowed": True,
                "isMarginTradingAllowed": False, "permissions": [],
                "permissionSets": [["SPOT"]],
                "filters": [
                    {"filterType": "PRICE_FILTER", "minPrice": text(m.tick),
                     "maxPrice": "1000000.00000000", "tickSize": text(m.tick)},
                    {"filterType": "LOT_SIZE", "minQty": text(m.min_qty),
                     "maxQty": text(m.max_qty), "stepSize": text(m.step)},
                    {"filterType": "NOTIONAL", "minNotional": text(m.min_notional),
                     "applyMinToMarket": True, "maxNotional": "9000000.00000000",
                     "applyMaxToMarket": False, "avgPriceMins": 5},
                ],
                "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
                "allowedSelfTradePreventionModes": ["EXPIRE_MAKER"],
            })
        return {"timezone": "UTC", "serverTime": 1700000000000, "rateLimits": [],
                "exchangeFilters": [], "symbols": symbols}

    def order_json(self, o: StoredOrder) -> dict[str, Any]:
        kind = "LIMIT_MAKER" if o.tif == "PO" else o.type.upper()
        return {
            "symbol": self.market_id(*o.symbol), "orderId": int(o.id), "orderListId": -1,
            "clientOrderId": o.client_id, "price": text(o.price), "origQty": text(o.amount),
            "executedQty": text(o.filled), "cummulativeQuoteQty": text(o.cost),
            "status": STATUS[o.status], "timeInForce": "GTC" if o.tif == "PO" else o.tif,
            "type": kind, "side": o.side.upper(), "stopPrice": "0.00000000",
            "icebergQty": "0.00000000", "time": o.time_ms, "updateTime": o.update_ms,
            "isWorking": True, "workingTime": o.time_ms,
            "origQuoteOrderQty": "0.00000000", "selfTradePreventionMode": "NONE",
        }

    def fill_json(self, f: StoredFill) -> dict[str, Any]:
        return {
            "symbol": self.market_id(*f.order.symbol), "id": int(f.id),
            "orderId": int(f.order.id), "orderListId": -1, "price": text(f.price),
            "qty": text(f.amount), "quoteQty": text(f.price * f.amount),
            "commission": text(f.fee), "commissionAsset": f.fee_currency, "time": f.time_ms,
            "isBuyer": f.order.side == "buy", "isMaker": f.maker, "isBestMatch": True,
        }

    def error(self, status: int, code: int, msg: str) -> web.Response:
        return web.json_response({"code": code, "msg": msg}, status=status)

    def wire_order(self, seen: Any) -> dict[str, str]:
        """Amount and price exactly as the venue received them."""
        p = {**seen.query, **seen.form}
        return {"amount": p["quantity"], "price": p["price"]}

    # -- signing --------------------------------------------------------------------------

    def params(self, request: web.Request) -> dict[str, str]:
        seen = request[SEEN]
        return {**seen.query, **seen.form}

    def verify(self, request: web.Request) -> web.Response | None:
        seen = request[SEEN]
        if seen.headers.get(self.key_header) != self.api_key:
            return self.error(401, -2015, "Invalid API-key, IP, or permissions for action.")
        signed = request.query_string if request.method in ("GET", "DELETE") else seen.body
        payload, _, signature = signed.rpartition("&signature=")
        expected = hmac.new(self.secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(signature, expected) or "timestamp=" not in payload:
            return self.error(400, -1022, "Signature for this request is not valid.")
        return None

    # -- routes ---------------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        p = self.prefix
        app.router.add_get(f"{p}/exchangeInfo", self.h_exchange_info)
        app.router.add_get(f"{p}/depth", self.h_depth)
        app.router.add_get(f"{p}/ticker/24hr", self.h_ticker)
        app.router.add_get(f"{p}/aggTrades", self.h_agg_trades)
        app.router.add_get(f"{p}/klines", self.h_klines)
        app.router.add_get(f"{p}/account", self.signed(self.h_account))
        app.router.add_post(f"{p}/order", self.signed(self.h_create))
        app.router.add_get(f"{p}/order", self.signed(self.h_get_order))
        app.router.add_delete(f"{p}/order", self.signed(self.h_cancel))
        app.router.add_get(f"{p}/openOrders", self.signed(self.h_open_orders))
        app.router.add_delete(f"{p}/openOrders", self.signed(self.h_cancel_all))
        app.router.add_get(f"{p}/allOrders", self.signed(self.h_all_orders))
        app.router.add_get(f"{p}/myTrades", self.signed(self.h_my_trades))

    def symbol_param(self, request: web.Request) -> tuple[str, str] | web.Response | None:
        market_id = self.params(request).get("symbol")
        if market_id is None:
            return None
        symbol = self.symbol_of(market_id)
        if symbol is None:
            return self.error(400, -1121, "Invalid symbol.")
        return symbol

    async def h_exchange_info(self, request: web.Request) -> web.Response:
        return web.json_response(self.exchange_info())

    async def h_depth(self, request: web.Request) -> web.Response:
        limit = int(request.query.get("limit", "100"))
        return web.json_response({"lastUpdateId": 1027024,
                                  "bids": [list(level) for level in self.ledger.bids[:limit]],
                                  "asks": [list(level) for level in self.ledger.asks[:limit]]})

    async def h_ticker(self, request: web.Request) -> web.Response:
        bid, ask = self.ledger.bids[0], self.ledger.asks[0]
        return web.json_response({
            "symbol": request.query["symbol"], "priceChange": "-94.99999800",
            "priceChangePercent": "-95.960", "weightedAvgPrice": "0.29628482",
            "prevClosePrice": "0.10002000", "lastPrice": bid[0], "lastQty": "200.00000000",
            "bidPrice": bid[0], "bidQty": bid[1], "askPrice": ask[0], "askQty": ask[1],
            "openPrice": "99.00000000", "highPrice": "100.00000000", "lowPrice": "0.10000000",
            "volume": "8913.30000000", "quoteVolume": "15.30000000",
            "openTime": 1499783499040, "closeTime": 1499869899040, "firstId": 28385,
            "lastId": 28460, "count": 76,
        })

    async def h_agg_trades(self, request: web.Request) -> web.Response:
        if self.ledger.tape is not None:
            return web.json_response(self.ledger.tape)
        return web.json_response([
            {"a": 26129, "p": "30000.10000000", "q": "0.00100000", "f": 27781, "l": 27781,
             "T": 1700000000000, "m": True, "M": True},
            {"a": 26130, "p": "30000.20000000", "q": "0.50000000", "f": 27782, "l": 27782,
             "T": 1700000001000, "m": False, "M": True},
        ])

    async def h_klines(self, request: web.Request) -> web.Response:
        return web.json_response([
            [1700000000000, "30000.10", "30010.00", "29990.00", "30005.00", "12.5",
             1700000059999, "375000.0", 100, "6.0", "180000.0", "0"],
        ])

    async def h_account(self, request: web.Request) -> web.Response:
        balances = [{"asset": c, "free": text(self.ledger.free(c)),
                     "locked": text(self.ledger.locked(c))} for c in self.ledger.balances]
        return web.json_response({
            "makerCommission": 10, "takerCommission": 10, "buyerCommission": 0,
            "sellerCommission": 0, "canTrade": True, "canWithdraw": True, "canDeposit": True,
            "updateTime": 1700000000000, "accountType": "SPOT", "balances": balances,
            "permissions": ["SPOT"],
        })

    def check_filters(self, symbol: tuple[str, str], price: Decimal,
                      qty: Decimal) -> web.Response | None:
        m = self.ledger.market(*symbol)
        assert m is not None
        if price % m.tick != 0:
            return self.error(400, -1013, "Filter failure: PRICE_FILTER")
        if qty % m.step != 0 or qty < m.min_qty or qty > m.max_qty:
            return self.error(400, -1013, "Filter failure: LOT_SIZE")
        if qty * price < m.min_notional:
            return self.error(400, -1013, "Filter failure: NOTIONAL")
        return None

    async def h_create(self, request: web.Request) -> web.Response:
        p = self.params(request)
        symbol = self.symbol_param(request)
        if not isinstance(symbol, tuple):
            return symbol or self.error(400, -1102, "Mandatory parameter 'symbol' was not sent")
        qty = D(p["quantity"])
        kind = p["type"]
        price = D(p["price"]) if "price" in p else D(self.ledger.asks[0][0])
        refused = self.check_filters(symbol, price, qty)
        if refused is not None:
            return refused
        side = p["side"].lower()
        if not self.ledger.affordable(symbol, side, price, qty):
            return self.error(400, -2010, "Account has insufficient balance for requested action.")
        client_id = p.get("newClientOrderId") or f"web_{len(self.ledger.orders)}"
        if any(o.client_id == client_id for o in self.ledger.orders.values()):
            return self.error(400, -2010, "Duplicate order sent.")
        tif = "PO" if kind == "LIMIT_MAKER" else p.get("timeInForce", "GTC")
        order = self.ledger.place(symbol, side, "market" if kind == "MARKET" else "limit",
                                  price, qty, client_id, tif)
        if kind == "MARKET":
            self.ledger.fill(order.id, maker=False)
        body = self.order_json(order)
        body["transactTime"] = order.time_ms
        if self.omit_order_id:  # a venue that accepts an order without saying its id
            self.omit_order_id = False
            del body["orderId"]
        return web.json_response(body)

    def lookup(self, request: web.Request) -> StoredOrder | None:
        p = self.params(request)
        return self.ledger.find(p.get("orderId"), p.get("origClientOrderId"))

    async def h_get_order(self, request: web.Request) -> web.Response:
        order = self.lookup(request)
        if order is None:
            return self.error(400, -2013, "Order does not exist.")
        return web.json_response(self.order_json(order))

    async def h_cancel(self, request: web.Request) -> web.Response:
        order = self.lookup(request)
        if order is None or order.status != "open":
            return self.error(400, -2011, "Unknown order sent.")
        order.status = "canceled"
        return web.json_response(self.order_json(order))

    def mine(self, request: web.Request, *, open_only: bool) -> list[StoredOrder] | web.Response:
        symbol = self.symbol_param(request)
        if isinstance(symbol, web.Response):
            return symbol
        return [o for o in self.ledger.orders.values()
                if (symbol is None or o.symbol == symbol)
                and (not open_only or o.status == "open")]

    async def h_open_orders(self, request: web.Request) -> web.Response:
        orders = self.mine(request, open_only=True)
        if isinstance(orders, web.Response):
            return orders
        return web.json_response([self.order_json(o) for o in orders])

    async def h_cancel_all(self, request: web.Request) -> web.Response:
        if "symbol" not in self.params(request):
            return self.error(400, -1102, "Mandatory parameter 'symbol' was not sent")
        orders = self.mine(request, open_only=True)
        if isinstance(orders, web.Response):
            return orders
        for o in orders:
            o.status = "canceled"
        return web.json_response([self.order_json(o) for o in orders])

    async def h_all_orders(self, request: web.Request) -> web.Response:
        if "symbol" not in self.params(request):
            return self.error(400, -1102, "Mandatory parameter 'symbol' was not sent")
        orders = self.mine(request, open_only=False)
        if isinstance(orders, web.Response):
            return orders
        return web.json_response([self.order_json(o) for o in orders])

    async def h_my_trades(self, request: web.Request) -> web.Response:
        symbol = self.symbol_param(request)
        if not isinstance(symbol, tuple):
            return symbol or self.error(400, -1102, "Mandatory parameter 'symbol' was not sent")
        return web.json_response([self.fill_json(f) for f in self.ledger.fills
                                  if f.order.symbol == symbol])
