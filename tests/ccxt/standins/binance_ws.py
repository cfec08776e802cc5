"""Binance spot websocket streams as documented, beside the REST stand-in.

- Market streams (``/ws/<n>``): ``SUBSCRIBE``/``UNSUBSCRIBE`` requests answered with
  ``{"result": null, "id": N}``; ``<symbol>@depth@100ms`` diff events (``depthUpdate``
  with first/final update ids ``U``/``u``), whose REST snapshot (``/api/v3/depth``) carries
  the ``lastUpdateId`` they continue from; ``<symbol>@trade`` and ``<symbol>@ticker``
  (``24hrTicker``) events.
- The user data stream on the WebSocket API (``/ws-api/v3``), as ccxt subscribes to it:
  ``userDataStream.subscribe.signature`` signed with HMAC-SHA256 over the sorted params,
  then ``{"subscriptionId": 0, "event": {"e": "executionReport", ...}}`` for every change
  of an order, a fill being ``x = TRADE`` with its trade id ``t``.

Faults: :meth:`drop` closes every connection; ``refuse`` answers new websocket
handshakes with 503 (the venue unreachable); ``stalled`` keeps connections open and says
nothing; :meth:`lose_next` publishes a diff nobody receives (a sequence gap).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from tests.ccxt.standins.base import Ledger, StoredFill, StoredOrder, text, text_messages
from tests.ccxt.standins.binance import STATUS, BinanceStandIn
from tests.ccxt.standins.live_book import Level, LiveBook


def _ms() -> int:
    return int(time.time() * 1000)


class BinanceStreamStandIn(BinanceStandIn):
    """The REST stand-in plus the market and user data websockets of one account."""

    def __init__(self, ledger: Ledger, **kwargs: Any) -> None:
        super().__init__(ledger, **kwargs)
        self.update_id = 1027024
        self.book = LiveBook(ledger)
        self.market_sockets: dict[web.WebSocketResponse, set[str]] = {}
        self.user_sockets: set[web.WebSocketResponse] = set()
        self.refuse = False
        self.stalled = False
        self.trade_id = 5000
        self.handshakes = 0
        self.pending: set[asyncio.Future[None]] = set()

    # -- routes ---------------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        super().routes(app)
        app.router.add_get("/ws/{stream}", self.h_market_ws)
        app.router.add_get("/ws-api/v3", self.h_user_ws)

    async def h_depth(self, request: web.Request) -> web.Response:
        limit = int(request.query.get("limit", "100"))
        return web.json_response({
            "lastUpdateId": self.update_id,
            "bids": [[text(p), text(q)] for p, q in self.levels("bids")[:limit]],
            "asks": [[text(p), text(q)] for p, q in self.levels("asks")[:limit]],
        })

    def levels(self, side: str) -> list[Level]:
        return self.book.levels(side)

    async def _accept(self, request: web.Request) -> web.WebSocketResponse | web.Response:
        if self.refuse:
            return web.Response(status=503, text="Service Unavailable")
        self.handshakes += 1
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        return socket

    async def h_market_ws(self, request: web.Request) -> web.StreamResponse:
        socket = await self._accept(request)
        if not isinstance(socket, web.WebSocketResponse):
            return socket
        topics: set[str] = set()
        self.market_sockets[socket] = topics
        try:
            async for data in text_messages(socket):
                request_body = json.loads(data)
                params = request_body.get("params", [])
                if request_body.get("method") == "SUBSCRIBE":
                    topics.update(params)
                elif request_body.get("method") == "UNSUBSCRIBE":
                    topics.difference_update(params)
                await socket.send_str(json.dumps({"result": None, "id": request_body["id"]}))
        finally:
            self.market_sockets.pop(socket, None)
        return socket

    async def h_user_ws(self, request: web.Request) -> web.StreamResponse:
        socket = await self._accept(request)
        if not isinstance(socket, web.WebSocketResponse):
            return socket
        try:
            async for data in text_messages(socket):
                body = json.loads(data)
                if body.get("method") != "userDataStream.subscribe.signature":
                    await socket.send_str(json.dumps({
                        "id": body.get("id"), "status": 400,
                        "error": {"code": -1100, "msg": "Unknown method."}}))
                    continue
                refusal = self._refuse_signature(body.get("params") or {})
                if refusal is not None:
                    await socket.send_str(json.dumps({"id": body["id"], "status": 401,
                                                      "error": refusal}))
                    continue
                self.user_sockets.add(socket)
                await socket.send_str(json.dumps({
                    "id": body["id"], "status": 200, "result": {"subscriptionId": 0}}))
        finally:
            self.user_sockets.discard(socket)
        return socket

    def _refuse_signature(self, params: dict[str, Any]) -> dict[str, Any] | None:
        signature = params.get("signature", "")
        if params.get("apiKey") != self.api_key:
            return {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}
        payload = urlencode(sorted((k, v) for k, v in params.items() if k != "signature"))
        expected = hmac.new(self.secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(str(signature), expected):
            return {"code": -1022, "msg": "Signature for this request is not valid."}
        return None

    # -- publishing -----------------------------------------------------------------------

    def _market_id(self) -> str:
        return "BTCUSDT"

    async def _publish(self, topic: str, event: dict[str, Any]) -> None:
        if self.stalled:
            return
        data = json.dumps(event)
        for socket, topics in list(self.market_sockets.items()):
            if topic in topics and not socket.closed:
                await socket.send_str(data)

    def subscribers(self, topic: str) -> int:
        return sum(1 for topics in self.market_sockets.values() if topic in topics)

    async def diff(self, bids: list[Level] = (), asks: list[Level] = (),  # type: ignore[assignment]
                   *, lost: bool = False) -> int:
        """Apply a change to the book and publish it as one ``depthUpdate`` (an amount of
        0 removes the level); ``lost``: nobody receives it (a sequence gap)."""
        first = self.update_id + 1
        self.update_id += max(1, len(bids) + len(asks))
        self.book.apply(bids, asks)
        self._mirror()
        if lost:
            return self.update_id
        event = {"e": "depthUpdate", "E": _ms(), "s": self._market_id(), "U": first,
                 "u": self.update_id,
                 "b": [[text(p), text(q)] for p, q in bids],
                 "a": [[text(p), text(q)] for p, q in asks]}
        await self._publish("btcusdt@depth@100ms", event)
        return self.update_id

    def _mirror(self) -> None:
        """The REST ledger's book (ticker, market orders) follows the streamed one."""
        self.ledger.bids = [(text(p), text(q)) for p, q in self.levels("bids")]
        self.ledger.asks = [(text(p), text(q)) for p, q in self.levels("asks")]

    async def trade(self, price: Decimal, amount: Decimal, *, buyer_maker: bool) -> int:
        self.trade_id += 1
        await self._publish("btcusdt@trade", {
            "e": "trade", "E": _ms(), "s": self._market_id(), "t": self.trade_id,
            "p": text(price), "q": text(amount), "T": _ms(), "m": buyer_maker, "M": True})
        return self.trade_id

    async def ticker(self) -> None:
        (bid, bid_qty), (ask, ask_qty) = self.levels("bids")[0], self.levels("asks")[0]
        await self._publish("btcusdt@ticker", {
            "e": "24hrTicker", "E": _ms(), "s": self._market_id(), "p": "0.00000000",
            "P": "0.000", "w": text(bid), "x": text(bid), "c": text(bid), "Q": "0.00100000",
            "b": text(bid), "B": text(bid_qty), "a": text(ask), "A": text(ask_qty),
            "o": text(bid), "h": text(ask), "l": text(bid), "v": "10.00000000",
            "q": "300000.00000000", "O": _ms() - 86_400_000, "C": _ms(), "F": 1, "L": 2,
            "n": 2})

    # -- the user data stream -------------------------------------------------------------

    def execution_report(self, order: StoredOrder, execution: str,
                         fill: StoredFill | None = None) -> dict[str, Any]:
        kind = "LIMIT_MAKER" if order.tif == "PO" else order.type.upper()
        return {
            "e": "executionReport", "E": _ms(), "s": self.market_id(*order.symbol),
            "c": order.client_id, "S": order.side.upper(), "o": kind,
            "f": "GTC" if order.tif == "PO" else order.tif, "q": text(order.amount),
            "p": text(order.price), "P": "0.00000000", "F": "0.00000000", "g": -1,
            "C": "", "x": execution, "X": STATUS[order.status] if order.status != "open"
            or order.filled == 0 else "PARTIALLY_FILLED",
            "r": "NONE", "i": int(order.id),
            "l": text(fill.amount) if fill else "0.00000000", "z": text(order.filled),
            "L": text(fill.price) if fill else "0.00000000",
            "n": text(fill.fee) if fill else "0", "N": fill.fee_currency if fill else None,
            "T": fill.time_ms if fill else order.update_ms,
            "t": int(fill.id) if fill else -1, "I": 1, "w": order.status == "open",
            "m": fill.maker if fill else False, "M": False, "O": order.time_ms,
            "Z": text(order.cost), "Y": text(fill.price * fill.amount) if fill else "0",
            "Q": "0.00000000", "W": order.time_ms, "V": "NONE",
        }

    async def _push_user(self, event: dict[str, Any]) -> None:
        if self.stalled:
            return
        data = json.dumps({"subscriptionId": 0, "event": event})
        for socket in list(self.user_sockets):
            if not socket.closed:
                await socket.send_str(data)

    async def fill_order(self, order_id: str, amount: Decimal | None = None) -> StoredFill:
        """Fill an order at the venue (REST shows it at once) and push the event."""
        self.ledger.fill(order_id, amount)
        fill = self.ledger.fills[-1]
        await self._push_user(self.execution_report(fill.order, "TRADE", fill))
        return fill

    async def report(self, order_id: str, execution: str) -> None:
        """Push the order's current state (``NEW``, ``CANCELED`` ...)."""
        await self._push_user(self.execution_report(self.ledger.orders[order_id], execution))

    async def h_create(self, request: web.Request) -> web.Response:
        response = await super().h_create(request)
        if response.status == 200:
            body = json.loads(response.text or "{}")
            if "orderId" in body:
                report = asyncio.ensure_future(self.report(str(body["orderId"]), "NEW"))
                self.pending.add(report)
                report.add_done_callback(self.pending.discard)
        return response

    # -- faults ---------------------------------------------------------------------------

    async def drop(self) -> None:
        """Close every websocket connection, as a venue restarting its gateway does."""
        for socket in [*self.market_sockets, *self.user_sockets]:
            await socket.close()
