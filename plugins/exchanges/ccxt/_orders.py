"""The order path of a ccxt venue: placing, looking up and cancelling orders, and the
account's open orders, closed orders and fills.

Orders are quantized by ``Market.check_order`` and sent as plain decimal strings
(:mod:`wire`); one that rounds to zero or under a minimum never leaves, nor one the venue
cannot honour as asked, nor one whose client order id the venue would not take (rewriting
it would break finding the order by it). An order creation is never retried: after a
retryable failure the order is looked up by its client order id to learn whether it went
through (never guessed), and the error says which it was. Open orders, closed orders and
cancel-all are native or emulated as the venue's profile says (:mod:`emulation`); what
this session places is remembered in the client-id index (:mod:`client_ids`) so that a
venue that leaves the id out of its answers still gets it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from plugins.exchanges.ccxt._loaded import LoadedVenue
from plugins.exchanges.ccxt.capabilities import ClientIds, ClosedOrders
from plugins.exchanges.ccxt.client_ids import fresh_client_id
from plugins.exchanges.ccxt.errors import OrderIdMissing
from plugins.exchanges.ccxt.wire import plain, refuses, wire_price
from schemas import (
    ExchangeError,
    Fill,
    Order,
    OrderRejected,
    OrderRequest,
    OrderType,
    TimeInForce,
)

__all__ = ["OrderPath"]


class OrderPath(LoadedVenue):
    """The account half of the Exchange contract, over a loaded session."""

    def client_order_id_params(self, client_order_id: str) -> dict[str, Any]:
        """The ccxt params that carry the client order id (ccxt's unified name)."""
        return {"clientOrderId": client_order_id}

    def order_params(self, request: OrderRequest) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if request.post_only:
            params["postOnly"] = True
        elif request.time_in_force in (TimeInForce.IOC, TimeInForce.FOK):
            params["timeInForce"] = request.time_in_force.value
        return params

    async def create_order(self, request: OrderRequest) -> Order:
        checked = await self.check_order(request)
        refusal = refuses(self.client, self.venue, checked)
        if refusal is not None:
            raise OrderRejected(refusal, code="unsupported", request=checked,
                                venue=self.venue)
        if checked.client_order_id is not None:
            # refused before the wire: truncating or rewriting the id instead would break
            # finding the order by it (and a mandate's prefix)
            refusal = self.client_id_format.refusal(checked.client_order_id, self.venue)
            if refusal is not None:
                raise OrderRejected(refusal, code="client_order_id", request=checked,
                                    venue=self.venue)
        session = self.session
        client_id = checked.client_order_id or fresh_client_id(
            self.args.client_order_id_prefix, self.client_id_format.max_length)
        params = {**self.order_params(checked)}
        if session.profile.client_ids is ClientIds.NATIVE:
            params.update(self.client_order_id_params(client_id))
        session.traded[checked.symbol] = None
        amount = plain(checked.amount)
        price = wire_price(self.client, checked)
        client = self.client
        try:  # sent once, through the transport (its error, its latency), never retried
            raw = await self.transport.call(lambda: client.create_order(
                checked.symbol, checked.type.value, checked.side.value, amount, price, params))
        except ExchangeError as error:
            if not error.retryable:
                raise
            return await self._after_failed_create(checked, client_id, error,
                                                   error.__cause__ or error)
        try:
            accepted = self._accepted(raw, checked, client_id)
        except OrderIdMissing as missing:
            accepted = await self._after_failed_create(checked, client_id, missing, missing)
        if session.streams is not None:
            session.streams.record([accepted])
        return accepted

    def _accepted(self, raw: Any, checked: OrderRequest, client_id: str) -> Order:
        order = self._one_order(raw, amount=checked.amount, symbol=checked.symbol)
        if order is None:
            order_id = raw.get("id") if isinstance(raw, Mapping) else None
            if not order_id:
                raise OrderIdMissing(
                    f"the venue accepted order {client_id} without giving its id",
                    venue=self.venue,
                )
            order = Order(
                id=str(order_id), client_order_id=client_id, symbol=checked.symbol,
                side=checked.side, type=checked.type, price=checked.price,
                amount=checked.amount, time_in_force=checked.time_in_force,
                post_only=checked.post_only, timestamp=self.clock.now(),
            )
        update: dict[str, Any] = {}
        if order.client_order_id is None:
            update["client_order_id"] = client_id
        if order.type is OrderType.LIMIT and order.price is None:
            update["price"] = checked.price
        if update:
            order = order.model_copy(update=update)
        self.session.client_ids.remember(client_id, order.id, str(checked.symbol))
        return order

    async def _after_failed_create(
        self, checked: OrderRequest, client_id: str, error: ExchangeError,
        failure: BaseException,
    ) -> Order:
        """A retryable failure left the order's fate unknown: ask the venue by client id."""
        try:
            found = await self.find_order_by_client_id(client_id, checked.symbol)
        except ExchangeError as lookup:
            raise type(error)(
                f"{error.message}; whether order {client_id} was placed is unknown "
                f"(looking it up failed: {lookup.message})", venue=self.venue,
            ) from failure
        if found is None:
            raise type(error)(
                f"{error.message}; order {client_id} was not placed (the venue does not "
                "know its client order id)", venue=self.venue,
            ) from failure
        self.log.warning("order placed despite error", venue=self.venue,
                         client_order_id=client_id, order_id=found.id, error=str(error))
        self.session.client_ids.remember(client_id, found.id, str(checked.symbol))
        return found

    async def find_order_by_client_id(self, client_order_id: str, symbol: str) -> Order | None:
        """The order carrying ``client_order_id``, or None. Default: search the open, then
        the closed orders of ``symbol``; tuned venues ask the venue directly."""
        for order in await self.fetch_open_orders(symbol):
            if order.client_order_id == client_order_id:
                return order
        if self.session.profile.closed_orders is not ClosedOrders.NONE:
            for order in await self.fetch_closed_orders(symbol):
                if order.client_order_id == client_order_id:
                    return order
        return None

    async def fetch_order(self, order_id: str, symbol: str) -> Order:
        raw = await self.transport.read(lambda: self.client.fetch_order(order_id, symbol))
        order = self._one_order(raw, symbol=symbol)
        if order is None:
            raise ExchangeError(f"the venue described order {order_id} without its size",
                                venue=self.venue)
        return order

    async def cancel_order(self, order_id: str, symbol: str) -> Order | None:
        raw = await self.transport.call(lambda: self.client.cancel_order(order_id, symbol))
        if not isinstance(raw, Mapping):
            return None
        if not raw.get("status"):
            # an acknowledged cancel that does not say the status: the order is cancelled
            raw = {**raw, "status": "canceled"}
        order = self._one_order(raw, symbol=symbol)
        if self.session.streams is not None:
            self.session.streams.record([order])
        return order

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        streams = self.session.streams
        if streams is None:
            return await self.session.emulations.open_orders(symbol)
        served = streams.open_orders(symbol)
        if served is not None:
            return served
        mark = streams.seeding()
        orders = await self.session.emulations.open_orders(symbol)
        return streams.seed(symbol, orders, mark)

    async def fetch_closed_orders(
        self, symbol: str | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Order]:
        return await self.session.emulations.closed_orders(symbol, since, limit)

    async def cancel_all_orders(self, symbol: str | None = None) -> list[Order]:
        return await self.session.emulations.cancel_all(symbol)

    async def fetch_my_trades(
        self, symbol: str | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Fill]:
        streams = self.session.streams
        if streams is not None and (served := streams.fills(symbol, since, limit)) is not None:
            return served
        start = self._since(since)
        client = self.client
        raws = await self.transport.read_each_symbol(
            "fetchMyTrades", symbol, lambda s: client.fetch_my_trades(s, start, limit),
            self._symbols)
        fills: list[Fill] = self._each("fill", raws, self.fill_of)
        if streams is not None:
            return streams.merge_fills(fills, symbol, since)
        return sorted(fills, key=lambda f: f.timestamp)
