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

import json
import zlib
from decimal import Decimal
from typing import Any

from aiohttp import web

from tests.ccxt.standins.base import Ledger, text_messages
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
        for socket in list(self.sockets):
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
