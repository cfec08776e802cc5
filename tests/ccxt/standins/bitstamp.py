"""Bitstamp API v2 as documented: private calls are form POSTs signed with the X-Auth
headers (HMAC-SHA256 over method, host+path, content type, nonce, timestamp, version and
body); errors are {"status": "error", "reason": ...}. There is no order-history endpoint:
closed orders exist only as the account's transactions."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from tests.ccxt.standins.base import SEEN, D, StandIn, StoredFill, StoredOrder, decimals, plain

STATUS = {"open": "Open", "closed": "Finished", "canceled": "Canceled"}


def stamp(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class BitstampStandIn(StandIn):
    venue = "bitstamp"
    CREATE = ("POST", "/api/v2/buy/btcusdt/")
    BALANCE = ("POST", "/api/v2/account_balances/")
    BOOK = ("GET", "/api/v2/order_book/btcusdt/")
    RATE_LIMITED = (429, "Too Many Requests")

    def creates(self) -> list[Any]:
        return [s for s in self.seen if s.method == "POST"
                and (s.path.startswith("/api/v2/buy/") or s.path.startswith("/api/v2/sell/"))]

    def pair(self, base: str, quote: str) -> str:
        return f"{base}{quote}".lower()

    def symbol_of(self, pair: str | None) -> tuple[str, str] | None:
        return next(((m.base, m.quote) for m in self.ledger.markets
                     if self.pair(m.base, m.quote) == pair), None)

    def error(self, reason: Any, code: str = "API0000", status: int = 200) -> web.Response:
        return web.json_response({"status": "error", "reason": reason, "code": code},
                                 status=status)

    def order_json(self, o: StoredOrder) -> dict[str, Any]:
        return {"id": o.id, "datetime": stamp(o.time_ms), "type": "0" if o.side == "buy" else "1",
                "price": plain(o.price), "amount": plain(o.amount - o.filled),
                "amount_at_create": plain(o.amount),
                "currency_pair": f"{o.symbol[0]}/{o.symbol[1]}",
                "market": f"{o.symbol[0]}/{o.symbol[1]}", "client_order_id": o.client_id}

    def transaction_json(self, f: StoredFill) -> dict[str, Any]:
        base, quote = (c.lower() for c in f.order.symbol)
        sign = "" if f.order.side == "buy" else "-"
        return {"id": int(f.id), "datetime": stamp(f.time_ms), "type": "2",
                "fee": plain(f.fee), base: f"{sign}{plain(f.amount)}",
                quote: plain(f.amount * f.price) if sign else f"-{plain(f.amount * f.price)}",
                f"{base}_{quote}": plain(f.price), "order_id": int(f.order.id)}

    def wire_order(self, seen: Any) -> dict[str, str]:
        return {"amount": seen.form["amount"], "price": seen.form["price"]}

    # -- signing ---------------------------------------------------------------------------

    def verify(self, request: web.Request) -> web.Response | None:
        h = request[SEEN].headers
        if h.get("X-Auth") != f"BITSTAMP {self.api_key}":
            return self.error("API key not found", "API0001", 403)
        url = f"http://{request.host}{request.path_qs}"
        auth = (h["X-Auth"] + request.method + url + h.get("Content-Type", "")
                + h.get("X-Auth-Nonce", "") + h.get("X-Auth-Timestamp", "")
                + h.get("X-Auth-Version", "") + request[SEEN].body)
        expected = hmac.new(self.secret.encode(), auth.encode(), hashlib.sha256).hexdigest()
        if h.get("X-Auth-Signature") != expected:
            return self.error("Invalid signature", "API0005", 403)
        return None

    # -- routes ----------------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        r, p = app.router, "/api/v2"
        r.add_get(f"{p}/markets/", self.h_markets)
        r.add_get(f"{p}/order_book/{{pair}}/", self.h_book)
        r.add_get(f"{p}/ticker/{{pair}}/", self.h_ticker)
        r.add_get(f"{p}/transactions/{{pair}}/", self.h_trades)
        r.add_get(f"{p}/ohlc/{{pair}}/", self.h_ohlc)
        r.add_post(f"{p}/account_balances/", self.signed(self.h_balances))
        r.add_post(f"{p}/buy/{{pair}}/", self.signed(self.h_create))
        r.add_post(f"{p}/sell/{{pair}}/", self.signed(self.h_create))
        r.add_post(f"{p}/order_status/", self.signed(self.h_status))
        r.add_post(f"{p}/cancel_order/", self.signed(self.h_cancel))
        r.add_post(f"{p}/open_orders/all/", self.signed(self.h_open))
        r.add_post(f"{p}/open_orders/{{pair}}/", self.signed(self.h_open))
        r.add_post(f"{p}/cancel_all_orders/", self.signed(self.h_cancel_all))
        r.add_post(f"{p}/cancel_all_orders/{{pair}}/", self.signed(self.h_cancel_all))
        r.add_post(f"{p}/user_transactions/", self.signed(self.h_user_transactions))
        r.add_post(f"{p}/user_transactions/{{pair}}/", self.signed(self.h_user_transactions))

    async def h_markets(self, request: web.Request) -> web.Response:
        return web.json_response([{
            "name": f"{m.base}/{m.quote}", "market_symbol": self.pair(m.base, m.quote),
            "base_currency": m.base, "base_decimals": decimals(m.step),
            "counter_currency": m.quote,
            "counter_decimals": decimals(m.tick),
            "minimum_order_value": plain(m.min_notional),
            "minimum_order_amount": plain(m.min_qty),
            "maximum_order_amount": plain(m.max_qty), "maximum_order_value": "10000000",
            "trading": "Enabled", "instant_order_counter_decimals": 2,
            "instant_and_market_orders": "Enabled", "description": f"{m.base} / {m.quote}",
            "market_type": "SPOT",
        } for m in self.ledger.markets])

    async def h_book(self, request: web.Request) -> web.Response:
        return web.json_response({
            "timestamp": "1700000000", "microtimestamp": "1700000000000000",
            "bids": [list(level) for level in self.ledger.bids],
            "asks": [list(level) for level in self.ledger.asks],
        })

    async def h_ticker(self, request: web.Request) -> web.Response:
        return web.json_response({
            "timestamp": "1700000000", "open": "29000", "high": "31000", "low": "28000",
            "last": self.ledger.bids[0][0], "volume": "8913.30000000", "vwap": "30000",
            "bid": self.ledger.bids[0][0], "ask": self.ledger.asks[0][0], "side": "0",
            "open_24": "29000", "percent_change_24": "3.45", "pair": "BTC/USDT",
        })

    async def h_trades(self, request: web.Request) -> web.Response:
        return web.json_response([
            {"date": "1700000001", "tid": "26130", "amount": "0.5", "type": "0",
             "price": "30000.2"},
            {"date": "1700000000", "tid": "26129", "amount": "0.001", "type": "1",
             "price": "30000.1"},
        ])

    async def h_ohlc(self, request: web.Request) -> web.Response:
        return web.json_response({"data": {"pair": "BTC/USDT", "ohlc": [
            {"timestamp": "1700000000", "open": "30000.1", "high": "30010", "low": "29990",
             "close": "30005", "volume": "12.5"}]}})

    async def h_balances(self, request: web.Request) -> web.Response:
        return web.json_response([
            {"currency": c.lower(), "total": plain(self.ledger.balances[c]),
             "available": plain(self.ledger.free(c)), "reserved": plain(self.ledger.locked(c))}
            for c in self.ledger.balances])

    async def h_create(self, request: web.Request) -> web.Response:
        form = request[SEEN].form
        symbol = self.symbol_of(request.match_info["pair"])
        if symbol is None:
            return self.error("Invalid currency pair", "API0003", 404)
        market = self.ledger.market(*symbol)
        assert market is not None
        qty, price = D(form["amount"]), D(form["price"])
        if price % market.tick or qty % market.step:
            return self.error({"__all__": ["Ensure that there are no more than 2 decimal "
                                           "places."]})
        if qty < market.min_qty or qty * price < market.min_notional:
            return self.error({"__all__": [f"Minimum order size is {market.min_notional} "
                                           f"{symbol[1]}."]})
        side = "buy" if "/buy/" in request.path else "sell"
        if not self.ledger.affordable(symbol, side, price, qty):
            return self.error({"__all__": [
                f"You need {plain(qty * price)} {symbol[1]} to open that order. You have only "
                f"{plain(self.ledger.free(symbol[1]))} {symbol[1]} available. Check your "
                "account balance for details."]})
        tif = "PO" if form.get("moc_order", "").lower() == "true" else "GTC"
        order = self.ledger.place(symbol, side, "limit", price, qty,
                                  form.get("client_order_id", ""), tif)
        body = self.order_json(order)
        body["amount"] = plain(order.amount)
        return web.json_response(body)

    def lookup(self, form: dict[str, str]) -> StoredOrder | None:
        return self.ledger.find(form.get("id"), form.get("client_order_id"))

    async def h_status(self, request: web.Request) -> web.Response:
        order = self.lookup(request[SEEN].form)
        if order is None:
            return self.error("Order not found.", "API0013", 404)
        base, quote = (c.lower() for c in order.symbol)
        return web.json_response({
            "id": order.id, "datetime": stamp(order.time_ms),
            "type": "0" if order.side == "buy" else "1", "status": STATUS[order.status],
            "market": f"{order.symbol[0]}/{order.symbol[1]}",
            "transactions": [
                {"tid": int(f.id), "price": plain(f.price), base: plain(f.amount),
                 quote: plain(f.amount * f.price), "fee": plain(f.fee),
                 "datetime": stamp(f.time_ms), "type": 2}
                for f in self.ledger.fills if f.order is order],
            "amount_remaining": plain(order.amount - order.filled),
            "client_order_id": order.client_id,
        })

    async def h_cancel(self, request: web.Request) -> web.Response:
        order = self.lookup(request[SEEN].form)
        if order is None or order.status != "open":
            return self.error("Order not found.", "API0013", 404)
        order.status = "canceled"
        return web.json_response({"id": int(order.id), "amount": plain(order.amount - order.filled),
                                  "price": plain(order.price),
                                  "type": 0 if order.side == "buy" else 1})

    def mine(self, request: web.Request) -> list[StoredOrder]:
        symbol = self.symbol_of(request.match_info.get("pair"))
        return [o for o in self.ledger.orders.values()
                if o.status == "open" and (symbol is None or o.symbol == symbol)]

    async def h_open(self, request: web.Request) -> web.Response:
        return web.json_response([self.order_json(o) for o in self.mine(request)])

    async def h_cancel_all(self, request: web.Request) -> web.Response:
        cancelled = []
        for o in self.mine(request):
            o.status = "canceled"
            cancelled.append({"id": int(o.id), "amount": plain(o.amount - o.filled),
                              "price": plain(o.price), "type": 0 if o.side == "buy" else 1,
                              "currency_pair": f"{o.symbol[0]}/{o.symbol[1]}"})
        return web.json_response({"canceled": cancelled, "success": True})

    async def h_user_transactions(self, request: web.Request) -> web.Response:
        symbol = self.symbol_of(request.match_info.get("pair"))
        return web.json_response([self.transaction_json(f) for f in reversed(self.ledger.fills)
                                  if symbol is None or f.order.symbol == symbol])
