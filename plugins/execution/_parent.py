"""What every execution service shares: one parent order worked one child at a time.

Each tick: stop at the window's end or once the whole amount filled; check the kill
switches (any tripped: cancel the working child, send nothing until a reset); settle the
working child (final: its fills are accounted and journaled); count the market's public
trades; read the touch (the best bid and ask *without* the mandate's own order); ask the
algorithm for the child it wants (:meth:`ExecutionService.want`); replace the working
child if it differs. Sending, following, looking up and cancelling children is
:mod:`plugins.execution._children`.

One child at a time is the design, not a shortcut: the remaining amount is then exact
(``total - filled`` of final children, minus what the one working child may still fill),
the journal names at most one order in flight, and a stop has one order to cancel.

An order whose outcome is unknown (a placement or cancel that timed out or lost its
connection) is looked up by its client order id in the venue's open, then closed orders,
never guessed; until a lookup answers, no other child is sent. Starting looks up the child
the journal names and cancels (or adopts) any order of the mandate's prefix left resting.
Stopping cancels the working child and any other order of the prefix, journals the final
state and logs the completion report.
"""

from __future__ import annotations

import abc
from decimal import Decimal
from typing import Literal, TypeVar

from plugins.execution._args import ParentArgs
from plugins.execution._children import ChildOrders
from plugins.execution._journal import Journal
from plugins.execution._progress import Progress
from plugins.execution._service import ParentService
from plugins.execution._view import KEEP, Child, Touch, View
from plugins.execution._volume import TradeMeter, volume_excluding
from plugins.market_making.risk import PreTradeLimits
from schemas import ExchangeError, Market, Order, Side, money
from schemas.market_making import RiskCheck

__all__ = ["KEEP", "Child", "ExecutionService", "Touch", "View"]

ArgsT = TypeVar("ArgsT", bound=ParentArgs)
_ZERO = Decimal(0)


class ExecutionService(ParentService[ArgsT], abc.ABC):
    """Base of the execution services on a centralized venue; see the module docstring."""

    book_claims = ("plugins._book:quoting",)
    semantic_checks = ("plugins.exchanges.ccxt._checks:traded_venue",)

    market: Market
    children: ChildOrders | None = None
    _own_counted = _ZERO

    # --- what an algorithm provides -----------------------------------------------------

    @abc.abstractmethod
    def want(self, view: View) -> Child | Literal["keep"] | None:
        """The child wanted working now; None for none; ``KEEP`` to leave things as they
        are. Called again after a replaced child is settled (the fills changed)."""

    def sent(self, child: Child) -> None:
        """A wanted child was sent or refused (not to be asked for again)."""

    # --- lifecycle --------------------------------------------------------------------------

    async def load(self) -> None:
        args = self.args
        self.market = await args.exchange.market(args.symbol)
        try:  # the venue must be able to carry the mandate's client order ids
            args.exchange.client_id_format.issue(args.mandate, 0, 1, args.exchange.venue)
        except ValueError as exc:
            raise ValueError(f"{self.name}: {exc}") from None
        self._risk: RiskCheck = args.risk if args.risk is not None else PreTradeLimits()
        self._observe()
        self._journal = Journal(args.journal, mandate=args.mandate,
                                venue=args.exchange.venue, symbol=str(args.symbol),
                                algorithm=self.algorithm)

    @property
    def working(self) -> Order | None:
        """The child resting on the venue, as last seen."""
        return None if self.children is None else self.children.working

    @property
    def desk(self) -> ChildOrders:
        if self.children is None:
            raise RuntimeError(f"{self.name}: not started")
        return self.children

    def owns(self, order: Order) -> bool:
        """Whether ``order`` is a child of this mandate (of any run), by its client id."""
        return self.args.exchange.client_id_format.owns(self.args.mandate,
                                                         order.client_order_id)

    @property
    def prefix(self) -> str:
        return f"{self.args.mandate}-"

    async def _start(self) -> None:
        args = self.args
        record = await self._journaled()
        if record is not None:
            self.progress = Progress.resume(record)
            self._meter = TradeMeter(args.exchange, str(args.symbol),
                                     record.trades_position or record.started, resumed=True)
        else:
            ticker = await args.exchange.fetch_ticker(args.symbol)
            arrival = money.mid(ticker.bid, ticker.ask) if ticker.bid and ticker.ask else \
                ticker.last
            self.progress = Progress(side=args.side, total=args.amount,
                                     started=self.clock.now(), arrival=arrival)
            self._meter = TradeMeter(args.exchange, str(args.symbol), self.progress.started)
        if self._already_finished():
            return
        self.progress.state = "working"
        self.children = ChildOrders(
            exchange=args.exchange, symbol=str(args.symbol), side=args.side,
            limit_price=args.limit_price, mandate=args.mandate,
            run=int(self.progress.started.timestamp() * 1000), market=self.market,
            progress=self.progress, journal=self._journal, risk=self._risk, clock=self.clock,
            log=self.log)
        await self._recover()
        await self._journal.save(self.progress, self.clock.now())
        self.log.info("parent order started" if record is None else "parent order resumed",
                      algorithm=self.algorithm, mandate=args.mandate, side=args.side.value,
                      total=args.amount, filled=self.progress.filled,
                      remaining=self.progress.remaining, arrival_price=self.progress.arrival)

    async def _recover(self) -> None:
        """The child the journal names, and any order of the prefix left resting."""
        exchange, symbol = self.args.exchange, self.args.symbol
        pending = self.progress.pending
        resting = [o for o in await exchange.fetch_open_orders(symbol)
                   if self.owns(o)]
        if pending is not None and not any(o.client_order_id == pending for o in resting):
            found = await self.desk.lookup(pending)
            if found is not None and found.is_done:
                await self.desk.account(found)
            elif found is None:
                self.progress.pending = None  # it never reached the venue
        for order in resting:
            if self.args.on_start == "adopt" and order.client_order_id == pending \
                    and self.working is None:
                self.desk.working = order
                self.log.warning("adopted the child order an earlier run left",
                                 client_order_id=order.client_order_id)
                continue
            self.log.warning("cancelling a child order an earlier run left",
                             client_order_id=order.client_order_id, counted=order.client_order_id
                             == pending)
            final = await self.desk.cancel(order)
            if final is not None and order.client_order_id == pending:
                await self.desk.account(final)

    async def on_stop(self) -> None:
        if self.children is None and not self._finished:
            await self._stopped_before_start()
            return
        if self._finished:  # by an earlier run: report what the journal holds
            await self._final()
            return
        left = await self._cancel_everything()
        await self._final(resting_left=len(left))

    async def _stopped_before_start(self) -> None:
        """A start that failed may have found orders of the prefix: none is left resting."""
        try:
            left = [o for o in await self.args.exchange.fetch_open_orders(self.args.symbol)
                    if self.owns(o)]
            for order in left:
                await self.args.exchange.cancel_order(order.id, order.symbol)
        except ExchangeError as exc:
            self.log.error("stopped before starting; orders of the prefix may rest",
                           error=f"{type(exc).__name__}: {exc}")
            return
        self.log.warning("stopped before starting", cancelled=len(left))

    async def _cancel_everything(self) -> list[Order]:
        """Cancel rounds until the venue shows no order of the prefix; returns those left."""
        left: list[Order] = []
        for attempt in range(1, self.args.cancel_attempts + 1):
            try:
                if not await self.desk.settle():
                    continue
                if self.working is not None:
                    await self.desk.cancel_working()
                left = [o for o in await self.args.exchange.fetch_open_orders(self.args.symbol)
                        if self.owns(o)]
                for order in left:
                    final = await self.desk.cancel(order)
                    if final is not None and order.client_order_id == self.progress.pending:
                        await self.desk.account(final)
                left = [o for o in await self.args.exchange.fetch_open_orders(self.args.symbol)
                        if self.owns(o)]
                if not left and self.working is None:
                    return []
            except ExchangeError as exc:
                self.log.warning("cancel round failed", attempt=attempt,
                                 error=f"{type(exc).__name__}: {exc}")
        if self.working is not None and all(o.id != self.working.id for o in left):
            left.append(self.working)
        if left:
            self.log.error("child orders still resting after cancelling", count=len(left),
                           orders=[o.client_order_id for o in left])
        return left

    # --- the tick -----------------------------------------------------------------------------

    async def _tick(self) -> None:
        if self._over():
            return
        if not await self._switches_clear():
            if self.working is not None:
                await self.desk.cancel_working()
            return
        if not await self.desk.settle():
            return
        volume, cost = await self._meter.update()
        if volume:
            self.progress.count_trades(volume, cost, self._meter.position)
        # The tape just read holds every own fill so far (and none still to come).
        working = self.working
        self._own_counted = money.add(self.progress.filled,
                                      working.filled if working is not None else _ZERO)
        if self.working is None:
            remaining = self.progress.remaining
            if remaining == 0:
                self.log.info("parent order filled", filled=self.progress.filled)
                self.request_stop()
                return
            tradable = self.market.quantize_amount(remaining)
            if tradable == 0 or tradable < self.market.min_amount:
                self.log.warning("the remainder is under the venue's minimum order; stopping",
                                 remaining=remaining, min_amount=self.market.min_amount,
                                 step=self.market.amount_increment)
                self.request_stop()
                return
        touch = await self._touch()
        for _ in range(2):
            child = self.want(self._view(touch))
            if child == KEEP:
                return
            working = self.working
            if working is not None:
                if isinstance(child, Child) and self.desk.same(working, child):
                    return
                if not await self.desk.cancel_working():
                    return
                continue  # the fills changed: ask again
            if isinstance(child, Child):
                self.sent(child)
                await self.desk.send(child, touch)
            return

    def _view(self, touch: Touch) -> View:
        return View(elapsed=self._elapsed(), now=self.clock.monotonic(),
                    progress=self.progress, working=self.working, touch=touch,
                    market=self.market,
                    market_volume=volume_excluding(self.progress.market_volume,
                                                   self._own_counted))

    async def _touch(self) -> Touch:
        book = await self.args.exchange.fetch_order_book(self.args.symbol, 5)
        working = self.working
        best: list[Decimal | None] = []
        for levels, side in ((book.bids, Side.BUY), (book.asks, Side.SELL)):
            price = None
            for level in levels:
                amount = level.amount
                if working is not None and working.side is side and level.price == working.price:
                    amount = money.subtract(amount, working.remaining)
                if amount > 0:
                    price = level.price
                    break
            best.append(price)
        return Touch(bid=best[0], ask=best[1])
