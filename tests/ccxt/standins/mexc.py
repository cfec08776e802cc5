"""MEXC spot v3 REST as documented: Binance's layout with its own market description,
signing (every parameter in the query string, also for POST and DELETE, header
X-MEXC-APIKEY) and error codes. ccxt also reads the futures contract list at load."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.ccxt.standins.base import SEEN, StoredOrder, decimals, plain
from tests.ccxt.standins.binance import BinanceStandIn


class MexcStandIn(BinanceStandIn):
    venue = "mexc"
    key_header = "X-MEXC-APIKEY"
    RATE_LIMITED = (429, {"code": 510, "msg": "Excessive frequency of requests"})

    def exchange_info(self) -> dict[str, Any]:
        symbols = []
        for m in self.ledger.markets:
            symbols.append({
                "symbol": self.market_id(m.base, m.quote), "status": "1",
                "baseAsset": m.base,
                "baseAssetPrecision": str(decimals(m.step)),
                "quoteAsset": m.quote,
                "quotePrecision": str(decimals(m.tick)),
                "quoteAssetPrecision": str(decimals(m.tick)),
                "baseCommissionPrecision": "8", "quoteCommissionPrecision": "8",
                "orderTypes": ["LIMIT", "MARKET", "LIMIT_MAKER"],
                "isSpotTradingAllowed": True, "isMarginTradingAllowed": False,
                "quoteAmountPrecision": plain(m.min_notional),
                "baseSizePrecision": plain(m.min_qty),
                "permissions": ["SPOT"], "filters": [], "maxQuoteAmount": "2000000",
                "makerCommission": "0", "takerCommission": "0.0005",
                "quoteAmountPrecisionMarket": "5", "maxQuoteAmountMarket": "100000",
                "fullName": m.base,
            })
        return {"timezone": "CST", "serverTime": 1700000000000, "rateLimits": [],
                "exchangeFilters": [], "symbols": symbols}

    def order_json(self, o: StoredOrder) -> dict[str, Any]:
        body = super().order_json(o)
        body["orderId"] = f"C02__{o.id}"
        return body

    def ledger_id(self, order_id: str) -> str:
        return order_id.removeprefix("C02__")

    def lookup(self, request: web.Request) -> StoredOrder | None:
        p = self.params(request)
        order_id = p.get("orderId", "").removeprefix("C02__") or None
        return self.ledger.find(order_id, p.get("origClientOrderId"))

    def fill_json(self, f: Any) -> dict[str, Any]:
        body = super().fill_json(f)
        body["orderId"] = f"C02__{f.order.id}"
        body["id"] = str(body["id"])
        return body

    def error(self, status: int, code: int, msg: str) -> web.Response:
        translated = {
            -2010: (30004, "Insufficient position"),
            -2015: (700002, "Signature for this request is not valid."),
            -1022: (700002, "Signature for this request is not valid."),
            -2011: (-2011, "Unknown order sent."),
        }
        code, msg = translated.get(code, (code, msg))
        return web.json_response({"code": code, "msg": msg}, status=status)

    def verify(self, request: web.Request) -> web.Response | None:
        seen = request[SEEN]
        if seen.headers.get(self.key_header) != self.api_key:
            return self.error(401, -2015, "")
        payload, _, signature = request.query_string.rpartition("&signature=")
        import hashlib
        import hmac

        expected = hmac.new(self.secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(signature, expected) or "timestamp=" not in payload:
            return self.error(400, -1022, "")
        return None

    def routes(self, app: web.Application) -> None:
        super().routes(app)
        app.router.add_get("/api/v1/contract/detail", self.h_contracts)
        app.router.add_get(f"{self.prefix}/capital/config/getall", self.signed(self.h_coins))

    async def h_contracts(self, request: web.Request) -> web.Response:
        return web.json_response({"success": True, "code": 0, "data": []})

    async def h_coins(self, request: web.Request) -> web.Response:
        return web.json_response([])
