"""``arbitrage.adapters.cex``: one market of a centralized exchange behind ``QuoteAdapter``.

Quoting walks the order book (``OrderBook.walk``) for the amount: the average price, the
deepest level reached and the market's taker fee. Concurrent quotes share one book fetch
(the two sides of a tick cost one request, not two); a fetch is never reused once it has
returned, so a quote is never older than the call that asked for it.

Trading sends, by default, an immediate-or-cancel LIMIT order at the given limit (the
quote's worst price when none is given): it takes what the book offers up to that price and
cancels the rest, so a book that moved between quote and trade gives a partial fill rather
than a fill at any price. ``order_type: market`` sends market orders instead, for venues
without IOC. Orders pass ``Exchange.check_order`` (the market's quantization and minimums)
before they are sent. An order the venue still reports open after creation is fetched and,
if still open, cancelled, so :meth:`CexAdapter.trade` always reports a final order. A
permanent error from ``create_order`` means the venue refused the order and propagates as
is; once the order is placed, a permanent error reading it back becomes
``TradeOutcomeUnknown`` (retryable: the order may have filled). :meth:`CexAdapter.find_trade`
looks an order up by its client order id in the market's open, then closed, orders.

Money goes through :mod:`schemas.money`: a book walk's cost and fill sums are exact; an
average price (a quote's, or a trade's from its fills) is a ratio of 34 significant digits
rounded against the trader (a buy's up, a sell's down, and never past the deepest level
reached), so a decision or a realised figure never looks better than the book was.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Literal

from pydantic import Field

from fortuna import Component, ComponentArgs
from schemas import (
    Exchange,
    ExchangeError,
    Fill,
    Market,
    Order,
    OrderBook,
    OrderNotFound,
    OrderRequest,
    OrderType,
    Side,
    Symbol,
    TimeInForce,
    money,
)
from schemas.arbitrage import (
    AdapterBalance,
    InsufficientDepth,
    Quote,
    QuoteAdapter,
    TradeOutcomeUnknown,
    TradeResult,
)
from schemas.money import Rounding

__all__ = ["CexAdapter", "CexAdapterArgs", "average_price"]

_ZERO = Decimal(0)


def average_price(side: Side, cost: Decimal, amount: Decimal) -> Decimal:
    """``cost / amount`` as :func:`schemas.money.ratio` gives it: exact when the quotient
    fits 34 significant digits, else rounded to them against the trader: up for a buy (never
    cheaper than it was), down for a sell (never richer). The exact case, the common one,
    is tried first because it is the cheap one."""
    try:
        exact = money.divide_exact(cost, amount)
    except money.MoneyError:
        exact = None
    if exact is not None and len(exact.as_tuple().digits) <= money.RATIO_DIGITS:
        return exact
    return money.ratio(cost, amount, Rounding.CEILING if side is Side.BUY else Rounding.FLOOR)


class CexAdapterArgs(ComponentArgs):
    exchange: Exchange = Field(description="the venue")
    symbol: Symbol = Field(description="the market quoted and traded, 'BASE/QUOTE'")
    depth: int | None = Field(
        default=None, ge=1, description="book levels fetched per quote (venue default if unset)"
    )
    order_type: Literal["ioc_limit", "market"] = Field(
        default="ioc_limit",
        description="ioc_limit: immediate-or-cancel limit at the quoted worst price (protected); "
        "market: a market order (for venues without IOC)",
    )


class CexAdapter(Component[CexAdapterArgs], QuoteAdapter):
    """Quotes from the order book and trades one market of a centralized exchange."""

    _market: Market | None = None
    _inflight: asyncio.Future[OrderBook] | None = None

    async def load(self) -> None:
        self._market = await self.args.exchange.market(self.args.symbol)

    @property
    def venue(self) -> str:
        return self.args.exchange.venue

    @property
    def symbol(self) -> Symbol:
        return self.args.symbol

    async def market(self) -> Market:
        """The market's metadata (precision, limits, fees), read once at load."""
        if self._market is None:
            self._market = await self.args.exchange.market(self.args.symbol)
        return self._market

    # -- quoting ---------------------------------------------------------------------------

    async def _book(self) -> OrderBook:
        """The book, one fetch shared by every quote asked while it is in flight."""
        inflight = self._inflight
        if inflight is None:
            inflight = asyncio.ensure_future(
                self.args.exchange.fetch_order_book(self.args.symbol, self.args.depth)
            )
            self._inflight = inflight
            inflight.add_done_callback(self._fetched)
        return await asyncio.shield(inflight)

    def _fetched(self, future: asyncio.Future[OrderBook]) -> None:
        if self._inflight is future:
            self._inflight = None
        if not future.cancelled():
            future.exception()  # retrieved here, raised to every waiter

    async def quote(self, side: Side, amount: Decimal) -> Quote:
        side = Side(side)
        if amount <= 0:
            raise ValueError(f"amount must be positive, got {amount}")
        market, book = await asyncio.gather(self.market(), self._book())
        pieces = list(book.walk(side, amount))
        filled = money.total(take for _, take in pieces)
        if filled < amount:
            raise InsufficientDepth(
                venue=self.venue,
                symbol=self.args.symbol,
                side=side,
                amount=amount,
                available=book.available(side),
            )
        cost = money.total(money.multiply(price, take) for price, take in pieces)
        worst = pieces[-1][0]
        average = average_price(side, cost, amount)
        # The exact average is never past the deepest level: neither is its rounding.
        average = min(average, worst) if side is Side.BUY else max(average, worst)
        return Quote(
            venue=self.venue,
            symbol=self.args.symbol,
            side=side,
            amount=amount,
            price=average,
            worst_price=worst,
            fee_rate=market.taker_fee,
            timestamp=book.timestamp,
        )

    # -- trading ---------------------------------------------------------------------------

    async def _request(
        self,
        side: Side,
        amount: Decimal,
        limit_price: Decimal | None,
        client_order_id: str | None,
    ) -> OrderRequest:
        """The checked (quantized) request :meth:`trade` sends."""
        side = Side(side)
        market = self.args.order_type == "market"
        price = limit_price
        if price is None:
            quote = await self.quote(side, amount)
            # A market order carries the quote as its reference price: the venue checks the
            # minimum notional with it (and never treats it as a limit). A limit order is
            # priced at the deepest level the quote reached.
            price = quote.price if market else quote.worst_price
        request = OrderRequest(
            symbol=self.args.symbol,
            side=side,
            type=OrderType.MARKET if market else OrderType.LIMIT,
            amount=amount,
            price=price,
            time_in_force=TimeInForce.GTC if market else TimeInForce.IOC,
            client_order_id=client_order_id,
        )
        return await self.args.exchange.check_order(request)

    async def check_trade(
        self, side: Side, amount: Decimal, limit_price: Decimal | None = None
    ) -> Decimal:
        return (await self._request(side, amount, limit_price, None)).amount

    async def trade(
        self,
        side: Side,
        amount: Decimal,
        *,
        limit_price: Decimal | None = None,
        client_order_id: str | None = None,
    ) -> TradeResult:
        request = await self._request(side, amount, limit_price, client_order_id)
        order = await self.args.exchange.create_order(request)
        try:
            order = await self._final(order)
            return await self._result(order, request)
        except ExchangeError as error:
            if error.retryable:
                raise
            # The order is placed: whatever went wrong reading it back, it was not refused.
            raise TradeOutcomeUnknown(
                f"order {order.id} ({request.client_order_id}) was placed but reading its "
                f"outcome failed: {error}", venue=self.venue,
            ) from error

    async def find_trade(
        self,
        side: Side,
        amount: Decimal,
        *,
        limit_price: Decimal | None = None,
        client_order_id: str,
    ) -> TradeResult | None:
        """The order carrying ``client_order_id`` among the market's open orders, then its
        closed ones (in that order, so one closing in between is not missed), made final
        and read like :meth:`trade` does; None when neither list holds it."""
        exchange, symbol = self.args.exchange, self.args.symbol
        order = _carrying(await exchange.fetch_open_orders(symbol), client_order_id)
        if order is None:
            order = _carrying(await exchange.fetch_closed_orders(symbol), client_order_id)
        if order is None:
            return None
        request = await self._request(side, amount, limit_price, client_order_id)
        order = await self._final(order)
        return await self._result(order, request)

    async def _final(self, order: Order) -> Order:
        """The order once final: fetched, and cancelled if the venue left it open."""
        exchange, symbol = self.args.exchange, self.args.symbol
        if order.is_done:
            return order
        order = await exchange.fetch_order(order.id, symbol)
        if order.is_done:
            return order
        try:
            cancelled = await exchange.cancel_order(order.id, symbol)
        except OrderNotFound:
            cancelled = None  # it finished (filled) between our fetch and the cancel
        if cancelled is not None and cancelled.is_done:
            return cancelled
        return await exchange.fetch_order(order.id, symbol)

    async def _fills(self, order: Order) -> list[Fill]:
        fills = await self.args.exchange.fetch_my_trades(self.args.symbol, since=order.timestamp)
        return [fill for fill in fills if fill.order_id == order.id]

    async def _result(self, order: Order, request: OrderRequest) -> TradeResult:
        market = await self.market()
        average, fee, fee_currency = order.average, order.fee, order.fee_currency
        filled = order.filled
        if filled > 0 and (average is None or (fee == 0 and fee_currency is None)):
            # The order does not say it all: its fills do.
            fills = await self._fills(order)
            amount = money.total(fill.amount for fill in fills)
            if fills and amount == filled:
                average = average_price(
                    request.side, money.total(fill.cost for fill in fills), amount
                )
                currencies = {fill.fee_currency for fill in fills if fill.fee != 0}
                if len(currencies) == 1:
                    fee = money.total(fill.fee for fill in fills)
                    fee_currency = currencies.pop()
        if filled > 0 and average is None:
            average = order.price if order.price is not None else request.price
            self.log.warning(
                "arbitrage average unknown",
                symbol=str(self.args.symbol), order_id=order.id, valued_at=average,
            )
        estimated = False
        if filled > 0 and fee == 0 and fee_currency is None and market.taker_fee != 0:
            assert average is not None
            fee = money.multiply(money.multiply(filled, average), market.taker_fee)
            fee_currency, estimated = market.quote, True
        fee_in_quote: Decimal | None
        if fee == 0:
            fee_in_quote = _ZERO
        elif fee_currency == market.quote:
            fee_in_quote = fee
        elif fee_currency == market.base and average is not None:
            fee_in_quote = money.multiply(fee, average)
        else:
            fee_in_quote = None
        return TradeResult(
            venue=self.venue,
            symbol=self.args.symbol,
            side=request.side,
            amount=request.amount,
            filled=filled,
            average_price=average if filled > 0 else None,
            limit_price=request.price if request.type is OrderType.LIMIT else None,
            fee=fee,
            fee_currency=fee_currency,
            fee_in_quote=fee_in_quote,
            fee_estimated=estimated,
            order_id=order.id,
            client_order_id=order.client_order_id or request.client_order_id,
            status=order.status,
            timestamp=order.timestamp,
        )

    # -- balances --------------------------------------------------------------------------

    async def balance(self) -> AdapterBalance:
        balances = await self.args.exchange.fetch_balances()
        base, quote = self.args.symbol.base, self.args.symbol.quote
        return AdapterBalance(
            base=base, quote=quote, base_free=balances.free(base), quote_free=balances.free(quote)
        )


def _carrying(orders: list[Order], client_order_id: str) -> Order | None:
    return next((order for order in orders if order.client_order_id == client_order_id), None)
