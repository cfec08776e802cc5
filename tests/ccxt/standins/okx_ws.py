"""OKX v5 public websocket (``/ws/v5/public``) as documented, beside the REST stand-in.

- ``{"op": "subscribe", "args": [{"channel": "books", "instId": "BTC-USDT"}]}`` is
  answered with ``{"event": "subscribe", "arg": ..., "connId": ...}``, then a ``snapshot``
  of the book; every change is an ``update`` carrying ``seqId`` and the ``prevSeqId`` it
  follows, and a ``checksum``: the CRC32 (signed 32-bit) of the first 25 bids and asks
  interleaved as ``bidPx:bidSz:askPx:askSz:...``, in the texts sent.
- ``unsubscribe`` is answered with ``{"event": "unsubscribe", ...}``; OKX sends a
  snapshot only on a subscribe, so a client resyncs by unsubscribing and subscribing.
- The text ``ping`` is answered with ``pong`` (OKX has no protocol-level ping).

Faults: :meth:`diff` with ``lost`` (a gap in the sequence) or ``bad_checksum``;
:meth:`drop` closes every connection; ``refuse`` answers new handshakes with 503;
``stalled`` keeps connections open and silent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import zlib
from decimal import Decimal
from typing import Any

from aiohttp import web

from tests.ccxt.standins.base import Ledger, StoredFill, StoredOrder, text_messages
from tests.ccxt.standins.live_book import Level, LiveBook
from tests.ccxt.standins.okx import OkxStandIn


def text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != value.to_integral_value() \
        else str(int(value))


def checksum(bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> int:
    """OKX's book checksum over the texts of the first 25 levels a side."""
    parts: list[str] = []
    for i in range(25):
        if i < len(bids):
            parts.extend(bids[i])
        if i < len(asks):
            parts.extend(asks[i])
    crc = zlib.crc32(":".join(parts).encode())
    return crc - 2**32 if crc >= 2**31 else crc


class OkxStreamStandIn(OkxStandIn):
    def __init__(self, ledger: Ledger, **kwargs: Any) -> None:
        super().__init__(ledger, **kwargs)
        self.book = LiveBook(ledger)
        self.seq = 1000
        self.sockets: dict[web.WebSocketResponse, set[str]] = {}
        self.private: set[web.WebSocketResponse] = set()
        self.snapshots = 0
        self.pings = 0
        self.handshakes = 0
        self.stalled = False
        """Connections stay open; no book message goes out."""
        self.refuse = False
        """New websocket handshakes are answered 503 (the gateway is down)."""

    def routes(self, app: web.Application) -> None:
        super().routes(app)
        app.router.add_get("/ws/v5/public", self.h_public_ws)
        app.router.add_get("/ws/v5/private", self.h_private_ws)

    def levels(self, side: str) -> list[Level]:
        return self.book.levels(side)

    def texts(self, side: str) -> list[tuple[str, str]]:
        return [(text(p), text(q)) for p, q in self.levels(side)]

    def _message(self, action: str, data: dict[str, Any]) -> str:
        return json.dumps({"arg": {"channel": "books", "instId": "BTC-USDT"},
                           "action": action, "data": [data]})

    async def h_public_ws(self, request: web.Request) -> web.StreamResponse:
        if self.refuse:
            return web.Response(status=503, text="Service Unavailable")
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.handshakes += 1
        channels: set[str] = set()
        self.sockets[socket] = channels
        try:
            async for data in text_messages(socket):
                if data == "ping":
                    self.pings += 1
                    await socket.send_str("pong")
                    continue
                body = json.loads(data)
                for arg in body.get("args", []):
                    await socket.send_str(json.dumps(
                        {"event": body["op"], "arg": arg, "connId": "a4d3ae55"}))
                    if body["op"] == "subscribe" and arg.get("channel") == "books":
                        channels.add("books")
                        await self._snapshot(socket)
                    elif body["op"] == "unsubscribe":
                        channels.discard(arg.get("channel", ""))
        finally:
            self.sockets.pop(socket, None)
        return socket

    async def drop(self) -> None:
        """Close every websocket connection."""
        for socket in [*self.sockets, *self.private]:
            await socket.close()

    async def _snapshot(self, socket: web.WebSocketResponse) -> None:
        if self.stalled:
            return
        self.snapshots += 1
        bids, asks = self.texts("bids"), self.texts("asks")
        await socket.send_str(self._message("snapshot", {
            "asks": [[p, q, "0", "1"] for p, q in asks],
            "bids": [[p, q, "0", "1"] for p, q in bids],
            "ts": "1700000000000", "checksum": checksum(bids, asks),
            "prevSeqId": -1, "seqId": self.seq}))

    async def diff(self, bids: list[Level] = (), asks: list[Level] = (),  # type: ignore[assignment]
                   *, lost: bool = False, bad_checksum: bool = False) -> int:
        """Apply a change and publish it as one ``update`` (amount 0 removes a level)."""
        previous = self.seq
        self.seq += 3  # OKX's sequence ids grow, not necessarily by one
        self.book.apply(bids, asks)
        self.ledger.bids = self.texts("bids")
        self.ledger.asks = self.texts("asks")
        if lost or self.stalled:
            return self.seq
        total = checksum(self.texts("bids"), self.texts("asks"))
        data = {"asks": [[text(p), text(q), "0", "1"] for p, q in asks],
                "bids": [[text(p), text(q), "0", "1"] for p, q in bids],
                "ts": "1700000000000", "checksum": total + 1 if bad_checksum else total,
                "prevSeqId": previous, "seqId": self.seq}
        for socket, channels in list(self.sockets.items()):
            if "books" in channels and not socket.closed:
                await socket.send_str(self._message("update", data))
        return self.seq

    # -- the private stream: login, the orders channel --------------------------------------

    def _login_refused(self, arg: dict[str, Any]) -> str | None:
        if arg.get("apiKey") != self.api_key or arg.get("passphrase") != self.password:
            return "Invalid OK-ACCESS-KEY"
        auth = f"{arg.get('timestamp', '')}GET/users/self/verify"
        expected = base64.b64encode(
            hmac.new(self.secret.encode(), auth.encode(), hashlib.sha256).digest()).decode()
        return None if arg.get("sign") == expected else "Invalid Sign"

    async def h_private_ws(self, request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        logged_in = False
        try:
            async for data in text_messages(socket):
                if data == "ping":
                    await socket.send_str("pong")
                    continue
                body = json.loads(data)
                if body.get("op") == "login":
                    refusal = self._login_refused((body.get("args") or [{}])[0])
                    logged_in = refusal is None
                    await socket.send_str(json.dumps(
                        {"event": "login", "code": "0", "msg": "", "connId": "b1"}
                        if logged_in else {"event": "error", "code": "60009",
                                           "msg": f"Login failed: {refusal}"}))
                    continue
                for arg in body.get("args", []):
                    if not logged_in:
                        await socket.send_str(json.dumps(
                            {"event": "error", "code": "60011", "msg": "Please log in"}))
                        continue
                    await socket.send_str(json.dumps(
                        {"event": body["op"], "arg": arg, "connId": "b1"}))
                    if body["op"] == "subscribe" and arg.get("channel") == "orders":
                        self.private.add(socket)
        finally:
            self.private.discard(socket)
        return socket

    def order_update(self, order: StoredOrder, fill: StoredFill | None) -> dict[str, Any]:
        """An ``orders`` channel update: the order as REST shows it, with the fill that
        caused it (``tradeId``, ``fillPx``, ``fillSz``, ``fillFee`` negative when
        charged, ``execType``)."""
        update = self.order_json(order)
        if fill is not None:
            update.update({
                "tradeId": fill.id, "fillPx": self.fill_json(fill)["fillPx"],
                "fillSz": self.fill_json(fill)["fillSz"], "fillTime": str(fill.time_ms),
                "fillFee": self.fill_json(fill)["fee"], "fillFeeCcy": fill.fee_currency,
                "execType": "M" if fill.maker else "T"})
        return update

    async def fill_order(self, order_id: str, amount: Decimal | None = None) -> StoredFill:
        """Fill an order at the venue (REST shows it at once) and push the update."""
        self.ledger.fill(order_id, amount)
        fill = self.ledger.fills[-1]
        message = json.dumps({"arg": {"channel": "orders", "instType": "ANY", "uid": "77"},
                              "data": [self.order_update(fill.order, fill)]})
        for socket in list(self.private):
            if not socket.closed:
                await socket.send_str(message)
        return fill
