"""The ccxt helper's binance and mexc stand-ins (tests/ccxt/standins), extended for arbitrage.

The stand-ins serve one book per venue and rest every limit order. An arbitrage needs a
book per market (BTC/USDT and USDC/USDT on the same venue) and immediate-or-cancel orders
that take what the book offers, so :func:`matching` subclasses a stand-in (the original is
left untouched) to:
- serve ``depth`` and ``ticker/24hr`` from ``books[(base, quote)]``;
- after the original has placed an IOC limit order (binance: ``timeInForce=IOC``; mexc:
  ``type=IMMEDIATE_OR_CANCEL``), fill it against that book up to its
  limit (through the stand-in's own ``Ledger.fill``, which prices the fill at the order's
  limit and charges 0.1 % in the quote currency), and cancel what is left, as the venue
  expires an IOC remainder.
Everything else (signing, formats, errors, balances, orders, fills) is the stand-in's.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from aiohttp import web

from tests.ccxt.standins.base import Ledger, StandIn
from tests.ccxt.standins.venues import STANDINS

Levels = list[tuple[str, str]]
Books = dict[tuple[str, str], tuple[Levels, Levels]]


def matching(venue: str, ledger: Ledger, books: Books) -> StandIn:
    """A stand-in of ``venue`` whose markets each have a book, and whose IOC orders match."""
    base_class: Any = STANDINS[venue]

    class Matching(base_class):  # type: ignore[misc]
        def _use_book(self, request: web.Request) -> bool:
            symbol = self.symbol_of(request.query.get("symbol", ""))
            if symbol not in books:
                return False
            self.ledger.bids, self.ledger.asks = books[symbol]
            return True

        async def h_depth(self, request: web.Request) -> web.Response:
            self._use_book(request)
            response: web.Response = await super().h_depth(request)
            return response

        async def h_ticker(self, request: web.Request) -> web.Response:
            self._use_book(request)
            response: web.Response = await super().h_ticker(request)
            return response

        async def h_create(self, request: web.Request) -> web.Response:
            response: web.Response = await super().h_create(request)
            if response.status != 200 or response.body is None:
                return response
            body = json.loads(bytes(response.body))  # type: ignore[arg-type]
            order = self.ledger.orders[self.ledger_id(str(body["orderId"]))]
            if self.params(request).get("type") == "IMMEDIATE_OR_CANCEL":
                order.tif = "IOC"  # mexc's order type for an IOC limit
            if order.type != "limit" or order.tif not in ("IOC", "FOK"):
                return response
            bids, asks = books[order.symbol]
            levels = asks if order.side == "buy" else bids
            reachable = sum(
                (Decimal(amount) for price, amount in levels
                 if (Decimal(price) <= order.price if order.side == "buy"
                     else Decimal(price) >= order.price)),
                Decimal(0),
            )
            take = min(order.amount, reachable)
            if take > 0 and not (order.tif == "FOK" and take < order.amount):
                self.ledger.fill(order.id, take, maker=False)
            if order.status == "open":
                order.status = "canceled"  # the unfilled rest of an IOC expires
            answer = self.order_json(order)
            answer["transactTime"] = order.time_ms
            return web.json_response(answer)

    standin: StandIn = Matching(ledger)
    return standin
