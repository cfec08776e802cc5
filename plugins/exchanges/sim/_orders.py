"""The simulated venue's account answers: balances, orders and fills, and trading
(placing and cancelling orders, checked exactly as a real venue checks them).

Why on its own: everything here reads or changes the account (the ledger, the orders, the
fills); the matching itself is the engine's (:mod:`plugins.exchanges.sim._engine`), so
this module only checks a request, hands it over and answers with snapshots.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from datetime import datetime
from operator import attrgetter

from plugins.exchanges.sim._account import FillRecord
from plugins.exchanges.sim._book import SimOrder
from plugins.exchanges.sim._core import SimVenueCore
from plugins.exchanges.sim._records import select, utc
from schemas import (
    Balances,
    Fill,
    Market,
    Order,
    OrderNotFound,
    OrderRejected,
    OrderRequest,
    OrderType,
)

__all__ = ["AccountAnswers"]


class AccountAnswers(SimVenueCore):
    """The account and trading half of the simulated venue's ``Exchange`` answers."""

    async def fetch_balances(self) -> Balances:
        now, _ = await self._begin("fetch_balances")
        return self._account.ledger.snapshot(utc(now))

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        if symbol is not None:
            self._engine(symbol)
        await self._begin("fetch_open_orders")
        return [o.snapshot() for o in self._account.open.values()
                if symbol is None or o.symbol == symbol]

    async def fetch_closed_orders(
        self, symbol: str | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Order]:
        if symbol is not None:
            self._engine(symbol)
        await self._begin("fetch_closed_orders")
        orders = sorted(
            (o for o in self._account.closed.values() if symbol is None or o.symbol == symbol),
            key=lambda o: o.timestamp,
        )
        return [o.snapshot() for o in select(orders, since, limit, attrgetter("timestamp"))]

    async def fetch_order(self, order_id: str, symbol: str) -> Order:
        self._engine(symbol)
        await self._begin("fetch_order")
        return self._find(order_id, symbol).snapshot()

    def _find(self, order_id: str, symbol: str) -> SimOrder:
        order = self._account.find(order_id)
        if order is None or order.symbol != symbol:
            raise OrderNotFound(f"no order {order_id} on {symbol}", venue=self.args.venue)
        return order

    async def fetch_my_trades(
        self, symbol: str | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Fill]:
        if symbol is not None:
            self._engine(symbol)
        await self._begin("fetch_my_trades")
        venue = self.args.venue
        books = self._account.fills
        if symbol is not None:
            fills: Sequence[FillRecord] = books.get(symbol, ())
        elif len(books) == 1:
            (fills,) = books.values()
        else:
            fills = list(heapq.merge(*books.values(), key=attrgetter("t", "seq")))
        return [f.model(venue) for f in select(fills, since, limit, attrgetter("t"))]

    # --- trading --------------------------------------------------------------------------------

    async def create_order(self, request: OrderRequest) -> Order:
        """Place ``request`` exactly as given: refused (never fixed) when off the tick or
        step or under the minimums; then filled, rested or expired by the engine."""
        engine = self._engine(request.symbol)
        now, late = await self._begin("create_order", mutating=True)
        if not engine.admissible(request):
            # Market.check_order is the authority: it gives the reason and the code.
            market = engine.market
            reference = engine.price_of(engine.mid) if request.type is OrderType.MARKET else None
            checked = market.check_order(request, reference_price=reference)
            if checked is not request and (
                checked.amount != request.amount
                or (request.type is OrderType.LIMIT and checked.price != request.price)
            ):
                raise _precision(request, checked, market, self.args.venue)
        client_id = request.client_order_id
        if client_id is not None and client_id in self._account.client_ids:
            raise OrderRejected(
                f"{request.symbol}: client order id {client_id!r} is already used by open "
                f"order {self._account.client_ids[client_id]}",
                code="duplicate_client_order_id", request=request, venue=self.args.venue,
            )
        order = engine.place(request, now)
        if late:
            raise await self._timed_out("create_order")
        return order.snapshot()

    async def cancel_order(self, order_id: str, symbol: str) -> Order | None:
        engine = self._engine(symbol)
        now, late = await self._begin("cancel_order", mutating=True)
        order = self._find(order_id, symbol)
        if not order.status.is_final:
            engine.cancel(order, now)
        if late:
            raise await self._timed_out("cancel_order")
        return order.snapshot()

    async def cancel_all_orders(self, symbol: str | None = None) -> list[Order]:
        if symbol is not None:
            self._engine(symbol)
        now, late = await self._begin("cancel_all_orders", mutating=True)
        cancelled: list[Order] = []
        for order in list(self._account.open.values()):
            if symbol is None or order.symbol == symbol:
                self._engines[order.symbol].cancel(order, now)
                cancelled.append(order.snapshot())
        if late:
            raise await self._timed_out("cancel_all_orders")
        return cancelled


def _precision(request: OrderRequest, checked: OrderRequest, market: Market, venue: str
               ) -> OrderRejected:
    problems = []
    if checked.price != request.price and request.type is OrderType.LIMIT:
        problems.append(
            f"price {request.price} is not a multiple of the tick {market.price_increment}"
        )
    if checked.amount != request.amount:
        problems.append(
            f"amount {request.amount} is not a multiple of the step {market.amount_increment}"
        )
    return OrderRejected(
        f"{request.symbol}: {' and '.join(problems)} (quantize with check_order first)",
        code="precision", request=request, venue=venue,
    )
