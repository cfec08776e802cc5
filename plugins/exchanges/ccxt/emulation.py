"""What a venue lacks, made from what it has, as its :class:`~capabilities.Profile` says.

Each capability (open orders of every market, closed orders, cancel-all) is one method
that dispatches on the profile: the native ccxt call where the venue has it, else the
emulation. The emulations and what they cannot see:

- open orders of every market where the venue needs a symbol: one call per watched or
  traded symbol (a market this session never touched and the mandate does not watch is
  not covered; ``symbols`` in the args widens it);
- closed orders from all orders (``fetchOrders``, the final ones kept), or rebuilt from
  the account's fills (an order cancelled without a fill leaves no trace there);
- cancel-all per symbol, or one cancel per open order (reported as cancelled even when
  the venue acknowledges without describing the order).

A refusal for want of a symbol that ccxt's metadata did not announce is learnt on the way
(see :mod:`transport`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from plugins.exchanges.ccxt.capabilities import CancelAll, ClosedOrders, OpenOrders, Profile
from plugins.exchanges.ccxt.transport import Transport, needs_symbol
from schemas import Exchange, ExchangeError, Fill, NotSupported, Order, OrderStatus, money
from schemas import to_milliseconds as _ms

__all__ = ["Emulations", "orders_from_fills"]


class Emulations:
    """The profile-driven calls of one loaded venue."""

    def __init__(
        self,
        exchange: Exchange,
        transport: Transport,
        profile: Profile,
        *,
        parse: Callable[[Iterable[Any]], list[Order]],
        symbols: Callable[[], Sequence[str]],
    ) -> None:
        self.exchange = exchange
        self.transport = transport
        self.profile = profile
        self.parse = parse
        self.symbols = symbols

    @property
    def venue(self) -> str:
        return self.exchange.venue

    def _each(
        self, method: str, symbol: str | None,
        call: Callable[[str | None], Awaitable[Iterable[Any]]],
    ) -> Awaitable[list[Any]]:
        return self.transport.read_each_symbol(method, symbol, call, self.symbols)

    async def open_orders(self, symbol: str | None) -> list[Order]:
        if self.profile.open_orders is OpenOrders.NONE:
            raise NotSupported("open orders are not available", venue=self.venue)
        client = self.transport.client
        raws = await self._each("fetchOpenOrders", symbol, client.fetch_open_orders)
        return sorted(self.parse(raws), key=lambda o: o.timestamp)

    async def closed_orders(
        self, symbol: str | None, since: datetime | None, limit: int | None
    ) -> list[Order]:
        how = self.profile.closed_orders
        client = self.transport.client
        start = None if since is None else _ms(since)
        if how in (ClosedOrders.NATIVE, ClosedOrders.NATIVE_PER_SYMBOL):
            raws = await self._each("fetchClosedOrders", symbol,
                                    lambda s: client.fetch_closed_orders(s, start, limit))
            orders = [o for o in self.parse(raws) if o.is_done]
        elif how is ClosedOrders.FROM_ALL_ORDERS:
            raws = await self._each("fetchOrders", symbol,
                                    lambda s: client.fetch_orders(s, start, limit))
            orders = [o for o in self.parse(raws) if o.is_done]
        elif how is ClosedOrders.FROM_MY_TRADES:
            orders = orders_from_fills(await self.exchange.fetch_my_trades(symbol, since))
        else:
            raise NotSupported("closed orders are not available", venue=self.venue)
        orders.sort(key=lambda o: o.timestamp)
        if limit is not None and len(orders) > limit:
            orders = orders[:limit] if since is not None else orders[-limit:]
        return orders

    async def cancel_all(self, symbol: str | None) -> list[Order]:
        how = self.profile.cancel_all
        transport = self.transport
        if how is CancelAll.NONE:
            raise NotSupported("cancel all is not available", venue=self.venue)
        if how is CancelAll.NATIVE or (how is CancelAll.NATIVE_PER_SYMBOL and symbol):
            try:
                return self._described(
                    await transport.call(lambda: transport.client.cancel_all_orders(symbol)))
            except ExchangeError as error:
                if symbol is not None or not needs_symbol(error):
                    raise
                how = CancelAll.NATIVE_PER_SYMBOL  # ccxt's metadata did not say so
        open_orders = await self.exchange.fetch_open_orders(symbol)
        cancelled: list[Order] = []
        if how is CancelAll.NATIVE_PER_SYMBOL:
            for each in dict.fromkeys(o.symbol for o in open_orders):
                raws = await transport.call(_cancel_all_of(transport.client, each))
                cancelled.extend(self._described(raws))
            return cancelled
        for order in open_orders:
            answer = await self.exchange.cancel_order(order.id, order.symbol)
            cancelled.append(answer if answer is not None else order.model_copy(
                update={"status": OrderStatus.CANCELED}))
        return cancelled

    def _described(self, raws: Any) -> list[Order]:
        return self.parse(raws if isinstance(raws, list) else [])


def _cancel_all_of(client: Any, symbol: str) -> Callable[[], Awaitable[Any]]:
    return lambda: client.cancel_all_orders(symbol)


def orders_from_fills(fills: Iterable[Fill]) -> list[Order]:
    """Filled orders rebuilt from fills: one order per order id, amount the exact sum of
    its fills, average their volume-weighted price (34 significant digits, half-even: a
    figure for display, no side to favour). Fees add up per order when charged in one
    currency; a fill charged in another currency keeps the first currency's sum (an
    :class:`~schemas.Order` holds one fee). An order cancelled without a fill leaves no
    trace in the fills; one cancelled after a partial fill shows as closed at the filled
    amount."""
    grouped: dict[str, list[Fill]] = {}
    for fill in fills:
        grouped.setdefault(fill.order_id, []).append(fill)
    orders: list[Order] = []
    for order_id, parts in grouped.items():
        first = parts[0]
        amount = money.total(f.amount for f in parts)
        cost = money.total(money.multiply(f.amount, f.price) for f in parts)
        fee = money.total(f.fee for f in parts if f.fee_currency == first.fee_currency)
        orders.append(Order(
            id=order_id, client_order_id=first.client_order_id, symbol=first.symbol,
            side=first.side, amount=amount, filled=amount, remaining=Decimal(0),
            average=money.ratio(cost, amount, money.Rounding.HALF_EVEN),
            price=first.price, status=OrderStatus.CLOSED, fee=fee,
            fee_currency=first.fee_currency, timestamp=first.timestamp,
            updated=parts[-1].timestamp,
        ))
    return orders
