"""``market_making.executors.paper``: paper trading against a live venue's market data."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pydantic import Field

from plugins.market_making._concurrency import gather
from plugins.market_making.executors._base import ExecutorArgs, ExecutorBase
from plugins.market_making.executors._paper_model import (
    PaperAccount,
    PaperOrder,
    book_fills,
    displayed_at,
    priority,
    takes,
    trade_fills,
)
from schemas import (
    Balances,
    Exchange,
    ExchangeError,
    Fill,
    Liquidity,
    Market,
    NonNegativeAmount,
    Order,
    OrderBook,
    OrderNotFound,
    OrderRejected,
    OrderRequest,
    OrderStatus,
    Side,
    TimeInForce,
    Trade,
    money,
)

__all__ = ["PaperExecutor", "PaperExecutorArgs"]

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class _OpenModel:
    """The model made for an open paper order, with the numbers it was made from."""

    filled: Decimal
    cost: Decimal
    fee: Decimal
    model: Order


class PaperExecutorArgs(ExecutorArgs):
    balances: dict[str, NonNegativeAmount] = Field(
        description='the simulated account\'s starting balances by currency: '
        '{"USDT": 10000, "BTC": 0.5}'
    )
    book_depth: int = Field(
        default=50, ge=1, le=5000,
        description="levels per side read from the live order book on each tick",
    )
    trades_limit: int = Field(
        default=1000, ge=1, le=100_000,
        description="public trades read per tick at most (a busier market is read in part)",
    )


class PaperExecutor(ExecutorBase[PaperExecutorArgs]):
    """Paper trading on a live venue: orders kept locally, filled by the live book and trades.

    Nothing is ever sent to the venue: it only reads the order book and public trades of
    the service's market (so it needs no credentials) and fills the mandate's local orders
    when the book crosses them or trades reach them behind the displayed queue (the fill
    model: ``plugins/market_making/executors/_paper_model.py``). Balances are simulated
    from ``balances``, and the service trims its quotes to them. A stop leaves nothing on
    the venue: there was never anything there.
    """

    _orders: dict[str, PaperOrder]
    _open: dict[str, _OpenModel]
    _account: PaperAccount | None = None
    _seen: set[str]
    _trades_since: datetime | None = None
    _primed = False

    def bind(self, *, exchange: Exchange, market: Market, prefix: str, venue: str) -> None:
        super().bind(exchange=exchange, market=market, prefix=prefix, venue=venue)
        if self._account is None:
            self._account = PaperAccount.starting(self.args.balances, market)
            self._orders = {}
            self._open = {}
            self._seen = set()
            self._ids = itertools.count(1)
            self._fill_ids = itertools.count(1)

    @property
    def account(self) -> PaperAccount:
        if self._account is None:
            raise RuntimeError(f"{self.name}: not bound to a market_making service")
        return self._account

    def simulated_balances(self) -> Balances:
        return self.account.snapshot(self.clock.now())

    # --- writing, locally ---------------------------------------------------------------

    async def place(self, request: OrderRequest) -> Order:
        market = self.market
        assert request.price is not None  # the executor places limit orders only
        try:
            book = await self._book()
        except ExchangeError as error:  # nothing was placed, for certain: a refusal
            raise OrderRejected(
                f"{request.symbol}: the paper order needs the live book, which could not be "
                f"read ({type(error).__name__}: {error})", code="market_data",
                request=request, venue=self._venue,
            ) from error
        pieces = takes(book, request.side, request.price, request.amount)
        if pieces and request.post_only:
            raise OrderRejected(
                f"{request.symbol}: post-only {request.side.value} at {request.price} would "
                f"take liquidity (best {'ask' if request.side is Side.BUY else 'bid'} "
                f"{pieces[0][0]})", code="post_only", request=request, venue=self._venue,
            )
        now = self.clock.now()
        order = PaperOrder(
            id=f"paper-{next(self._ids)}", request=request, price=request.price, placed=now,
            ahead=displayed_at(book, request.side, request.price),
        )
        self.account.reserve(market, order)
        if request.time_in_force is TimeInForce.FOK and (
            money.total(amount for _, amount in pieces) < order.remaining
        ):
            pieces = []  # fill or kill: all of it now, or nothing
        for price, amount in pieces:
            self._fill(order, amount, price, Liquidity.TAKER, now)
            order.taken = money.add(order.taken, amount)
        if order.remaining and request.time_in_force in (TimeInForce.GTC, TimeInForce.PO):
            self._orders[order.id] = order
            resting = self._open_model(order)
            self._resting[order.id] = resting
            return resting
        self.account.release(market, order)
        status = OrderStatus.CLOSED if not order.remaining else OrderStatus.EXPIRED
        return self._model(order, status)

    async def cancel(self, order: Order) -> Order | None:
        paper = self._orders.pop(order.id, None)
        self._resting.pop(order.id, None)
        if paper is None:
            raise OrderNotFound(f"no paper order {order.id}", venue=self._venue)
        self.account.release(self.market, paper)
        return self._model(paper, OrderStatus.CANCELED)

    async def find_placed(self, client_ids: list[str]) -> dict[str, Order]:
        """Paper orders are local: a placement interrupted before it took effect (while
        the book was read) was not placed, and the venue is never asked."""
        wanted = set(client_ids)
        return {
            cid: self._model(order, OrderStatus.OPEN)
            for order in self._orders.values()
            if (cid := order.request.client_order_id) is not None and cid in wanted
        }

    # --- the live market filling them ---------------------------------------------------

    async def sync(self) -> None:
        """Read the live book and the public trades since the last sync; fill the local
        orders they reach (trades first, in time order, then the book as it stands)."""
        book, trades = await gather(self._book(), self._new_trades())
        assert isinstance(book, OrderBook)
        assert isinstance(trades, list)
        now = self.clock.now()
        for trade in trades:
            for order, amount in trade_fills(priority(self._orders.values()), trade):
                self._fill(order, amount, order.price, Liquidity.MAKER, trade.timestamp)
        for order, amount in book_fills(priority(self._orders.values()), book):
            self._fill(order, amount, order.price, Liquidity.MAKER, now)
        for order in [o for o in self._orders.values() if not o.remaining]:
            del self._orders[order.id]
            self.account.release(self.market, order)
        self._resting = {o.id: self._open_model(o) for o in self._orders.values()}
        self._open = {order_id: self._open[order_id] for order_id in self._resting}

    async def _book(self) -> OrderBook:
        return await self.exchange.fetch_order_book(self.market.symbol, self.args.book_depth)

    async def _new_trades(self) -> list[Trade]:
        """Public trades not seen yet, oldest first. The first read only marks where the
        run starts: earlier trades fill nothing."""
        trades = await self.exchange.fetch_trades(
            self.market.symbol, since=self._trades_since, limit=self.args.trades_limit
        )
        fresh = [t for t in trades if t.id not in self._seen]
        if fresh:
            newest = max(t.timestamp for t in fresh)
            if self._trades_since is None or newest > self._trades_since:
                self._trades_since = newest
                self._seen = {t.id for t in trades if t.timestamp == newest}
            else:
                self._seen.update(t.id for t in fresh)
        if not self._primed:
            self._primed = True
            return []
        return fresh

    def _fill(self, order: PaperOrder, amount: Decimal, price: Decimal,
              liquidity: Liquidity, when: datetime) -> None:
        market = self.market
        rate = market.maker_fee if liquidity is Liquidity.MAKER else market.taker_fee
        fee = self.account.settle(market, order, amount, price, rate)
        fill = Fill(
            id=f"{order.id}-{next(self._fill_ids)}",
            order_id=order.id, client_order_id=order.request.client_order_id,
            symbol=market.symbol, side=order.side, price=price, amount=amount, fee=fee,
            fee_currency=market.quote, liquidity=liquidity, timestamp=when,
        )
        if self.journal.append(fill):
            self.log.info("fill", side=order.side.value, price=price, amount=amount, fee=fee,
                          fee_currency=market.quote, order_id=order.id,
                          liquidity=liquidity.value)

    def _open_model(self, order: PaperOrder) -> Order:
        """The open order as a model: the one made last time while no fill has touched
        the order since (a fill replaces its filled, cost and fee numbers with new ones,
        so the very same numbers mean the same model), else a new one."""
        last = self._open.get(order.id)
        if (
            last is not None and last.filled is order.filled and last.cost is order.cost
            and last.fee is order.fee
        ):
            return last.model
        model = self._model(order, OrderStatus.OPEN)
        self._open[order.id] = _OpenModel(order.filled, order.cost, order.fee, model)
        return model

    def _model(self, order: PaperOrder, status: OrderStatus) -> Order:
        request = order.request
        average = (money.ratio(order.cost, order.filled) if order.filled else None)
        return Order(
            id=order.id, client_order_id=request.client_order_id, symbol=request.symbol,
            side=request.side, price=order.price, amount=request.amount, filled=order.filled,
            average=average, status=status, time_in_force=request.time_in_force,
            post_only=request.post_only, fee=order.fee, fee_currency=self.market.quote,
            timestamp=order.placed,
        )

    # --- start and stop -----------------------------------------------------------------

    async def recover(self, mode: str) -> list[Order]:
        """Paper orders live in this process only: an earlier run left nothing."""
        return []

    async def cancel_all(self) -> list[Order]:
        for order_id in list(self._orders):
            order = self._orders.pop(order_id)
            self.account.release(self.market, order)
        self._resting.clear()
        return []
