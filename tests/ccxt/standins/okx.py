"""OKX v5 REST as documented: {"code","msg","data"} envelopes, instruments by instType,
orders through batch-orders, HMAC-SHA256/base64 over timestamp+method+path+body signed
with the passphrase in OK-ACCESS-PASSPHRASE."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from typing import Any

from aiohttp import web

from tests.ccxt.standins.base import SEEN, D, StandIn, StoredFill, StoredOrder, plain

STATE = {"open": "live", "closed": "filled", "canceled": "canceled"}
CL_ORD_ID = re.compile(r"[A-Za-z0-9]{1,32}")  # documented: 1-32 case-sensitive alphanumerics


class OkxStandIn(StandIn):
    venue = "okx"
    HAS_MIN_NOTIONAL = False
    CREATE = ("POST", "/api/v5/trade/batch-orders")
    BALANCE = ("GET", "/api/v5/account/balance")
    BOOK = ("GET", "/api/v5/market/books")
    RATE_LIMITED = (429, {"msg": "Too Many Requests", "code": "50011"})

    def inst(self, base: str, quote: str) -> str:
        return f"{base}-{quote}"

    def symbol_of(self, inst_id: str | None) -> tuple[str, str] | None:
        if not inst_id or "-" not in inst_id:
            return None
        base, quote = inst_id.split("-", 1)
        return (base, quote) if self.ledger.market(base, quote) else None

    def ok(self, data: list[Any]) -> web.Response:
        return web.json_response({"code": "0", "msg": "", "data": data})

    def fail_with(self, code: str, msg: str, s_code: str | None = None,
                  status: int = 200) -> web.Response:
        data = [{"sCode": s_code, "sMsg": msg}] if s_code else []
        return web.json_response({"code": code, "msg": "" if s_code else msg, "data": data},
                                 status=status)

    def order_json(self, o: StoredOrder) -> dict[str, Any]:
        avg = plain(o.cost / o.filled) if o.filled else ""
        return {
            "instType": "SPOT", "instId": self.inst(*o.symbol), "ccy": "", "ordId": o.id,
            "clOrdId": o.client_id, "tag": "", "px": plain(o.price), "sz": plain(o.amount),
            "pnl": "0", "ordType": "post_only" if o.tif == "PO" else o.type,
            "side": o.side, "posSide": "", "tdMode": "cash", "accFillSz": plain(o.filled),
            "fillPx": avg, "tradeId": "", "fillSz": "0", "fillTime": "", "avgPx": avg,
            "state": STATE[o.status], "lever": "", "feeCcy": o.symbol[1],
            "fee": "0", "rebateCcy": o.symbol[1], "rebate": "0", "source": "",
            "category": "normal", "uTime": str(o.update_ms), "cTime": str(o.time_ms),
        }

    def fill_json(self, f: StoredFill) -> dict[str, Any]:
        return {
            "instType": "SPOT", "instId": self.inst(*f.order.symbol), "tradeId": f.id,
            "ordId": f.order.id, "clOrdId": f.order.client_id, "billId": f.id, "tag": "",
            "fillPx": plain(f.price), "fillSz": plain(f.amount), "side": f.order.side,
            "posSide": "", "execType": "M" if f.maker else "T", "feeCcy": f.fee_currency,
            "fee": plain(-f.fee), "ts": str(f.time_ms),
        }

    def wire_order(self, seen: Any) -> dict[str, str]:
        (entry,) = json.loads(seen.body)
        return {"amount": entry["sz"], "price": entry["px"]}

    def ledger_id(self, order_id: str) -> str:
        return order_id

    # -- signing ---------------------------------------------------------------------------

    def verify(self, request: web.Request) -> web.Response | None:
        h = request[SEEN].headers
        if h.get("OK-ACCESS-KEY") != self.api_key or h.get("OK-ACCESS-PASSPHRASE") != self.password:
            return self.fail_with("50111", "Invalid OK-ACCESS-KEY", status=401)
        path = request.path + (f"?{request.query_string}" if request.query_string else "")
        auth = h.get("OK-ACCESS-TIMESTAMP", "") + request.method + path + request[SEEN].body
        expected = base64.b64encode(
            hmac.new(self.secret.encode(), auth.encode(), hashlib.sha256).digest()).decode()
        if h.get("OK-ACCESS-SIGN") != expected:
            return self.fail_with("50113", "Invalid Sign", status=401)
        return None

    # -- routes ----------------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/api/v5/public/instruments", self.h_instruments)
        r.add_get("/api/v5/market/books", self.h_books)
        r.add_get("/api/v5/market/ticker", self.h_ticker)
        r.add_get("/api/v5/market/trades", self.h_trades)
        r.add_get("/api/v5/market/candles", self.h_candles)
        r.add_get("/api/v5/asset/currencies", self.signed(self.h_currencies))
        r.add_get("/api/v5/account/balance", self.signed(self.h_balance))
        r.add_post("/api/v5/trade/batch-orders", self.signed(self.h_create))
        r.add_get("/api/v5/trade/order", self.signed(self.h_order))
        r.add_post("/api/v5/trade/cancel-order", self.signed(self.h_cancel))
        r.add_get("/api/v5/trade/orders-pending", self.signed(self.h_pending))
        r.add_get("/api/v5/trade/orders-history", self.signed(self.h_history))
        r.add_get("/api/v5/trade/fills-history", self.signed(self.h_fills))

    async def h_instruments(self, request: web.Request) -> web.Response:
        if request.query.get("instType") != "SPOT":
            return self.ok([])
        return self.ok([{
            "instType": "SPOT", "instId": self.inst(m.base, m.quote), "uly": "",
            "instFamily": "", "baseCcy": m.base, "quoteCcy": m.quote, "settleCcy": "",
            "ctVal": "", "ctMult": "", "ctValCcy": "", "optType": "", "stk": "",
            "listTime": "1606468572000", "expTime": "", "lever": "10",
            "tickSz": plain(m.tick), "lotSz": plain(m.step), "minSz": plain(m.min_qty),
            "ctType": "", "alias": "", "state": "live", "maxLmtSz": "9999999999",
            "maxMktSz": "1000000", "maxTwapSz": "", "maxIcebergSz": "", "maxTriggerSz": "",
            "maxStopSz": "", "ruleType": "normal",
        } for m in self.ledger.markets])

    async def h_books(self, request: web.Request) -> web.Response:
        size = int(request.query.get("sz", "400"))
        return self.ok([{
            "asks": [[p, a, "0", "1"] for p, a in self.ledger.asks[:size]],
            "bids": [[p, a, "0", "1"] for p, a in self.ledger.bids[:size]],
            "ts": "1700000000000",
        }])

    async def h_ticker(self, request: web.Request) -> web.Response:
        (bid, bid_size), (ask, ask_size) = self.ledger.bids[0], self.ledger.asks[0]
        return self.ok([{
            "instType": "SPOT", "instId": request.query["instId"], "last": bid,
            "lastSz": "0.1", "askPx": ask, "askSz": ask_size, "bidPx": bid,
            "bidSz": bid_size, "open24h": "29000", "high24h": "31000", "low24h": "28000",
            "volCcy24h": "15.30000000", "vol24h": "8913.30000000", "sodUtc0": "29000",
            "sodUtc8": "29000", "ts": "1700000000000",
        }])

    async def h_trades(self, request: web.Request) -> web.Response:
        inst = request.query["instId"]
        return self.ok([
            {"instId": inst, "side": "buy", "sz": "0.5", "px": "30000.2", "tradeId": "26130",
             "ts": "1700000001000"},
            {"instId": inst, "side": "sell", "sz": "0.001", "px": "30000.1",
             "tradeId": "26129", "ts": "1700000000000"},
        ])

    async def h_candles(self, request: web.Request) -> web.Response:
        return self.ok([["1700000000000", "30000.1", "30010", "29990", "30005", "12.5",
                         "375000", "375000", "1"]])

    async def h_currencies(self, request: web.Request) -> web.Response:
        return self.ok([])

    async def h_balance(self, request: web.Request) -> web.Response:
        details = [{
            "ccy": c, "availBal": plain(self.ledger.free(c)),
            "frozenBal": plain(self.ledger.locked(c)),
            "cashBal": plain(self.ledger.balances[c]), "eq": plain(self.ledger.balances[c]),
            "uTime": "1700000000000",
        } for c in self.ledger.balances]
        return self.ok([{"totalEq": "0", "details": details, "uTime": "1700000000000"}])

    async def h_create(self, request: web.Request) -> web.Response:
        (entry,) = json.loads(request[SEEN].body)
        symbol = self.symbol_of(entry.get("instId"))
        if symbol is None:
            return self.fail_with("1", "Instrument ID does not exist.", "51001")
        market = self.ledger.market(*symbol)
        assert market is not None
        qty = D(entry["sz"])
        price = D(entry["px"]) if entry.get("px") else D(self.ledger.asks[0][0])
        if price % market.tick or qty % market.step or qty < market.min_qty:
            return self.fail_with("1", "Order price or size is not a multiple.", "51121")
        side = entry["side"]
        if not self.ledger.affordable(symbol, side, price, qty):
            return self.fail_with(
                "1", f"Order failed. Insufficient {symbol[1]} balance in account.", "51008")
        if entry.get("clOrdId") and not CL_ORD_ID.fullmatch(entry["clOrdId"]):
            return self.fail_with("1", "Parameter clOrdId error", "51000")
        kind = entry["ordType"]
        order = self.ledger.place(symbol, side, "market" if kind == "market" else "limit",
                                  price, qty, entry.get("clOrdId", ""),
                                  "PO" if kind == "post_only" else "GTC")
        if kind == "market":
            self.ledger.fill(order.id, maker=False)
        return self.ok([{"clOrdId": order.client_id, "ordId": order.id, "tag": "",
                         "ts": str(order.time_ms), "sCode": "0", "sMsg": ""}])

    def lookup(self, params: dict[str, str]) -> StoredOrder | None:
        return self.ledger.find(params.get("ordId"), params.get("clOrdId"))

    async def h_order(self, request: web.Request) -> web.Response:
        order = self.lookup(dict(request.query))
        if order is None:
            return self.fail_with("51603", "Order does not exist")
        return self.ok([self.order_json(order)])

    async def h_cancel(self, request: web.Request) -> web.Response:
        params = json.loads(request[SEEN].body)
        order = self.lookup(params)
        if order is None or order.status != "open":
            return self.fail_with("1", "Cancellation failed as the order does not exist.",
                                  "51400")
        order.status = "canceled"
        return self.ok([{"clOrdId": order.client_id, "ordId": order.id, "ts": "1",
                         "sCode": "0", "sMsg": ""}])

    def mine(self, request: web.Request) -> list[StoredOrder]:
        symbol = self.symbol_of(request.query.get("instId"))
        return [o for o in self.ledger.orders.values()
                if symbol is None or o.symbol == symbol]

    async def h_pending(self, request: web.Request) -> web.Response:
        return self.ok([self.order_json(o) for o in reversed(self.mine(request))
                        if o.status == "open"])

    async def h_history(self, request: web.Request) -> web.Response:
        return self.ok([self.order_json(o) for o in reversed(self.mine(request))
                        if o.status != "open"])

    async def h_fills(self, request: web.Request) -> web.Response:
        symbol = self.symbol_of(request.query.get("instId"))
        return self.ok([self.fill_json(f) for f in reversed(self.ledger.fills)
                        if symbol is None or f.order.symbol == symbol])
