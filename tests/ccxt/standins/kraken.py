"""Kraken REST as documented: {"error": [...], "result": ...} envelopes, private calls
as form POSTs with API-Key and API-Sign = base64(HMAC-SHA512(path + SHA256(nonce +
body), base64-decoded secret)); orders keyed by txid, client ids as ``cl_ord_id``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Any

from aiohttp import web

from tests.ccxt.standins.base import SEEN, D, StandIn, StoredFill, StoredOrder, decimals, plain

ASSET = {"BTC": "XXBT", "ETH": "XETH", "USDT": "USDT"}
CODE = {v: k for k, v in ASSET.items()}
CLIENT_ID = re.compile(r"^([0-9a-f]{32}|[0-9a-f-]{36}|[ -~]{1,18})$")


class KrakenStandIn(StandIn):
    venue = "kraken"
    CREATE = ("POST", "/0/private/AddOrder")
    BALANCE = ("POST", "/0/private/BalanceEx")
    BOOK = ("GET", "/0/public/Depth")
    RATE_LIMITED = (200, {"error": ["EAPI:Rate limit exceeded"]})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("secret", base64.b64encode(b"kraken-secret").decode())
        super().__init__(*args, **kwargs)

    def pair(self, base: str, quote: str) -> str:
        return f"{'XBT' if base == 'BTC' else base}{quote}"

    def symbol_of(self, pair: str | None) -> tuple[str, str] | None:
        return next(((m.base, m.quote) for m in self.ledger.markets
                     if self.pair(m.base, m.quote) == pair), None)

    def ok(self, result: Any) -> web.Response:
        return web.json_response({"error": [], "result": result})

    def error(self, *errors: str) -> web.Response:
        return web.json_response({"error": list(errors)})

    def txid(self, o: StoredOrder) -> str:
        return f"O{int(o.id):05d}-AAAAA-BBBBBB"

    def ledger_id(self, order_id: str) -> str:
        return str(int(order_id[1:6]))

    def order_json(self, o: StoredOrder) -> dict[str, Any]:
        pair = self.pair(*o.symbol)
        return {
            "refid": None, "userref": 0, "cl_ord_id": o.client_id,
            "status": {"open": "open", "closed": "closed", "canceled": "canceled"}[o.status],
            "opentm": o.time_ms / 1000, "starttm": 0, "expiretm": 0,
            **({"closetm": o.update_ms / 1000} if o.status != "open" else {}),
            "descr": {"pair": pair, "type": o.side, "ordertype": o.type,
                      "price": plain(o.price), "price2": "0", "leverage": "none",
                      "order": f"{o.side} {plain(o.amount)} {pair} @ limit {plain(o.price)}",
                      "close": ""},
            "vol": f"{o.amount:.8f}", "vol_exec": f"{o.filled:.8f}", "cost": plain(o.cost),
            "fee": "0.00000", "price": plain(o.cost / o.filled) if o.filled else "0",
            "stopprice": "0", "limitprice": "0", "misc": "",
            "oflags": "fciq,post" if o.tif == "PO" else "fciq",
        }

    def trade_json(self, f: StoredFill) -> dict[str, Any]:
        return {
            "ordertxid": self.txid(f.order), "postxid": "TKH2SE-M7IF5-CFI7LT",
            "pair": self.pair(*f.order.symbol), "time": f.time_ms / 1000,
            "type": f.order.side, "ordertype": "limit", "price": plain(f.price),
            "cost": plain(f.price * f.amount), "fee": plain(f.fee), "vol": plain(f.amount),
            "margin": "0.00000", "misc": "", "maker": f.maker,
        }

    def wire_order(self, seen: Any) -> dict[str, str]:
        return {"amount": seen.form["volume"], "price": seen.form["price"]}

    # -- signing ---------------------------------------------------------------------------

    def verify(self, request: web.Request) -> web.Response | None:
        seen = request[SEEN]
        if seen.headers.get("API-Key") != self.api_key:
            return self.error("EAPI:Invalid key")
        nonce = seen.form.get("nonce", "")
        digest = hashlib.sha256((nonce + seen.body).encode()).digest()
        try:
            key = base64.b64decode(self.secret)
        except ValueError:
            return self.error("EAPI:Invalid key")
        expected = base64.b64encode(
            hmac.new(key, request.path.encode() + digest, hashlib.sha512).digest()).decode()
        if seen.headers.get("API-Sign") != expected:
            return self.error("EAPI:Invalid signature")
        return None

    # -- routes ----------------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/0/public/AssetPairs", self.h_pairs)
        r.add_get("/0/public/Assets", self.h_assets)
        r.add_get("/0/public/Depth", self.h_depth)
        r.add_get("/0/public/Ticker", self.h_ticker)
        r.add_get("/0/public/Trades", self.h_trades)
        r.add_get("/0/public/OHLC", self.h_ohlc)
        r.add_post("/0/private/BalanceEx", self.signed(self.h_balance))
        r.add_post("/0/private/AddOrder", self.signed(self.h_add))
        r.add_post("/0/private/QueryOrders", self.signed(self.h_query))
        r.add_post("/0/private/CancelOrder", self.signed(self.h_cancel))
        r.add_post("/0/private/CancelAll", self.signed(self.h_cancel_all))
        r.add_post("/0/private/OpenOrders", self.signed(self.h_open))
        r.add_post("/0/private/ClosedOrders", self.signed(self.h_closed))
        r.add_post("/0/private/TradesHistory", self.signed(self.h_trades_history))

    async def h_pairs(self, request: web.Request) -> web.Response:
        return self.ok({self.pair(m.base, m.quote): {
            "altname": self.pair(m.base, m.quote),
            "wsname": f"{'XBT' if m.base == 'BTC' else m.base}/{m.quote}",
            "aclass_base": "currency", "base": ASSET[m.base], "aclass_quote": "currency",
            "quote": ASSET[m.quote], "lot": "unit", "cost_decimals": 5,
            "pair_decimals": decimals(m.tick),
            "lot_decimals": decimals(m.step), "lot_multiplier": 1,
            "leverage_buy": [], "leverage_sell": [], "fees": [[0, 0.26], [50000, 0.24]],
            "fees_maker": [[0, 0.16], [50000, 0.14]], "fee_volume_currency": "ZUSD",
            "margin_call": 80, "margin_stop": 40, "ordermin": plain(m.min_qty),
            "costmin": plain(m.min_notional), "tick_size": plain(m.tick), "status": "online",
        } for m in self.ledger.markets})

    async def h_assets(self, request: web.Request) -> web.Response:
        return self.ok({asset: {"aclass": "currency", "altname": "XBT" if code == "BTC" else code,
                                "decimals": 10, "display_decimals": 5, "status": "enabled"}
                        for code, asset in ASSET.items()})

    async def h_depth(self, request: web.Request) -> web.Response:
        return self.ok({request.query["pair"]: {
            "asks": [[p, a, 1700000000] for p, a in self.ledger.asks],
            "bids": [[p, a, 1700000000] for p, a in self.ledger.bids]}})

    async def h_ticker(self, request: web.Request) -> web.Response:
        (bid, _bid_size), (ask, _ask_size) = self.ledger.bids[0], self.ledger.asks[0]
        return self.ok({request.query["pair"]: {
            "a": [ask, "1", "1.000"], "b": [bid, "1", "1.000"], "c": [bid, "0.1"],
            "v": ["100.0", "8913.30000000"], "p": ["30000", "30000"], "t": [10, 76],
            "l": ["28000", "28000"], "h": ["31000", "31000"], "o": "29000"}})

    async def h_trades(self, request: web.Request) -> web.Response:
        return self.ok({request.query["pair"]: [
            ["30000.10000", "0.00100000", 1700000000.0, "s", "l", "", 26129],
            ["30000.20000", "0.50000000", 1700000001.0, "b", "l", "", 26130]],
            "last": "1700000001000000000"})

    async def h_ohlc(self, request: web.Request) -> web.Response:
        return self.ok({request.query["pair"]: [
            [1700000000, "30000.1", "30010.0", "29990.0", "30005.0", "30000.0", "12.5", 100]],
            "last": 1700000000})

    async def h_balance(self, request: web.Request) -> web.Response:
        return self.ok({ASSET[c]: {"balance": f"{self.ledger.balances[c]:.8f}",
                                   "hold_trade": f"{self.ledger.locked(c):.8f}"}
                        for c in self.ledger.balances})

    async def h_add(self, request: web.Request) -> web.Response:
        form = request[SEEN].form
        symbol = self.symbol_of(form.get("pair"))
        if symbol is None:
            return self.error("EQuery:Unknown asset pair")
        market = self.ledger.market(*symbol)
        assert market is not None
        qty, price = D(form["volume"]), D(form.get("price") or self.ledger.asks[0][0])
        if price % market.tick:
            return self.error("EOrder:Invalid price:XBTUSDT price can only be specified up "
                              "to 2 decimals.")
        if qty < market.min_qty or qty % market.step:
            return self.error("EOrder:Order minimum not met")
        if qty * price < market.min_notional:
            return self.error("EOrder:Cost minimum not met")
        client_id = form.get("cl_ord_id", "")
        if client_id and not CLIENT_ID.match(client_id):
            return self.error("EGeneral:Invalid arguments:cl_ord_id")
        if not self.ledger.affordable(symbol, form["type"], price, qty):
            return self.error("EOrder:Insufficient funds")
        order = self.ledger.place(symbol, form["type"], form["ordertype"], price, qty,
                                  client_id, "PO" if "post" in form.get("oflags", "") else "GTC")
        return self.ok({"descr": {"order": self.order_json(order)["descr"]["order"]},
                        "txid": [self.txid(order)]})

    def lookup(self, form: dict[str, str]) -> StoredOrder | None:
        txid, client_id = form.get("txid"), form.get("cl_ord_id")
        order_id = self.ledger_id(txid) if txid and txid.startswith("O") else None
        return self.ledger.find(order_id, client_id)

    async def h_query(self, request: web.Request) -> web.Response:
        order = self.lookup(request[SEEN].form)
        if order is None:
            return self.error("EOrder:Unknown order")
        return self.ok({self.txid(order): self.order_json(order)})

    async def h_cancel(self, request: web.Request) -> web.Response:
        order = self.lookup(request[SEEN].form)
        if order is None or order.status != "open":
            return self.error("EOrder:Unknown order")
        order.status = "canceled"
        return self.ok({"count": 1})

    async def h_cancel_all(self, request: web.Request) -> web.Response:
        count = 0
        for o in self.ledger.orders.values():
            if o.status == "open":
                o.status, count = "canceled", count + 1
        return self.ok({"count": count})

    async def h_open(self, request: web.Request) -> web.Response:
        return self.ok({"open": {self.txid(o): self.order_json(o)
                                 for o in self.ledger.orders.values() if o.status == "open"}})

    async def h_closed(self, request: web.Request) -> web.Response:
        closed = {self.txid(o): self.order_json(o)
                  for o in reversed(self.ledger.orders.values()) if o.status != "open"}
        return self.ok({"closed": closed, "count": len(closed)})

    async def h_trades_history(self, request: web.Request) -> web.Response:
        trades = {f"T{int(f.id):05d}-CCCCC-DDDDDD": self.trade_json(f)
                  for f in reversed(self.ledger.fills)}
        return self.ok({"trades": trades, "count": len(trades)})
