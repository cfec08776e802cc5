"""``market_making.xemm``: quote on a maker venue off a taker venue's book; hedge every fill.

Each tick: ask the kill switches (any tripped: cancel the maker quotes and quote no more,
but keep hedging); read every maker order of the mandate and record what filled since the
last look (:class:`~plugins.market_making._hedge.HedgeLedger`); hedge the exposure on the
taker venue at once with an IOC limit order ``hedge_slippage`` through the taker's best
price, re-reading the book and retrying up to ``hedge_attempts`` times; then quote one bid
and one ask of ``amount`` on the maker venue at the taker's best bid less
``min_profitability`` and best ask plus it (post-only, replaced when the target moves more
than ``tolerance``). A maker order is cancelled and then read once more, so a fill that
lands while it is being cancelled is hedged like any other.

A hedge that fails or fills only partly ``hedge_attempts`` times in a row halts the
mandate: the maker quotes are cancelled, the open exposure (base bought or sold on the
maker venue and not offset on the taker) is logged exactly with the fills behind it, kept
in :attr:`Xemm.exposure`, and the service stops. Net inventory across both venues stays
within one quote size while hedging works: at most one maker order per side rests, and
every fill is offset on the very next tick.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from fortuna import ExactDecimal, TickArgs, TickService
from plugins.market_making._hedge import HedgeLedger, HedgeState
from schemas import (
    Exchange,
    ExchangeError,
    MandateName,
    Market,
    Order,
    OrderRequest,
    OrderStatus,
    Side,
    Symbol,
    TimeInForce,
    money,
)
from schemas.risk import KillSwitch

__all__ = ["Xemm", "XemmArgs"]

_ONE = Decimal(1)
Fraction = Annotated[ExactDecimal, Field(ge=0, lt=1)]


class XemmArgs(TickArgs):
    maker: Exchange = Field(description="the venue the quotes rest on")
    taker: Exchange = Field(
        description="the venue whose book prices the quotes and where fills are hedged"
    )
    symbol: Symbol = Field(description='the market, the same on both venues, e.g. "BTC/USDT"')
    amount: Annotated[ExactDecimal, Field(gt=0)] = Field(
        description="size of each maker quote, in base: also the largest unhedged exposure"
    )
    min_profitability: Fraction = Field(
        description="how far the maker quote stands beyond the taker's best price, as a "
        "fraction (0.003 = 30 bps): the margin left for fees and profit"
    )
    hedge_slippage: Fraction = Field(
        default=Decimal("0.002"),
        description="how far through the taker's best price a hedge may trade, as a fraction",
    )
    hedge_attempts: int = Field(
        default=3, ge=1, le=100,
        description="hedges that fail or fill partly in a row before the mandate halts",
    )
    tolerance: Fraction = Field(
        default=Decimal("0.0005"),
        description="a resting quote is kept while within this fraction of its target",
    )
    mandate: MandateName = Field(
        description="the mandate's name: the prefix of every client order id it sends"
    )
    kill_switches: list[KillSwitch] = Field(
        default_factory=list,
        description="any one tripped cancels the maker quotes (fills are still hedged)",
    )


class Xemm(TickService[XemmArgs]):
    """Cross-venue hedged quoting: maker quotes priced off a taker book, every fill hedged."""

    semantic_checks = ("plugins.market_making._checks:maker_post_only",)

    _maker_market: Market | None = None
    _taker_market: Market | None = None
    ledger: HedgeLedger
    exposure: Decimal | None = None
    """The open exposure (base) when the mandate halted; None while it runs."""
    halted = False
    book_claims = ("plugins._book:hedged_quoting", "plugins._book:names")

    async def load(self) -> None:
        args = self.args
        self._maker_market = await args.maker.market(args.symbol)
        self._taker_market = await args.taker.market(args.symbol)
        self.ledger = HedgeLedger(increment=self._taker_market.amount_increment,
                                  attempts=args.hedge_attempts)
        self._orders: dict[Side, Order] = {}
        self._sent = 0
        self._run = f"{int(self.clock.now().timestamp()) % 1_000_000:06d}"

    async def on_start(self) -> None:
        await self.args.maker.cancel_all_orders(str(self.args.symbol))
        self.log.info("xemm started", mandate=self.args.mandate, symbol=str(self.args.symbol))

    async def on_stop(self) -> None:
        await self._cancel_quotes()
        self.log.info("xemm stopped", mandate=self.args.mandate, exposure=self.ledger.exposure,
                      maker_filled=self.ledger.maker, hedged=self.ledger.hedged)

    # --- the tick ---------------------------------------------------------------------

    async def tick(self) -> None:
        if self.halted:
            return
        quoting = True
        switches = self.args.kill_switches
        if switches:
            for switch in switches:
                await switch.check()
            quoting = not any(switch.tripped for switch in switches)
        await self._collect()
        await self._hedge()
        if self.ledger.state is HedgeState.HALTED:
            await self._halt()
            return
        if not quoting:
            await self._cancel_quotes()
            return
        await self._quote()

    async def _collect(self) -> None:
        """Read every resting maker order; record new fills; drop the final ones."""
        for side, order in list(self._orders.items()):
            latest = await self.args.maker.fetch_order(order.id, str(self.args.symbol))
            self._record(side, latest)

    def _record(self, side: Side, latest: Order) -> None:
        fill = self.ledger.maker_order(latest)
        if fill:
            self.log.info("maker fill", side=str(side), amount=abs(fill), price=latest.price,
                          exposure=self.ledger.exposure)
        if latest.status is OrderStatus.OPEN and latest.remaining > 0:
            self._orders[side] = latest
        else:
            self._orders.pop(side, None)
            self.ledger.forget(latest.id)

    async def _hedge(self) -> None:
        """Hedge the exposure now, retrying within the slippage budget."""
        args, ledger = self.args, self.ledger
        while (needed := ledger.hedge_needed()) is not None:
            side, amount = needed
            filled, error = Decimal(0), None
            try:
                filled = await self._send_hedge(side, amount)
            except ExchangeError as exc:
                error = f"{type(exc).__name__}: {exc}"
            ledger.hedge_result(side, filled, error)
            self.log.info("hedge", side=str(side), amount=amount, filled=filled, error=error,
                          exposure=ledger.exposure, failures=ledger.failures)
            if ledger.state is HedgeState.EXPOSED:
                # a short pause before the retry (a quarter of the interval, at most 250 ms)
                await self.clock.sleep(min(args.interval, 1.0) / 4)

    async def _send_hedge(self, side: Side, amount: Decimal) -> Decimal:
        args = self.args
        taker, market = args.taker, self._taker_market
        assert market is not None
        book = await taker.fetch_order_book(str(args.symbol), 5)
        levels = book.bids if side is Side.SELL else book.asks
        if not levels:
            raise ExchangeError(f"the taker's {'bids' if side is Side.SELL else 'asks'} are empty")
        through = -args.hedge_slippage if side is Side.SELL else args.hedge_slippage
        price = market.quantize_price(
            money.multiply(levels[0].price, money.add(_ONE, through)), side)
        order = await taker.create_order(OrderRequest(
            symbol=args.symbol, side=side, amount=market.quantize_amount(amount), price=price,
            time_in_force=TimeInForce.IOC, client_order_id=self._client_id("h"),
        ))
        if order.status is OrderStatus.OPEN:
            order = await taker.fetch_order(order.id, str(args.symbol))
        return order.filled

    async def _quote(self) -> None:
        args = self.args
        market = self._maker_market
        assert market is not None
        try:
            book = await args.taker.fetch_order_book(str(args.symbol), 5)
        except ExchangeError:
            # No taker book, no price to vouch for the quotes: pull them, then fail the tick.
            await self._cancel_quotes()
            await self._hedge()
            if self.ledger.state is HedgeState.HALTED:
                await self._halt()
                return
            raise
        targets: dict[Side, Decimal] = {}
        if book.bids:
            targets[Side.BUY] = market.quantize_price(money.multiply(
                book.bids[0].price, money.subtract(_ONE, args.min_profitability)), Side.BUY)
        if book.asks:
            targets[Side.SELL] = market.quantize_price(money.multiply(
                book.asks[0].price, money.add(_ONE, args.min_profitability)), Side.SELL)
        for side in (Side.BUY, Side.SELL):
            target = targets.get(side)
            resting = self._orders.get(side)
            if resting is not None and target is not None and resting.price is not None and \
                    money.ratio(abs(money.subtract(resting.price, target)), target) \
                    <= args.tolerance:
                continue
            if resting is not None:
                await self._cancel(side, resting)
                await self._hedge()
                if self.ledger.state is HedgeState.HALTED:
                    await self._halt()
                    return
            if target is None or side in self._orders:
                continue
            order = await args.maker.create_order(OrderRequest(
                symbol=args.symbol, side=side, amount=market.quantize_amount(args.amount),
                price=target, post_only=True, client_order_id=self._client_id("q"),
            ))
            self._record(side, order)

    async def _cancel(self, side: Side, order: Order) -> None:
        """Cancel, then read the order once more: a fill during the cancel is recorded."""
        symbol = str(self.args.symbol)
        try:
            await self.args.maker.cancel_order(order.id, symbol)
        except ExchangeError as exc:
            self.log.warning("cancel failed", order=order.id, error=str(exc))
        self._record(side, await self.args.maker.fetch_order(order.id, symbol))

    async def _cancel_quotes(self) -> None:
        for side, order in list(self._orders.items()):
            await self._cancel(side, order)

    async def _halt(self) -> None:
        await self._cancel_quotes()
        ledger = self.ledger
        self.halted = True
        self.exposure = ledger.exposure
        self.log.error("hedging failed: mandate halted", reason=ledger.halted_because,
                       exposure=ledger.exposure, base=self.args.symbol.base,
                       maker_filled=ledger.maker, hedged=ledger.hedged,
                       quotes_left=len(self._orders))
        self.request_stop()

    def _client_id(self, kind: str) -> str:
        self._sent += 1
        return f"{self.args.mandate}-{kind}{self._run}n{self._sent}"
