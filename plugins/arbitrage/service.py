"""``arbitrage``: cross-venue arbitrage of one base currency between two adapters.

Each tick:

1. Kill switches are checked (concurrently); a tripped one halts trading for the tick.
2. Both venues are quoted for ``trade_amount`` on both sides, and the conversion rate from
   B's quote currency to A's (the reference currency) is read, all concurrently.
3. Both directions are evaluated net of taker fees (:mod:`plugins.arbitrage._decision`);
   the better one whose profit ratio is strictly above ``threshold`` is taken.
4. Pre-trade checks, concurrently: the buying venue holds the quote currency for the
   amount at the protective limit plus fee, the selling venue holds the base amount, and
   both orders pass their market's precision and minimums. Any failure skips the trade.
5. Both legs are sent concurrently as immediate-or-cancel orders limited at the quote's
   worst price (``max_slippage`` widens that limit).
6. If the legs filled different amounts (one failed, or one filled partially), the
   configured ``leg_failure_policy`` restores a flat base position:
   ``unwind`` reverses the excess on the venue where it was traded (sell back what was
   over-bought, buy back what was over-sold); ``hedge`` completes the missing quantity on
   the other venue (sell there what the short sell leg missed, buy what the buy leg missed).
   Rebalancing orders are re-quoted and limited at the fresh worst price widened by
   ``recovery_slippage``, up to ``recovery_attempts`` times. An imbalance that cannot be
   traded because it is under the venue's minimum is logged as a residual; any other
   imbalance left halts trading (the service keeps ticking but sends nothing) until the
   service is restarted.

A leg (or rebalancing order) that raised is counted by what is known of it, never guessed:

- a permanent exchange error (not ``retryable``) means the venue refused the order: it
  filled nothing;
- a retryable error (timeout, network error, venue unavailable, an order placed whose
  outcome could not be read), or any other exception, may come after the order took
  effect: its outcome is unknown. The order is looked up
  by the client order id the service sent (``QuoteAdapter.find_trade``, up to
  ``recovery_attempts`` times): when the venue has it, its real fill counts; when the venue
  does not know that id, it was not placed and filled nothing;
- when it still cannot be known (the lookup fails, or the adapter cannot look orders up),
  no leg policy runs on a guess: trading halts, as for an unresolved imbalance, and an
  ``arbitrage_halted_outcome_unknown`` error names the order (venue, side, amount, limit,
  client order id) and the known figures, so an operator reconciles the venues.

After every tick, kill switches that observe ticks (``TickObserver``, such as
``kill_switches.consecutive_errors``, or ``kill_switches.any`` holding one) hear whether it
succeeded or failed: a tick fails when it raises, or when an order hit a venue error (a
leg, a rebalancing order, an order lookup). A tick skipped by a tripped switch or a halt
is not a failure, nor is an order the market's rules refuse before it is sent.

Imbalances are counted in the base amounts the orders filled. A fee a venue takes in the
base currency (or in a third currency) is a cost, valued in the realised figures when it
can be (``fees_unvalued`` says when it cannot), never rebalanced: it is under any venue's
minimum order for realistic sizes.

Every decision is logged with its figures (exact Decimals), and the last executions are
kept in :attr:`Arbitrage.executions`. A reason for skipping an opportunity (short balance,
an order the market would refuse) is a warning when it first appears, then debug while it
repeats.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field

from fortuna import Duration, ExactDecimal, TickArgs, TickService
from plugins.arbitrage._decision import (
    Direction,
    Execution,
    Opportunity,
    best_opportunity,
    evaluate,
    realised,
)
from plugins.kill_switches.observers import report_tick, tick_observers
from schemas import Amount, ExchangeError, NotSupported, OrderRejected, Rate, Side
from schemas.arbitrage import (
    ConversionRate,
    Converter,
    InsufficientDepth,
    Quote,
    QuoteAdapter,
    TradeResult,
)
from schemas.market_making import TickObserver
from schemas.risk import KillSwitch

__all__ = ["Arbitrage", "ArbitrageArgs"]

_ZERO = Decimal(0)
_ONE = Decimal(1)
_KEPT_EXECUTIONS = 1000
_LOOKUP_PAUSE = 1.0
"""Seconds of the clock between two lookups of an order whose outcome is unknown."""


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
    """Why trading is halted for good (an unresolved leg imbalance), or None."""
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
        # Fail at start, not at the first tick, when the rate cannot be had.
        rate = await self.args.converter.rate(b.symbol.quote, a.symbol.quote)
        self.log.info(
            "arbitrage_ready",
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
            "arbitrage_stopped", trades=self.trades, realised_profit=self.realised_profit,
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
                self.log.warning("arbitrage_halted_by_kill_switch", reasons=list(reasons))
            else:
                self.log.info("arbitrage_resumed", previous_reasons=list(self._kill_reasons))
            self._kill_reasons = reasons
        return bool(reasons)

    async def find_opportunity(self) -> Opportunity | None:
        """Quote both venues on both sides and the rate, concurrently; the best direction
        clearing the threshold, or None."""
        a, b, amount = self.args.exchange_a, self.args.exchange_b, self.args.trade_amount
        outcomes = await asyncio.gather(
            a.quote(Side.BUY, amount),
            a.quote(Side.SELL, amount),
            b.quote(Side.BUY, amount),
            b.quote(Side.SELL, amount),
            self.args.converter.rate(b.symbol.quote, a.symbol.quote),
            return_exceptions=True,
        )
        for outcome in outcomes:  # any failure but thin depth fails the tick
            if isinstance(outcome, BaseException) and not isinstance(outcome, InsufficientDepth):
                raise outcome
        a_buy, a_sell, b_buy, b_sell = (
            outcome if isinstance(outcome, Quote) else None for outcome in outcomes[:4]
        )
        rate_b = outcomes[4]
        assert isinstance(rate_b, ConversionRate)
        rate_a = ConversionRate(
            from_currency=self.currency, to_currency=self.currency, rate=_ONE,
            source="reference currency",
        )
        candidates: list[Opportunity] = []
        if a_buy is not None and b_sell is not None:
            candidates.append(evaluate(Direction.A_TO_B, a_buy, b_sell, rate_a, rate_b))
        if b_buy is not None and a_sell is not None:
            candidates.append(evaluate(Direction.B_TO_A, b_buy, a_sell, rate_b, rate_a))
        thin = [
            f"{error.venue} {error.side.value} {error.available}"
            for error in outcomes[:4]
            if isinstance(error, InsufficientDepth)
        ]
        self.log.debug(
            "arbitrage_evaluated",
            amount=amount, rate=rate_b.rate, not_enough_depth=thin or None,
            **{f"{o.direction.value}_profit_ratio": o.profit_ratio for o in candidates},
        )
        best = best_opportunity(candidates, self.args.threshold)
        if best is not None:
            self.log.info(
                "arbitrage_opportunity",
                direction=best.direction.value, amount=amount, currency=best.currency,
                buy_venue=best.buy.venue, buy_price=best.buy.price,
                sell_venue=best.sell.venue, sell_price=best.sell.price,
                rate=rate_b.rate, cost=best.cost, proceeds=best.proceeds, fees=best.fees,
                profit=best.profit, profit_ratio=best.profit_ratio,
                threshold=self.args.threshold,
            )
        return best

    def _legs(self, opportunity: Opportunity) -> tuple[QuoteAdapter, QuoteAdapter]:
        """(buying adapter, selling adapter) of a direction."""
        a, b = self.args.exchange_a, self.args.exchange_b
        return (a, b) if opportunity.direction is Direction.A_TO_B else (b, a)

    def _limit(self, quote: Quote, slippage: Decimal) -> Decimal:
        if quote.side is Side.BUY:
            return quote.worst_price * (_ONE + slippage)
        return quote.worst_price * (_ONE - slippage)

    async def _pre_trade_checks(self, opportunity: Opportunity) -> bool:
        """Balances on both sides and both orders' market rules; False (logged) to skip."""
        buyer, seller = self._legs(opportunity)
        amount = self.args.trade_amount
        buy_limit = self._limit(opportunity.buy, self.args.max_slippage)
        sell_limit = self._limit(opportunity.sell, self.args.max_slippage)
        outcomes = await asyncio.gather(
            buyer.balance(),
            seller.balance(),
            buyer.check_trade(Side.BUY, amount, buy_limit),
            seller.check_trade(Side.SELL, amount, sell_limit),
            return_exceptions=True,
        )
        buy_balance, sell_balance, buy_amount, sell_amount = outcomes
        for outcome in outcomes:
            if isinstance(outcome, OrderRejected):
                self._skipped(
                    "arbitrage_skipped_order_refused", direction=opportunity.direction.value,
                    reason=outcome.reason, code=outcome.code,
                )
                return False
            if isinstance(outcome, BaseException):
                raise outcome
        if buy_amount != amount or sell_amount != amount:
            self._skipped(
                "arbitrage_skipped_amount_off_step",
                trade_amount=amount, buy_amount=buy_amount, sell_amount=sell_amount,
                hint="set trade_amount to a multiple of both markets' amount steps",
            )
            return False
        assert not isinstance(buy_balance, BaseException)
        assert not isinstance(sell_balance, BaseException)
        needed_quote = amount * buy_limit * (_ONE + opportunity.buy.fee_rate)
        short = []
        if buy_balance.quote_free < needed_quote:
            short.append(
                {"venue": buyer.venue, "currency": buy_balance.quote,
                 "needed": needed_quote, "free": buy_balance.quote_free}
            )
        if sell_balance.base_free < amount:
            short.append(
                {"venue": seller.venue, "currency": sell_balance.base,
                 "needed": amount, "free": sell_balance.base_free}
            )
        if short:
            self._skipped(
                "arbitrage_skipped_insufficient_balance",
                direction=opportunity.direction.value, short=short,
            )
            return False
        return True

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

    # -- execution -------------------------------------------------------------------------

    async def execute(self, opportunity: Opportunity) -> Execution:
        """Send both legs concurrently, find out what a leg that raised did, apply the leg
        policy if they differ (or halt when a leg's outcome is unknown), log and keep the
        outcome."""
        buyer, seller = self._legs(opportunity)
        amount = self.args.trade_amount
        buy_limit = self._limit(opportunity.buy, self.args.max_slippage)
        sell_limit = self._limit(opportunity.sell, self.args.max_slippage)
        buy_id, sell_id = self._client_order_id("b"), self._client_order_id("s")
        buy_outcome, sell_outcome = await asyncio.gather(
            buyer.trade(Side.BUY, amount, limit_price=buy_limit, client_order_id=buy_id),
            seller.trade(Side.SELL, amount, limit_price=sell_limit, client_order_id=sell_id),
            return_exceptions=True,
        )
        direction = opportunity.direction.value
        buy_leg, sell_leg = await asyncio.gather(
            self._leg(
                _Order(buyer, Side.BUY, amount, buy_limit, buy_id, "buy"), buy_outcome, direction
            ),
            self._leg(
                _Order(seller, Side.SELL, amount, sell_limit, sell_id, "sell"), sell_outcome,
                direction,
            ),
        )
        buy = buy_leg if isinstance(buy_leg, TradeResult) else None
        sell = sell_leg if isinstance(sell_leg, TradeResult) else None
        unknown = [leg for leg in (buy_leg, sell_leg) if isinstance(leg, _Unknown)]
        bought = buy.filled if buy is not None else _ZERO
        sold = sell.filled if sell is not None else _ZERO
        imbalance = bought - sold
        corrections: list[TradeResult] = []
        correction_rate = opportunity.buy_rate
        residual = _ZERO
        rebalanced = not unknown and imbalance != 0
        if unknown:
            self._halt_unknown(unknown, bought=bought, sold=sold)
        elif rebalanced:
            corrections, correction_rate, residual, lost = await self._rebalance(
                opportunity, imbalance
            )
            if lost is not None:
                unknown.append(lost)
        trades = [(buy, opportunity.buy_rate), (sell, opportunity.sell_rate)]
        trades += [(correction, correction_rate) for correction in corrections]
        cost, proceeds, fees, unvalued = realised(
            [(trade, rate) for trade, rate in trades if trade is not None]
        )
        execution = Execution(
            opportunity=opportunity,
            amount=amount,
            buy=buy,
            sell=sell,
            buy_error=_describe(buy_outcome),
            sell_error=_describe(sell_outcome),
            policy=self.args.leg_failure_policy if rebalanced else None,
            imbalance=imbalance,
            unknown=tuple(leg.describe() for leg in unknown),
            corrections=tuple(corrections),
            residual=residual,
            realised_cost=cost,
            realised_proceeds=proceeds,
            realised_fees=fees,
            fees_unvalued=unvalued,
        )
        self.executions.append(execution)
        self.trades += 1
        self.realised_profit += execution.realised_profit
        self._last_skip = None
        self._log_execution(execution)
        return execution

    async def _leg(
        self, order: _Order, outcome: TradeResult | BaseException, direction: str
    ) -> TradeResult | _Unknown | None:
        """What a leg did: its result; when it raised, what :meth:`_settle` finds out."""
        if isinstance(outcome, TradeResult):
            return outcome
        if not isinstance(outcome, Exception):
            raise outcome  # cancellation: let it through
        self._failed(
            "arbitrage_leg_failed", f"{type(outcome).__name__}: {outcome}", error_level=True,
            leg=order.leg, direction=direction, venue=order.adapter.venue,
            client_order_id=order.client_order_id,
            refused=isinstance(outcome, ExchangeError) and not outcome.retryable,
        )
        return await self._settle(order, outcome)

    async def _settle(self, order: _Order, error: Exception) -> TradeResult | _Unknown | None:
        """What an order that raised ``error`` filled: None when nothing (the venue refused
        it, or does not know its client order id), its result when the venue has it, or
        :class:`_Unknown` when that cannot be found out (see the module's rule)."""
        if isinstance(error, ExchangeError) and not error.retryable:
            return None  # refused: nothing was placed
        why = f"{type(error).__name__}: {error}"
        adapter = order.adapter
        attempts = self.args.recovery_attempts
        for attempt in range(1, attempts + 1):
            try:
                found = await adapter.find_trade(
                    order.side, order.amount, limit_price=order.limit_price,
                    client_order_id=order.client_order_id,
                )
            except NotSupported as lookup:
                return _Unknown(order, f"{why}; {adapter.venue} cannot look it up: {lookup}")
            except ExchangeError as lookup:
                self._failed(
                    "arbitrage_order_lookup_failed", str(lookup), attempt=attempt,
                    venue=adapter.venue, client_order_id=order.client_order_id,
                )
                if not lookup.retryable or attempt == attempts:
                    return _Unknown(order, f"{why}; looking it up failed: {lookup}")
                await self.clock.sleep(_LOOKUP_PAUSE)
                continue
            if found is None:
                self.log.warning(
                    "arbitrage_order_not_placed", leg=order.leg, venue=adapter.venue,
                    client_order_id=order.client_order_id, error=why,
                )
            else:
                self.log.warning(
                    "arbitrage_order_found_despite_error", leg=order.leg, venue=adapter.venue,
                    client_order_id=order.client_order_id, order_id=found.order_id,
                    filled=found.filled, price=found.average_price, error=why,
                )
            return found
        raise AssertionError("unreachable: the last attempt returns")

    def _halt_unknown(self, unknown: list[_Unknown], **known: Decimal) -> None:
        """Halt trading: orders' outcomes are unknown; say so loudly, with every figure."""
        self.halted = "outcome unknown of " + "; ".join(leg.describe() for leg in unknown) + (
            ": reconcile the venues' balances, then restart the service"
        )
        self.log.error(
            "arbitrage_halted_outcome_unknown", reason=self.halted,
            orders=[leg.figures() for leg in unknown], **known,
        )

    def _failed(self, event: str, error: str, *, error_level: bool = False, **figures: Any
                ) -> None:
        """Log an order's venue error (a warning unless ``error_level``) and count it as
        the tick's failure for the kill switches observing ticks."""
        (self.log.error if error_level else self.log.warning)(event, error=error, **figures)
        self._errors.append(f"{event}: {error}")

    async def _rebalance(
        self, opportunity: Opportunity, imbalance: Decimal
    ) -> tuple[list[TradeResult], ConversionRate, Decimal, _Unknown | None]:
        """Apply the leg policy to ``imbalance`` (base bought minus sold); returns the orders
        sent, the rate of the venue they went to, the imbalance left, and the order whose
        outcome is unknown if one stopped it (trading then halts)."""
        buyer, seller = self._legs(opportunity)
        policy = self.args.leg_failure_policy
        if imbalance > 0:  # bought more than sold: sell the excess
            adapter, side = (buyer if policy == "unwind" else seller), Side.SELL
        else:  # sold more than bought: buy the shortfall
            adapter, side = (seller if policy == "unwind" else buyer), Side.BUY
        self.log.warning(
            "arbitrage_leg_imbalance",
            policy=policy, imbalance=imbalance, direction=opportunity.direction.value,
            action=f"{side.value} {abs(imbalance)} on {adapter.venue} {adapter.symbol}",
        )
        left = abs(imbalance)
        corrections: list[TradeResult] = []
        dust = False
        lost: _Unknown | None = None
        for attempt in range(1, self.args.recovery_attempts + 1):
            order: _Order | None = None
            try:
                quote = await adapter.quote(side, left)
                limit = self._limit(quote, self.args.recovery_slippage)
                await adapter.check_trade(side, left, limit)
                order = _Order(adapter, side, left, limit, self._client_order_id("r"), "rebalance")
                result = await adapter.trade(
                    side, left, limit_price=limit, client_order_id=order.client_order_id
                )
            except OrderRejected as error:
                self.log.warning(  # the market's rules, not a venue error
                    "arbitrage_rebalance_refused", attempt=attempt, amount=left,
                    reason=error.reason, code=error.code,
                )
                dust = error.code in ("amount_zero", "min_amount", "min_notional")
                break
            except (ExchangeError, InsufficientDepth) as error:
                self._failed(
                    "arbitrage_rebalance_failed", str(error), attempt=attempt, amount=left
                )
                if order is None:
                    continue  # failed before sending: nothing traded
                settled = await self._settle(order, error)
                if isinstance(settled, _Unknown):
                    lost = settled
                    break
                if settled is None:
                    continue
                result = settled
            corrections.append(result)
            left -= result.filled
            self.log.info(
                "arbitrage_rebalance_order", attempt=attempt, side=side.value,
                venue=adapter.venue, filled=result.filled, price=result.average_price,
                fee=result.fee, fee_currency=result.fee_currency, left=left,
            )
            if left == 0:
                break
        residual = left if imbalance > 0 else -left
        if lost is not None:
            self._halt_unknown([lost], left_besides_it=residual)
        elif residual != 0:
            if dust:
                self.residual += residual
                self.log.warning(
                    "arbitrage_residual_under_minimum", residual=residual,
                    cumulative_residual=self.residual,
                )
            else:
                self.halted = (
                    f"unresolved leg imbalance of {residual} {adapter.symbol.base} after "
                    f"{self.args.recovery_attempts} {policy} attempts on {adapter.venue}"
                )
                self.log.error("arbitrage_halted", reason=self.halted, residual=residual)
        rate = opportunity.buy_rate if adapter is buyer else opportunity.sell_rate
        return corrections, rate, residual, lost

    def _log_execution(self, execution: Execution) -> None:
        opportunity = execution.opportunity
        figures: dict[str, Any] = {
            "direction": opportunity.direction.value,
            "currency": opportunity.currency,
            "amount": execution.amount,
            "quoted_buy_price": opportunity.buy.price,
            "quoted_sell_price": opportunity.sell.price,
            "quoted_profit": opportunity.profit,
            "quoted_fees": opportunity.fees,
            "bought": execution.buy.filled if execution.buy else _ZERO,
            "buy_price": execution.buy.average_price if execution.buy else None,
            "sold": execution.sell.filled if execution.sell else _ZERO,
            "sell_price": execution.sell.average_price if execution.sell else None,
            "realised_cost": execution.realised_cost,
            "realised_proceeds": execution.realised_proceeds,
            "realised_fees": execution.realised_fees,
            "realised_profit": execution.realised_profit,
        }
        if execution.complete:
            self.log.info("arbitrage_executed", **figures)
        else:
            self.log.warning(
                "arbitrage_executed_with_imbalance", **figures,
                policy=execution.policy, imbalance=execution.imbalance,
                corrections=len(execution.corrections), residual=execution.residual,
                buy_error=execution.buy_error, sell_error=execution.sell_error,
                unknown=list(execution.unknown) or None, fees_unvalued=execution.fees_unvalued,
            )


@dataclass(frozen=True, slots=True)
class _Order:
    """An order the service sent (a leg or a rebalancing order), as sent."""

    adapter: QuoteAdapter
    side: Side
    amount: Decimal
    limit_price: Decimal
    client_order_id: str
    leg: str


@dataclass(frozen=True, slots=True)
class _Unknown:
    """An order whose outcome could not be found out, and why."""

    order: _Order
    why: str

    def describe(self) -> str:
        o = self.order
        return (
            f"{o.leg} order {o.client_order_id} on {o.adapter.venue} ({o.side.value} "
            f"{o.amount} {o.adapter.symbol} limit {o.limit_price}): {self.why}"
        )

    def figures(self) -> dict[str, Any]:
        o = self.order
        return {
            "leg": o.leg, "venue": o.adapter.venue, "symbol": str(o.adapter.symbol),
            "side": o.side.value, "amount": o.amount, "limit_price": o.limit_price,
            "client_order_id": o.client_order_id, "error": self.why,
        }


def _describe(outcome: object) -> str | None:
    if isinstance(outcome, BaseException):
        return f"{type(outcome).__name__}: {outcome}"
    return None

