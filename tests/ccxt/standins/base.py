"""A venue stand-in: an aiohttp server on 127.0.0.1 with an in-memory account.

The account (:class:`Ledger`) is venue-neutral and exact (Decimal); each venue module
formats it in that venue's documented REST format (the format ccxt parses) and checks
that venue's signature. Faults are injected per route: an error payload, or a dropped
connection after the request was processed (the order went through, the answer did not).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from aiohttp.typedefs import Handler

D = Decimal
ZERO = Decimal(0)


@dataclass
class SpotMarket:
    base: str
    quote: str
    tick: Decimal
    step: Decimal
    min_qty: Decimal
    min_notional: Decimal
    max_qty: Decimal = Decimal("9000")


@dataclass
class StoredOrder:
    id: str
    client_id: str
    symbol: tuple[str, str]  # base, quote
    side: str  # buy / sell
    type: str  # limit / market
    price: Decimal
    amount: Decimal
    filled: Decimal = ZERO
    cost: Decimal = ZERO
    status: str = "open"  # open / closed / canceled
    time_ms: int = 0
    update_ms: int = 0
    tif: str = "GTC"


@dataclass
class StoredFill:
    id: str
    order: StoredOrder
    price: Decimal
    amount: Decimal
    fee: Decimal
    fee_currency: str
    maker: bool
    time_ms: int


@dataclass
class Ledger:
    markets: list[SpotMarket]
    balances: dict[str, Decimal] = field(default_factory=dict)
    orders: dict[str, StoredOrder] = field(default_factory=dict)
    fills: list[StoredFill] = field(default_factory=list)
    bids: list[tuple[str, str]] = field(default_factory=list)
    asks: list[tuple[str, str]] = field(default_factory=list)
    tape: list[dict[str, Any]] | None = None
    """Public trades in the venue's own format, when a test prints them (else a fixed two)."""
    ids: Any = field(default_factory=lambda: itertools.count(1001))

    def market(self, base: str, quote: str) -> SpotMarket | None:
        return next((m for m in self.markets if m.base == base and m.quote == quote), None)

    def locked(self, currency: str) -> Decimal:
        total = D(0)
        for order in self.orders.values():
            if order.status != "open":
                continue
            left = order.amount - order.filled
            if order.side == "buy" and order.symbol[1] == currency:
                total += left * order.price
            if order.side == "sell" and order.symbol[0] == currency:
                total += left
        return total

    def free(self, currency: str) -> Decimal:
        return self.balances.get(currency, D(0)) - self.locked(currency)

    def place(self, symbol: tuple[str, str], side: str, kind: str, price: Decimal,
              amount: Decimal, client_id: str, tif: str = "GTC") -> StoredOrder:
        now = int(time.time() * 1000)
        order = StoredOrder(str(next(self.ids)), client_id, symbol, side, kind, price, amount,
                            time_ms=now, update_ms=now, tif=tif)
        self.orders[order.id] = order
        return order

    def affordable(self, symbol: tuple[str, str], side: str, price: Decimal,
                   amount: Decimal) -> bool:
        if side == "buy":
            return self.free(symbol[1]) >= price * amount
        return self.free(symbol[0]) >= amount

    def fill(self, order_id: str, amount: Decimal | None = None, *, maker: bool = True) -> None:
        order = self.orders[order_id]
        take = amount if amount is not None else order.amount - order.filled
        fee = (take * order.price * D("0.001")).quantize(D("0.00000001"))
        order.filled += take
        order.cost += take * order.price
        order.update_ms = order.time_ms + 1000 * (len(self.fills) + 1)
        base, quote = order.symbol
        sign = 1 if order.side == "buy" else -1
        self.balances[base] = self.balances.get(base, D(0)) + sign * take
        self.balances[quote] = self.balances.get(quote, D(0)) - sign * take * order.price - fee
        if order.filled == order.amount:
            order.status = "closed"
        self.fills.append(StoredFill(str(next(self.ids)), order, order.price, take, fee, quote,
                                     maker, order.update_ms))

    def find(self, order_id: str | None, client_id: str | None) -> StoredOrder | None:
        if order_id and order_id in self.orders:
            return self.orders[order_id]
        if client_id:
            return next((o for o in self.orders.values() if o.client_id == client_id), None)
        return None


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]
    body: str


SEEN: web.RequestKey[Seen] = web.RequestKey("seen", Seen)


class StandIn:
    """Subclasses add routes in :meth:`routes` and answer from ``self.ledger``.

    ``CREATE``, ``BALANCE`` and ``BOOK`` name the routes tests inject faults into;
    ``RATE_LIMITED`` is the venue's documented answer when it throttles.
    """

    venue = ""
    CREATE: tuple[str, str] = ("POST", "")
    BALANCE: tuple[str, str] = ("GET", "")
    BOOK: tuple[str, str] = ("GET", "")
    RATE_LIMITED: tuple[int, Any] = (429, {})
    HAS_MIN_NOTIONAL = True

    def verify(self, request: web.Request) -> web.Response | None:
        """The venue's refusal of a badly signed private request, or None."""
        raise NotImplementedError

    def signed(self, handler: Any) -> Any:
        """``handler`` behind the venue's signature check."""

        async def wrapped(request: web.Request) -> web.StreamResponse:
            refused = self.verify(request)
            return refused if refused is not None else await handler(request)

        return wrapped

    def __init__(self, ledger: Ledger, *, api_key: str = "key", secret: str = "secret",
                 password: str = "pass") -> None:
        self.ledger = ledger
        self.api_key = api_key
        self.secret = secret
        self.password = password
        self.seen: list[Seen] = []
        self.faults: dict[tuple[str, str], list[Any]] = {}
        self.runner: web.AppRunner | None = None
        self.url = ""

    # -- faults ---------------------------------------------------------------------------

    def fail(self, method: str, path: str, status: int, payload: Any) -> None:
        """Answer the next ``method path`` with ``status`` and the venue's error payload."""
        self.faults.setdefault((method, path), []).append(("fail", status, payload))

    def drop_after(self, method: str, path: str) -> None:
        """Process the next ``method path`` normally, then drop the connection unanswered."""
        self.faults.setdefault((method, path), []).append(("drop",))

    def ledger_id(self, order_id: str) -> str:
        """The ledger's id of an order id as the venue printed it."""
        return order_id

    def creates(self) -> list[Seen]:
        """Every order creation the stand-in received."""
        return self.requests(*self.CREATE)

    def requests(self, method: str, path: str) -> list[Seen]:
        return [s for s in self.seen if s.method == method and s.path == path]

    # -- server ---------------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        body = await request.text()
        form: dict[str, str] = {}
        if request.content_type == "application/x-www-form-urlencoded" and body:
            from urllib.parse import parse_qsl

            form = dict(parse_qsl(body, keep_blank_values=True))
        seen = Seen(request.method, request.path, dict(request.query), form,
                    dict(request.headers), body)
        self.seen.append(seen)
        request[SEEN] = seen
        queue = self.faults.get((request.method, request.path))
        fault = queue.pop(0) if queue else None
        if fault is not None and fault[0] == "fail":
            if isinstance(fault[2], str):
                return web.Response(text=fault[2], status=fault[1])
            return web.json_response(fault[2], status=fault[1])
        response = await handler(request)
        if fault is not None and fault[0] == "drop":
            assert request.transport is not None
            request.transport.close()
            raise ConnectionResetError("dropped by the stand-in")
        return response

    async def start(self) -> str:
        app = web.Application(middlewares=[self._middleware])
        self.routes(app)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


async def text_messages(socket: web.WebSocketResponse) -> AsyncIterator[str]:
    """The text frames a websocket client sends, until it closes."""
    async for message in socket:
        if message.type == WSMsgType.TEXT:
            yield message.data


def text(value: Decimal, places: int = 8) -> str:
    """A number the way most venues print it: fixed places, as a string."""
    return f"{value:.{places}f}"


def plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))


def decimals(increment: Decimal) -> int:
    """Places after the point of a finite increment: 2 for 0.01 (-1 for 1E+1)."""
    exponent = increment.normalize().as_tuple().exponent
    assert isinstance(exponent, int), f"not a finite increment: {increment}"
    return -exponent
