"""The child orders of one parent order: sending, following, looking up and cancelling.

Every child is quantized on the market (a buy's price rounds down, a sell's up, amounts
round down; never past the limit price, never more than the remaining amount), passes
pre-trade risk, and is journaled as ``pending`` before it is sent. A final child is
accounted with its own fills, exactly.

An order whose outcome is unknown (a placement or cancel that timed out or lost its
connection) is looked up by its client order id among the venue's open, then closed
orders, never guessed; while it is unknown :meth:`ChildOrders.settle` answers False and
the service sends nothing else. A final child whose fills could not be read yet is read
again on the next settle.
"""

from __future__ import annotations

from decimal import Decimal

from fortuna import Clock, Logger
from plugins.execution._journal import Journal
from plugins.execution._progress import Progress
from plugins.execution._view import Child, Touch
from schemas import (
    Exchange,
    ExchangeError,
    Fill,
    InsufficientFunds,
    InvalidOrder,
    Market,
    Order,
    OrderNotFound,
    OrderRequest,
    OrderStatus,
    Side,
    money,
)
from schemas.market_making import RiskCheck, RiskContext

__all__ = ["ChildOrders"]


class ChildOrders:
    """Sends and follows the children of one parent order, one at a time."""

    working: Order | None
    """The child resting on the venue, as last seen."""
    unknown: str | None
    """A child whose placement's outcome is unknown: looked up before anything else."""
    final: Order | None
    """A final child whose fills are still to be read and accounted."""

    def __init__(self, *, exchange: Exchange, symbol: str, side: Side,
                 limit_price: Decimal | None, mandate: str, run: int, market: Market,
                 progress: Progress, journal: Journal, risk: RiskCheck, clock: Clock,
                 log: Logger) -> None:
        self.exchange = exchange
        self.symbol = symbol
        self.side = side
        self.limit_price = limit_price
        self.mandate = mandate
        self.run = run
        self.market = market
        self.progress = progress
        self.journal = journal
        self.risk = risk
        self.clock = clock
        self.log = log
        self.working = None
        self.unknown = None
        self.final = None

    def same(self, working: Order, child: Child) -> bool:
        """Whether ``working`` already is the order ``child`` asks for."""
        if working.price != self.price(child.price):
            return False
        left = money.subtract(self.progress.remaining, working.filled)
        return working.remaining == self.market.quantize_amount(min(child.amount, left))

    def price(self, price: Decimal) -> Decimal:
        """On the tick, never more aggressive, never past the limit price."""
        side = self.side
        price = self.market.quantize_price(price, side)
        limit = self.limit_price
        if limit is not None:
            price = min(price, limit) if side is Side.BUY else max(price, limit)
        return price

    def client_id(self) -> str:
        """The next child's id, in the venue's format: ``<mandate>-<run>-<n>``, the run
        being the parent order's start (ms), so a resumed parent keeps numbering on."""
        self.progress.children += 1
        return self.exchange.client_id_format.issue(
            self.mandate, self.run, self.progress.children, self.exchange.venue)

    async def send(self, child: Child, touch: Touch) -> None:
        progress = self.progress
        amount = min(child.amount, progress.remaining)
        try:
            request = self.market.check_order(OrderRequest(
                symbol=self.symbol, side=self.side, amount=self.market.quantize_amount(amount)
                if amount > 0 else amount, price=self.price(child.price),
                time_in_force=child.time_in_force, post_only=child.post_only))
        except (InvalidOrder, ValueError) as exc:
            progress.refused += 1
            self.log.warning("child order refused", reason=str(exc), amount=amount)
            return
        now = self.clock.monotonic()
        reference = touch.mid or request.price or progress.arrival or Decimal(1)
        refusal = self.risk.refusal(request, RiskContext(reference=reference, book=(), now=now))
        if refusal is not None:
            progress.refused += 1
            self.log.warning("child order refused by risk", reason=refusal,
                             price=request.price, amount=request.amount)
            return
        client_id = self.client_id()
        request = request.model_copy(update={"client_order_id": client_id})
        progress.pending = client_id
        await self.journal.save(progress, self.clock.now())
        try:
            order = await self.exchange.create_order(request)
        except (InvalidOrder, InsufficientFunds) as exc:
            progress.refused += 1
            progress.pending = None
            self.log.warning("child order refused by the venue", client_order_id=client_id,
                             error=f"{type(exc).__name__}: {exc}")
            await self.journal.save(progress, self.clock.now())
            return
        except ExchangeError as exc:
            self.log.warning("child order outcome unknown; looking it up",
                             client_order_id=client_id, error=f"{type(exc).__name__}: {exc}")
            self.unknown = client_id
            self.risk.record_sent(request, now)
            await self.settle()
            return
        self.risk.record_sent(request, now)
        progress.sent += 1
        self.log.info("child order sent", client_order_id=client_id, price=request.price,
                      amount=request.amount, filled=order.filled)
        await self.track(order)

    async def track(self, order: Order) -> None:
        """Follow ``order`` as the working child, or account it if final."""
        if order.is_done:
            self.working = None
            self.final = order  # until its fills are read (a venue error may intervene)
            if await self.account(order):
                await self.journal.save(self.progress, self.clock.now())
            self.final = None
        else:
            self.working = order

    async def account(self, order: Order) -> bool:
        """Account a final child with its own fills (exact value and fee)."""
        fills: list[Fill] = []
        if order.filled > 0:
            fills = await self.exchange.fetch_my_trades(self.symbol,
                                                             since=order.timestamp)
        return self.progress.account(order, fills)

    async def lookup(self, client_id: str) -> Order | None:
        """The order of ``client_id`` among the venue's open, then closed orders."""
        exchange, symbol = self.exchange, self.symbol
        for order in await exchange.fetch_open_orders(symbol):
            if order.client_order_id == client_id:
                return order
        for order in reversed(await exchange.fetch_closed_orders(symbol)):
            if order.client_order_id == client_id:
                return order
        return None

    async def settle(self) -> bool:
        """Bring the working child (or the one of unknown outcome) up to date; False while
        the venue leaves it unknown (nothing else is sent then)."""
        try:
            if self.final is not None:
                await self.track(self.final)
            if self.unknown is not None:
                found = await self.lookup(self.unknown)
                if found is None:
                    self.log.warning("child order never reached the venue",
                                     client_order_id=self.unknown)
                    self.progress.pending = None
                    self.progress.refused += 1
                    await self.journal.save(self.progress, self.clock.now())
                else:
                    self.progress.sent += 1
                    self.log.info("child order found", client_order_id=self.unknown,
                                  status=found.status.value, filled=found.filled)
                    await self.track(found)
                self.unknown = None
            working = self.working
            if working is not None:
                await self.track(await self.exchange.fetch_order(working.id, working.symbol))
        except ExchangeError as exc:
            self.log.warning("child order not settled; retrying next tick",
                             error=f"{type(exc).__name__}: {exc}")
            return False
        return True

    async def cancel(self, order: Order) -> Order | None:
        """Cancel ``order``; its final state, or None while the venue leaves it open."""
        exchange = self.exchange
        try:
            result = await exchange.cancel_order(order.id, order.symbol)
        except OrderNotFound:
            result = None
        except ExchangeError as exc:
            self.log.warning("cancel failed; looking the order up",
                             client_order_id=order.client_order_id,
                             error=f"{type(exc).__name__}: {exc}")
            result = None
        if result is None or not result.is_done:
            result = await exchange.fetch_order(order.id, order.symbol)
        if not result.is_done:
            return None
        if result.status is OrderStatus.CANCELED:
            self.progress.cancelled += 1
        return result

    async def cancel_working(self) -> bool:
        """Cancel the working child and account it; False while it stays open or unknown."""
        working = self.working
        if working is None:
            return True
        try:
            final = await self.cancel(working)
        except ExchangeError as exc:
            self.log.warning("working child not cancelled; retrying next tick",
                             error=f"{type(exc).__name__}: {exc}")
            return False
        if final is None:
            return False
        await self.track(final)
        return True
