"""``BookVenue``: a small real :class:`Exchange` over a book the test sets.

Taker orders match against the book (consuming it), fees are charged in the quote
currency at the market's taker rate, balances move accordingly. Faults are explicit:
``fail_next`` makes the next ``create_order`` raise (nothing placed), ``fail_after_next``
makes it raise after the order was placed and matched (a timeout that took effect);
:meth:`BookVenue.fault` does either for the n-th order only; any exception may be raised,
``CancelledError`` included. ``stall`` holds every placed order's answer until the event is
set (an order in flight), ``lookup_error`` makes listing orders and fills raise,
``book_faults`` makes the n-th book fetch raise, ``ticker_faults`` the next tickers,
``fill_cap`` caps what an order can fill (a book that thinned between quote and trade),
``latency`` delays every call on the given clock. Nothing is patched: the adapter under
test talks to this through the ``Exchange`` interface only.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal

from fortuna import Clock
from schemas import (
    Balance,
    Balances,
    Candle,
    Exchange,
    Fill,
    InsufficientFunds,
    Liquidity,
    Market,
    NotSupported,
    Order,
    OrderBook,
    OrderBookLevel,
    OrderNotFound,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    Ticker,
    TimeInForce,
    Trade,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def market(symbol: str, *, taker_fee: str = "0.001", price_increment: str = "0.01",
           amount_increment: str = "0.0001", min_amount: str = "0.0001",
           min_notional: str | None = None) -> Market:
    return Market.model_validate({
        "symbol": symbol, "price_increment": price_increment,
        "amount_increment": amount_increment, "min_amount": min_amount,
        "min_notional": min_notional, "taker_fee": taker_fee, "maker_fee": "0",
    })


def book(symbol: str, bids: Sequence[tuple[str, str]], asks: Sequence[tuple[str, str]],
         timestamp: datetime = T0) -> OrderBook:
    return OrderBook.model_validate({
        "symbol": symbol, "timestamp": timestamp,
        "bids": [[Decimal(p), Decimal(a)] for p, a in bids],
        "asks": [[Decimal(p), Decimal(a)] for p, a in asks],
    })


class BookVenue(Exchange):
    """A venue whose books and balances the test sets, matching taker orders for real."""

    def __init__(self, name: str, markets: Sequence[Market], *,
                 balances: Mapping[str, str] | None = None, clock: Clock | None = None,
                 latency: float = 0.0, report_fees: bool = True,
                 fills_report_fees: bool = True) -> None:
        self.name = name
        self._markets: dict[str, Market] = {m.symbol: m for m in markets}
        self.books: dict[str, OrderBook] = {}
        self.free: dict[str, Decimal] = {k: Decimal(v) for k, v in (balances or {}).items()}
        self.clock = clock
        self.latency = latency
        self.report_fees = report_fees
        self.fills_report_fees = fills_report_fees
        self.fail_next: BaseException | None = None
        self.fail_after_next: BaseException | None = None
        self.faults: dict[int, tuple[BaseException | None, BaseException | None]] = {}
        self.stall: asyncio.Event | None = None
        self.book_faults: dict[int, BaseException] = {}
        self.ticker_faults: list[BaseException] = []
        self.lookup_error: BaseException | None = None
        self.fill_cap: Decimal | None = None
        self.orders: dict[str, Order] = {}
        self.fills: list[Fill] = []
        self.requests: list[OrderRequest] = []
        self.book_fetches = 0
        self._ids = itertools.count(1)

    @property
    def venue(self) -> str:
        return self.name

    async def _wait(self) -> None:
        if self.latency and self.clock is not None:
            await self.clock.sleep(self.latency)

    def _now(self) -> datetime:
        return self.clock.now() if self.clock is not None else T0

    def fault(self, order: int, *, before: BaseException | None = None,
              after: BaseException | None = None) -> None:
        """Make the ``order``-th ``create_order`` (1-based) raise ``before`` it is placed, or
        ``after`` it was placed and matched."""
        self.faults[order] = (before, after)

    def set_book(self, symbol: str, bids: Sequence[tuple[str, str]],
                 asks: Sequence[tuple[str, str]]) -> None:
        self.books[symbol] = book(symbol, bids, asks, self._now())

    async def markets(self) -> Mapping[str, Market]:
        return self._markets

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        await self._wait()
        self.book_fetches += 1
        fault = self.book_faults.pop(self.book_fetches, None)
        if fault is not None:
            raise fault
        current = self.books[symbol]
        if limit is None:
            return current
        return current.model_copy(update={"bids": current.bids[:limit],
                                          "asks": current.asks[:limit]})

    async def fetch_ticker(self, symbol: str) -> Ticker:
        await self._wait()
        if self.ticker_faults:
            raise self.ticker_faults.pop(0)
        current = self.books[symbol]
        return Ticker(
            symbol=current.symbol,
            bid=current.best_bid.price if current.best_bid else None,
            ask=current.best_ask.price if current.best_ask else None,
            timestamp=current.timestamp,
        )

    async def fetch_balances(self) -> Balances:
        await self._wait()
        return Balances.of([Balance(currency=c, free=v) for c, v in self.free.items()])

    async def create_order(self, request: OrderRequest) -> Order:
        await self._wait()
        request = await self.check_order(request)
        self.requests.append(request)
        before, after = self.faults.pop(len(self.requests), (None, None))
        if before is not None:
            raise before
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        if request.time_in_force not in (TimeInForce.IOC, TimeInForce.FOK) and (
            request.type is OrderType.LIMIT
        ):
            raise NotSupported("this venue takes immediate orders only", venue=self.name)
        m = self._markets[request.symbol]
        levels = list(self.books[request.symbol].levels_for(request.side))
        left = request.amount if self.fill_cap is None else min(request.amount, self.fill_cap)
        filled = cost = Decimal(0)
        kept: list[OrderBookLevel] = []
        for level in levels:
            price_ok = request.price is None or (
                level.price <= request.price if request.side is Side.BUY
                else level.price >= request.price
            )
            if left > 0 and price_ok:
                take = min(left, level.amount)
                filled += take
                cost += take * level.price
                left -= take
                if take < level.amount:
                    kept.append(level.model_copy(update={"amount": level.amount - take}))
            else:
                kept.append(level)
        fee = cost * m.taker_fee
        if request.side is Side.BUY:
            if self.free.get(m.quote, Decimal(0)) < cost + fee:
                raise InsufficientFunds(f"{m.quote} short", venue=self.name)
            self.free[m.quote] -= cost + fee
            self.free[m.base] = self.free.get(m.base, Decimal(0)) + filled
        else:
            if self.free.get(m.base, Decimal(0)) < filled:
                raise InsufficientFunds(f"{m.base} short", venue=self.name)
            self.free[m.base] -= filled
            self.free[m.quote] = self.free.get(m.quote, Decimal(0)) + cost - fee
        side = "asks" if request.side is Side.BUY else "bids"
        self.books[request.symbol] = self.books[request.symbol].model_copy(
            update={side: tuple(kept)}
        )
        order_id = str(next(self._ids))
        average = cost / filled if filled else None
        order = Order(
            id=order_id, client_order_id=request.client_order_id, symbol=request.symbol,
            side=request.side, type=request.type, price=request.price, amount=request.amount,
            filled=filled, remaining=request.amount - filled, average=average,
            status=OrderStatus.CLOSED if filled == request.amount else OrderStatus.CANCELED,
            time_in_force=request.time_in_force,
            fee=fee if self.report_fees else Decimal(0),
            fee_currency=m.quote if self.report_fees else None,
            timestamp=self._now(),
        )
        self.orders[order_id] = order
        if filled:
            self.fills.append(Fill(
                id=f"f{order_id}", order_id=order_id, symbol=request.symbol, side=request.side,
                price=average, amount=filled,
                fee=fee if self.fills_report_fees else Decimal(0),
                fee_currency=m.quote if self.fills_report_fees else None,
                liquidity=Liquidity.TAKER, timestamp=self._now(),
            ))
        if after is not None:
            raise after
        if self.fail_after_next is not None:
            error, self.fail_after_next = self.fail_after_next, None
            raise error
        if self.stall is not None:
            await self.stall.wait()
        return order

    async def fetch_order(self, order_id: str, symbol: str) -> Order:
        try:
            return self.orders[order_id]
        except KeyError:
            raise OrderNotFound(order_id, venue=self.name) from None

    async def cancel_order(self, order_id: str, symbol: str) -> Order | None:
        return await self.fetch_order(order_id, symbol)

    async def fetch_my_trades(self, symbol: str | None = None, since: datetime | None = None,
                              limit: int | None = None) -> list[Fill]:
        if self.lookup_error is not None:
            raise self.lookup_error
        return [f for f in self.fills if symbol is None or f.symbol == symbol]

    async def fetch_trades(self, symbol: str, since: datetime | None = None,
                           limit: int | None = None) -> list[Trade]:
        raise NotSupported(venue=self.name)

    async def fetch_ohlcv(self, symbol: str, timeframe: str = "1m",
                          since: datetime | None = None, limit: int | None = None) -> list[Candle]:
        raise NotSupported(venue=self.name)

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        if self.lookup_error is not None:
            raise self.lookup_error
        return []

    async def fetch_closed_orders(self, symbol: str | None = None, since: datetime | None = None,
                                  limit: int | None = None) -> list[Order]:
        if self.lookup_error is not None:
            raise self.lookup_error
        return [o for o in self.orders.values() if symbol is None or o.symbol == symbol]

    async def cancel_all_orders(self, symbol: str | None = None) -> list[Order]:
        return []
