"""Gate API v4 spot as documented: bare JSON bodies, errors as {"label","message"},
HMAC-SHA512 over method, path, query, SHA-512 of the body and timestamp (KEY, Timestamp,
SIGN headers); client order ids travel as ``text`` with a ``t-`` prefix."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from aiohttp import web

from tests.ccxt.standins.base import SEEN, D, StandIn, StoredFill, StoredOrder, decimals, plain

PREFIX = "/api/v4"
STATUS = {"open": "open", "closed": "closed", "canceled": "cancelled"}
FINISH = {"open": "open", "closed": "filled", "canceled": "cancelled"}


class GateStandIn(StandIn):
    venue = "gate"
    CREATE = ("POST", f"{PREFIX}/spot/orders")
    BALANCE = ("GET", f"{PREFIX}/spot/accounts")
    BOOK = ("GET", f"{PREFIX}/spot/order_book")
    RATE_LIMITED = (429, {"label": "TOO_MANY_REQUESTS", "message": "Request Rate limit Exceeded"})

    def pair(self, base: str, quote: str) -> str:
        return f"{base}_{quote}"

    def symbol_of(self, pair: str | None) -> tuple[str, str] | None:
        if not pair or "_" not in pair:
            return None
        base, quote = pair.split("_", 1)
        return (base, quote) if self.ledger.market(base, quote) else None

    def error(self, status: int, label: str, message: str) -> web.Response:
        return web.json_response({"label": label, "message": message}, status=status)

    def order_json(self, o: StoredOrder) -> dict[str, Any]:
        return {
            "id": o.id, "text": f"t-{o.client_id}", "amend_text": "-",
            "create_time": str(o.time_ms // 1000), "update_time": str(o.update_ms // 1000),
            "create_time_ms": o.time_ms, "update_time_ms": o.update_ms,
            "status": STATUS[o.status], "currency_pair": self.pair(*o.symbol),
            "type": o.type, "account": "spot", "side": o.side, "amount": plain(o.amount),
            "price": plain(o.price), "time_in_force": "poc" if o.tif == "PO" else "gtc",
            "iceberg": "0", "left": plain(o.amount - o.filled),
            "filled_amount": plain(o.filled), "fill_price": plain(o.cost),
            "filled_total": plain(o.cost),
            "avg_deal_price": plain(o.cost / o.filled) if o.filled else "0",
            "fee": "0", "fee_currency": o.symbol[0], "point_fee": "0", "gt_fee": "0",
            "gt_maker_fee": "0", "gt_taker_fee": "0", "gt_discount": False,
            "rebated_fee": "0", "rebated_fee_currency": o.symbol[1],
            "finish_as": FINISH[o.status],
        }

    def fill_json(self, f: StoredFill) -> dict[str, Any]:
        return {
            "id": f.id, "create_time": str(f.time_ms // 1000),
            "create_time_ms": f"{f.time_ms}.000", "currency_pair": self.pair(*f.order.symbol),
            "side": f.order.side, "role": "maker" if f.maker else "taker",
            "amount": plain(f.amount), "price": plain(f.price), "order_id": f.order.id,
            "fee": plain(f.fee), "fee_currency": f.fee_currency, "point_fee": "0",
            "gt_fee": "0", "amend_text": "-", "sequence_id": f.id,
            "text": f"t-{f.order.client_id}",
        }

    def wire_order(self, seen: Any) -> dict[str, str]:
        body = json.loads(seen.body)
        return {"amount": body["amount"], "price": body["price"]}

    # -- signing ---------------------------------------------------------------------------

    def verify(self, request: web.Request) -> web.Response | None:
        h = request[SEEN].headers
        if h.get("KEY") != self.api_key:
            return self.error(401, "INVALID_KEY", "Invalid key provided")
        body_hash = hashlib.sha512(request[SEEN].body.encode()).hexdigest()
        from urllib.parse import unquote

        payload = "\n".join([request.method, request.path, unquote(request.query_string),
                             body_hash, h.get("Timestamp", "")])
        expected = hmac.new(self.secret.encode(), payload.encode(), hashlib.sha512).hexdigest()
        if h.get("SIGN") != expected:
            return self.error(401, "INVALID_SIGNATURE", "Signature mismatch")
        return None

    # -- routes ----------------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        r, p = app.router, PREFIX
        r.add_get(f"{p}/spot/currency_pairs", self.h_pairs)
        r.add_get(f"{p}/margin/currency_pairs", self.h_empty)
        r.add_get(f"{p}/spot/currencies", self.h_empty)
        r.add_get(f"{p}/spot/order_book", self.h_book)
        r.add_get(f"{p}/spot/tickers", self.h_tickers)
        r.add_get(f"{p}/spot/trades", self.h_trades)
        r.add_get(f"{p}/spot/candlesticks", self.h_candles)
        r.add_get(f"{p}/spot/accounts", self.signed(self.h_accounts))
        r.add_post(f"{p}/spot/orders", self.signed(self.h_create))
        r.add_get(f"{p}/spot/orders/{{order_id}}", self.signed(self.h_order))
        r.add_delete(f"{p}/spot/orders/{{order_id}}", self.signed(self.h_cancel))
        r.add_get(f"{p}/spot/open_orders", self.signed(self.h_open))
        r.add_get(f"{p}/spot/orders", self.signed(self.h_orders))
        r.add_delete(f"{p}/spot/orders", self.signed(self.h_cancel_all))
        r.add_get(f"{p}/spot/my_trades", self.signed(self.h_my_trades))

    async def h_empty(self, request: web.Request) -> web.Response:
        return web.json_response([])

    async def h_pairs(self, request: web.Request) -> web.Response:
        return web.json_response([{
            "id": self.pair(m.base, m.quote), "base": m.base, "base_name": m.base,
            "quote": m.quote, "quote_name": m.quote, "fee": "0.2",
            "min_base_amount": plain(m.min_qty), "min_quote_amount": plain(m.min_notional),
            "max_base_amount": plain(m.max_qty), "max_quote_amount": "5000000",
            "amount_precision": decimals(m.step),
            "precision": decimals(m.tick),
            "trade_status": "tradable", "sell_start": 0, "buy_start": 0, "type": "normal",
        } for m in self.ledger.markets])

    async def h_book(self, request: web.Request) -> web.Response:
        limit = int(request.query.get("limit", "100"))
        return web.json_response({
            "id": 123456, "current": 1700000000000, "update": 1700000000000,
            "asks": [list(level) for level in self.ledger.asks[:limit]],
            "bids": [list(level) for level in self.ledger.bids[:limit]],
        })

    async def h_tickers(self, request: web.Request) -> web.Response:
        return web.json_response([{
            "currency_pair": request.query["currency_pair"], "last": self.ledger.bids[0][0],
            "lowest_ask": self.ledger.asks[0][0], "lowest_size": self.ledger.asks[0][1],
            "highest_bid": self.ledger.bids[0][0], "highest_size": self.ledger.bids[0][1],
            "change_percentage": "-2.05", "base_volume": "8913.30000000",
            "quote_volume": "15.30000000", "high_24h": "31000", "low_24h": "28000",
        }])

    async def h_trades(self, request: web.Request) -> web.Response:
        return web.json_response([
            {"id": "26130", "create_time": "1700000001", "create_time_ms": "1700000001000.000",
             "side": "buy", "amount": "0.5", "price": "30000.2", "sequence_id": "2"},
            {"id": "26129", "create_time": "1700000000", "create_time_ms": "1700000000000.000",
             "side": "sell", "amount": "0.001", "price": "30000.1", "sequence_id": "1"},
        ])

    async def h_candles(self, request: web.Request) -> web.Response:
        return web.json_response([["1700000000", "375000", "30005", "30010", "29990",
                                   "30000.1", "12.5", "true"]])

    async def h_accounts(self, request: web.Request) -> web.Response:
        return web.json_response([
            {"currency": c, "available": plain(self.ledger.free(c)),
             "locked": plain(self.ledger.locked(c)), "update_id": 1}
            for c in self.ledger.balances])

    async def h_create(self, request: web.Request) -> web.Response:
        body = json.loads(request[SEEN].body)
        symbol = self.symbol_of(body.get("currency_pair"))
        if symbol is None:
            return self.error(400, "INVALID_CURRENCY_PAIR", "Invalid currency pair")
        market = self.ledger.market(*symbol)
        assert market is not None
        qty = D(body["amount"])
        price = D(body["price"]) if body.get("price") else D(self.ledger.asks[0][0])
        if price % market.tick or qty % market.step:
            return self.error(400, "INVALID_PRECISION", "Invalid precision")
        if qty < market.min_qty or qty * price < market.min_notional:
            return self.error(400, "INVALID_PARAM_VALUE", "Your order size is too small")
        side = body["side"]
        if not self.ledger.affordable(symbol, side, price, qty):
            return self.error(400, "BALANCE_NOT_ENOUGH", "Not enough balance")
        text = str(body.get("text", "t-web")).removeprefix("t-")
        order = self.ledger.place(symbol, side, body.get("type", "limit"), price, qty, text,
                                  "PO" if body.get("time_in_force") == "poc" else "GTC")
        if order.type == "market":
            self.ledger.fill(order.id, maker=False)
        return web.json_response(self.order_json(order), status=201)

    def lookup(self, request: web.Request) -> StoredOrder | None:
        order_id = request.match_info["order_id"]
        if order_id.startswith("t-"):
            return self.ledger.find(None, order_id.removeprefix("t-"))
        return self.ledger.find(order_id, None)

    async def h_order(self, request: web.Request) -> web.Response:
        order = self.lookup(request)
        if order is None:
            return self.error(404, "ORDER_NOT_FOUND", "Order not found")
        return web.json_response(self.order_json(order))

    async def h_cancel(self, request: web.Request) -> web.Response:
        order = self.lookup(request)
        if order is None or order.status != "open":
            return self.error(404, "ORDER_NOT_FOUND", "Order not found")
        order.status = "canceled"
        return web.json_response(self.order_json(order))

    def mine(self, request: web.Request) -> list[StoredOrder]:
        symbol = self.symbol_of(request.query.get("currency_pair"))
        return [o for o in self.ledger.orders.values() if symbol is None or o.symbol == symbol]

    async def h_open(self, request: web.Request) -> web.Response:
        by_pair: dict[str, list[dict[str, Any]]] = {}
        for o in self.mine(request):
            if o.status == "open":
                by_pair.setdefault(self.pair(*o.symbol), []).append(self.order_json(o))
        return web.json_response([{"currency_pair": pair, "total": len(orders),
                                   "orders": orders} for pair, orders in by_pair.items()])

    async def h_orders(self, request: web.Request) -> web.Response:
        wanted = request.query.get("status", "open")
        if wanted == "open" and "currency_pair" not in request.query:
            return self.error(400, "MISSING_REQUIRED_PARAM", "currency_pair is required")
        orders = [o for o in self.mine(request)
                  if (o.status == "open") == (wanted == "open")]
        return web.json_response([self.order_json(o) for o in orders])

    async def h_cancel_all(self, request: web.Request) -> web.Response:
        cancelled = []
        for o in self.mine(request):
            if o.status == "open":
                o.status = "canceled"
                cancelled.append(self.order_json(o))
        return web.json_response(cancelled)

    async def h_my_trades(self, request: web.Request) -> web.Response:
        symbol = self.symbol_of(request.query.get("currency_pair"))
        return web.json_response([self.fill_json(f) for f in self.ledger.fills
                                  if symbol is None or f.order.symbol == symbol])
