"""``arbitrage``: cross-venue arbitrage of one base currency between two adapters.

Each tick is a pipeline of small steps, each in its own module:

1. Kill switches are checked (concurrently); a tripped one halts trading for the tick.
2. :mod:`~plugins.arbitrage._scan`: both venues are quoted for ``trade_amount`` on both
   sides, and the conversion rate from B's quote currency to A's (the reference currency)
   is read, all concurrently; both directions are evaluated net of taker fees
   (:mod:`~plugins.arbitrage._decision`), and the better one whose profit ratio is strictly
   above ``threshold`` is taken (decided with exact arithmetic).
3. :mod:`~plugins.arbitrage._checks`: the buying venue holds the quote currency for the
   amount at the protective limit plus fee, the selling venue holds the base amount, and
   both orders pass their market's precision and minimums. Any failure skips the trade.
4. :mod:`~plugins.arbitrage._desk` runs the settlement
   (:mod:`~plugins.arbitrage._settlement`, a pure state machine): both legs are sent
   concurrently as immediate-or-cancel orders limited at the quote's worst price
   (``max_slippage`` widens that limit); a leg that failed in any way after it was sent is
   looked up by its client order id, never guessed; if the legs filled different amounts,
   ``leg_failure_policy`` restores a flat base position: ``unwind`` reverses the excess on
   the venue where it was traded, ``hedge`` completes the missing quantity on the other
   venue, with orders re-quoted and limited at the fresh worst price widened by
   ``recovery_slippage``, up to ``recovery_attempts`` times. Rebalancing orders follow the
   same exception policy as legs (see :mod:`~plugins.arbitrage._desk`).
5. :mod:`~plugins.arbitrage._report` records the :class:`Execution` and logs it. An
   imbalance under the venue's minimum is logged as a residual; any other imbalance left,
   or an order whose outcome could not be found out, **halts trading** (the service keeps
   ticking but sends nothing until it is restarted), with an error naming every unknown
   order (venue, side, amount, limit, client order id) and the range the base position
   lies in.

A forced stop (the service cancelled) while orders are open does not wait for lookups: the
open orders are recorded as unknown, the halt is logged with their figures, and the
cancellation goes on.

After every tick, kill switches that observe ticks (``TickObserver``, such as
``kill_switches.consecutive_errors``, or ``kill_switches.any`` holding one) hear whether it
succeeded or failed: a tick fails when it raises, or when an order hit a failure (a leg, a
rebalancing order, an order lookup). A tick skipped by a tripped switch or a halt is not a
failure, nor is an order the market's rules refuse before it is sent.

Imbalances are counted in the base amounts the orders filled. A fee a venue takes in the
base currency (or in a third currency) is a cost, valued in the realised figures when it
can be (``fees_unvalued`` says when it cannot), never rebalanced: it is under any venue's
minimum order for realistic sizes. Every figure is computed by :mod:`schemas.money`.

Every decision is logged with its figures (exact Decimals), and the last executions are
kept in :attr:`Arbitrage.executions`. A reason for skipping an opportunity (short balance,
an order the market would refuse) is a warning when it first appears, then debug while it
repeats.
"""

from __future__ import annotations

import asyncio
from collections import deque
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field

from fortuna import Duration, ExactDecimal, TickArgs, TickService
from plugins.arbitrage._checks import pre_trade_checks
from plugins.arbitrage._decision import (
    Direction,
    Execution,
    Opportunity,
    best_opportunity,
    limit_price,
)
from plugins.arbitrage._desk import LOOKUP_PAUSE, Desk, describe
from plugins.arbitrage._report import execution, halt_reason, log_execution, log_halt
from plugins.arbitrage._scan import scan
from plugins.arbitrage._settlement import Settlement
from plugins.arbitrage._settlement_data import (
    Order,
    Phase,
    Policy,
    Role,
    Venue,
)
from schemas import Amount, ExchangeError, Rate, Side, money
from schemas.arbitrage import Converter, QuoteAdapter
from schemas.risk import KillSwitch, TickObserver, report_tick, tick_observers

__all__ = ["Arbitrage", "ArbitrageArgs"]

_ZERO = Decimal(0)
_KEPT_EXECUTIONS = 1000


class ArbitrageArgs(TickArgs):
    exchange_a: QuoteAdapter = Field(description="venue A; its quote currency is the reference")
    exchange_b: QuoteAdapter = Field(description="venue B, same base currency as A")
    converter: Converter = Field(
        description="converts B's quote currency into A's (e.g. USDC into USDT)"
    )
    threshold: Annotated[ExactDecimal, Field(ge=0)] = Field(
        description="minimum profit ratio net of fees to trade (0.0015 = 0.15 %); a trade "
        "needs strictly more"
    )
    trade_amount: Amount = Field(description="base amount of each leg, e.g. 0.05 BTC")
    interval: Annotated[Duration, Field(gt=0)] = Field(
        default=1.0, description='time between ticks, e.g. "1s", "250ms"'
    )
    kill_switches: list[KillSwitch] = Field(
        default_factory=list, description="trading halts while any of them is tripped"
    )
    leg_failure_policy: Literal["unwind", "hedge"] = Field(
        default="unwind",
        description="when the legs fill different amounts: unwind reverses the excess where "
        "it was traded; hedge completes the missing quantity on the other venue",
    )
    max_slippage: Rate = Field(
        default=Decimal(0),
        ge=0,
        description="how far past the quoted worst price a leg's limit may go (0.001 = "
        "0.1 %): fewer missed legs when books move, at the cost of up to that much of the "
        "quoted profit (the decision uses the quotes)",
    )
    recovery_slippage: Rate = Field(
        default=Decimal("0.01"),
        ge=0,
        description="how far past a fresh quote's worst price a rebalancing order may go",
    )
    recovery_attempts: int = Field(
        default=3, ge=1, description="rebalancing orders tried before trading halts"
    )
    client_order_prefix: str = Field(
        default="arb",
        pattern=r"^[A-Za-z0-9]{1,12}$",
        description="prefix of the client order ids the service sends (letters and digits)",
    )


class Arbitrage(TickService[ArbitrageArgs]):
    """Trades the spread between two venues once it clears a threshold net of fees."""

    executions: deque[Execution]
    halted: str | None = None
    """Why trading is halted for good (an unresolved leg imbalance or an order whose
    outcome is unknown), or None."""
    residual: Decimal = _ZERO
    """Base imbalance left over by rebalancing (under the venues' minimums), cumulated."""
    trades: int = 0
    """Arbitrages executed since the service started."""
    realised_profit: Decimal = _ZERO
    """Their realised profit, in the reference currency, summed."""
    _kill_reasons: tuple[str, ...] = ()
    _last_skip: str | None = None
    _orders: int = 0
    _observers: list[TickObserver]
    _errors: list[str]

    async def load(self) -> None:
        self.executions = deque(maxlen=_KEPT_EXECUTIONS)
        self._observers = tick_observers(self.args.kill_switches)
        self._errors = []
        a, b = self.args.exchange_a, self.args.exchange_b
        if a.symbol.base != b.symbol.base:
            raise ValueError(
                f"exchange_a trades {a.symbol} and exchange_b {b.symbol}: an arbitrage needs "
                "the same base currency on both"
            )
        # Fail at start, not at the first tick, when the rate cannot be had: a temporary
        # error is retried (recovery_attempts times, 1 s apart), any other one is final.
        attempts = self.args.recovery_attempts
        for attempt in range(1, attempts + 1):
            try:
                rate = await self.args.converter.rate(b.symbol.quote, a.symbol.quote)
                break
            except ExchangeError as error:
                if not error.retryable or attempt == attempts:
                    raise
                self.log.warning("arbitrage rate retry", attempt=attempt, error=describe(error))
                await self.clock.sleep(LOOKUP_PAUSE)
        self.log.info(
            "arbitrage ready",
            a=f"{a.venue} {a.symbol}", b=f"{b.venue} {b.symbol}",
            currency=a.symbol.quote, rate=rate.rate, rate_source=rate.source,
            threshold=self.args.threshold, trade_amount=self.args.trade_amount,
            leg_failure_policy=self.args.leg_failure_policy,
        )

    @property
    def currency(self) -> str:
        """The reference currency: venue A's quote currency."""
        return self.args.exchange_a.symbol.quote

    async def on_stop(self) -> None:
        # Legs are immediate-or-cancel: nothing of ours rests on a book to cancel.
        self.log.info(
            "arbitrage stopped", trades=self.trades, realised_profit=self.realised_profit,
            currency=self.currency, residual=self.residual, halted=self.halted,
        )

    # -- one tick --------------------------------------------------------------------------

    async def tick(self) -> None:
        self._errors = []
        try:
            await self._tick()
        except Exception as exc:
            report_tick(self._observers, f"{type(exc).__name__}: {exc}")
            raise
        report_tick(self._observers, self._errors[0] if self._errors else None)

    async def _tick(self) -> None:
        if self.halted is not None:
            return
        if await self._kill_switch_tripped():
            return
        opportunity = await self.find_opportunity()
        if opportunity is None:
            return
        if not await self._pre_trade_checks(opportunity):
            return
        await self.execute(opportunity)

    async def _kill_switch_tripped(self) -> bool:
        switches = self.args.kill_switches
        if not switches:
            return False
        tripped = await asyncio.gather(*(switch.check() for switch in switches))
        reasons = tuple(
            switch.reason or type(switch).__name__
            for switch, trip in zip(switches, tripped, strict=True)
            if trip
        )
        if reasons != self._kill_reasons:
            if reasons:
                self.log.warning("arbitrage halted by kill switch", reasons=list(reasons))
            else:
                self.log.info("arbitrage resumed", previous_reasons=list(self._kill_reasons))
            self._kill_reasons = reasons
        return bool(reasons)

    async def find_opportunity(self) -> Opportunity | None:
        """Quote both venues on both sides and the rate, concurrently; the best direction
        clearing the threshold, or None."""
        amount = self.args.trade_amount
        found = await scan(self.args.exchange_a, self.args.exchange_b, self.args.converter,
                           amount)
        self.log.debug(
            "arbitrage evaluated",
            amount=amount, rate=found.rate.rate, not_enough_depth=list(found.thin) or None,
            **{f"{o.direction.value}_profit_ratio": o.profit_ratio for o in found.candidates},
        )
        best = best_opportunity(found.candidates, self.args.threshold)
        if best is not None:
            self.log.info(
                "arbitrage opportunity",
                direction=best.direction.value, amount=amount, currency=best.currency,
                buy_venue=best.buy.venue, buy_price=best.buy.price,
                sell_venue=best.sell.venue, sell_price=best.sell.price,
                rate=found.rate.rate, cost=best.cost, proceeds=best.proceeds, fees=best.fees,
                profit=best.profit, profit_ratio=best.profit_ratio,
                threshold=self.args.threshold,
            )
        return best

    def _adapters(self, opportunity: Opportunity) -> dict[Venue, QuoteAdapter]:
        """The buying and selling adapters of a direction."""
        a, b = self.args.exchange_a, self.args.exchange_b
        buyer, seller = (a, b) if opportunity.direction is Direction.A_TO_B else (b, a)
        return {Venue.BUYER: buyer, Venue.SELLER: seller}

    async def _pre_trade_checks(self, opportunity: Opportunity) -> bool:
        """Balances on both sides and both orders' market rules; False (logged) to skip."""
        adapters = self._adapters(opportunity)
        slippage = self.args.max_slippage
        skip = await pre_trade_checks(
            adapters[Venue.BUYER], adapters[Venue.SELLER], self.args.trade_amount,
            buy_limit=limit_price(opportunity.buy, slippage),
            sell_limit=limit_price(opportunity.sell, slippage),
            buy_fee_rate=opportunity.buy.fee_rate,
        )
        if skip is None:
            return True
        self._skipped(skip.event, direction=opportunity.direction.value, **skip.figures)
        return False

    def _skipped(self, event: str, **figures: Any) -> None:
        """Log why an opportunity was not traded: a warning when the reason is new, debug
        while the same reason repeats tick after tick (a venue short of balance for hours
        would otherwise write a warning a second)."""
        if event != self._last_skip:
            self.log.warning(event, **figures)
        else:
            self.log.debug(event, **figures)
        self._last_skip = event

    def _client_order_id(self, leg: str) -> str:
        self._orders += 1
        stamp = int(self.clock.time() * 1000)
        return f"{self.args.client_order_prefix}{stamp:x}{self._orders:x}{leg}"

    def _failed(self, event: str, error: str) -> None:
        """Count an order's failure as the tick's, for the kill switches observing ticks."""
        self._errors.append(f"{event}: {error}")

    # -- execution -------------------------------------------------------------------------

    async def execute(self, opportunity: Opportunity) -> Execution:
        """Send both legs and settle them (:mod:`~plugins.arbitrage._desk`), then record,
        log and keep the outcome; halt when the settlement could not restore a flat base
        or find out what an order did."""
        adapters = self._adapters(opportunity)
        amount, slippage = self.args.trade_amount, self.args.max_slippage
        buy = Order(
            client_order_id=self._client_order_id("b"), role=Role.BUY, venue=Venue.BUYER,
            side=Side.BUY, amount=amount, limit_price=limit_price(opportunity.buy, slippage),
        )
        sell = Order(
            client_order_id=self._client_order_id("s"), role=Role.SELL, venue=Venue.SELLER,
            side=Side.SELL, amount=amount, limit_price=limit_price(opportunity.sell, slippage),
        )
        desk = Desk(
            Settlement.start(buy, sell, Policy(self.args.leg_failure_policy),
                             self.args.recovery_attempts),
            adapters, clock=self.clock, log=self.log, client_order_id=self._client_order_id,
            recovery_slippage=self.args.recovery_slippage, failed=self._failed,
        )
        try:
            await desk.run()
        except BaseException as error:  # a forced stop, or a bug: never trade on after it
            desk.interrupt(f"the settlement stopped: {describe(error)}")
            raise
        finally:  # what is known is recorded, and a halt is logged
            record = self._record(opportunity, desk, adapters)
        return record

    def _record(self, opportunity: Opportunity, desk: Desk,
                adapters: dict[Venue, QuoteAdapter]) -> Execution:
        settlement = desk.state
        if settlement.phase in (Phase.HALTED_UNKNOWN, Phase.HALTED_IMBALANCE):
            # halted first: whatever fails below in describing it, nothing trades on
            self.halted = f"settlement {settlement.phase.value}"
        if settlement.phase is Phase.RESIDUAL:
            self.residual = money.add(self.residual, settlement.imbalance)
            self.log.warning(
                "arbitrage residual under minimum", residual=settlement.imbalance,
                cumulative_residual=self.residual, reason=settlement.stop,
            )
        reason = halt_reason(settlement, adapters)
        if reason is not None:
            self.halted = reason
            log_halt(self.log, settlement, reason, adapters)
        record = execution(opportunity, settlement, desk.results, adapters)
        self.executions.append(record)
        self.trades += 1
        self.realised_profit = money.add(self.realised_profit, record.realised_profit)
        self._last_skip = None
        log_execution(self.log, record)
        return record
