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
from schemas import Amount, ExchangeError, OrderRejected, Rate, Side
from schemas.arbitrage import (
    ConversionRate,
    Converter,
    InsufficientDepth,
    Quote,
    QuoteAdapter,
    TradeResult,
)
from schemas.risk import KillSwitch

__all__ = ["Arbitrage", "ArbitrageArgs"]

_ZERO = Decimal(0)
_ONE = Decimal(1)
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

    async def load(self) -> None:
        self.executions = deque(maxlen=_KEPT_EXECUTIONS)
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
        """Send both legs concurrently, apply the leg policy if they differ, log and keep
        the outcome."""
        buyer, seller = self._legs(opportunity)
        amount = self.args.trade_amount
        buy_outcome, sell_outcome = await asyncio.gather(
            buyer.trade(
                Side.BUY, amount,
                limit_price=self._limit(opportunity.buy, self.args.max_slippage),
                client_order_id=self._client_order_id("b"),
            ),
            seller.trade(
                Side.SELL, amount,
                limit_price=self._limit(opportunity.sell, self.args.max_slippage),
                client_order_id=self._client_order_id("s"),
            ),
            return_exceptions=True,
        )
        for leg, outcome in (("buy", buy_outcome), ("sell", sell_outcome)):
            if isinstance(outcome, BaseException):
                if not isinstance(outcome, Exception):
                    raise outcome  # cancellation: let it through
                self.log.error(
                    "arbitrage_leg_failed", leg=leg, error=f"{type(outcome).__name__}: {outcome}",
                    direction=opportunity.direction.value,
                )
        buy = buy_outcome if isinstance(buy_outcome, TradeResult) else None
        sell = sell_outcome if isinstance(sell_outcome, TradeResult) else None
        bought = buy.filled if buy is not None else _ZERO
        sold = sell.filled if sell is not None else _ZERO
        imbalance = bought - sold
        corrections: list[TradeResult] = []
        correction_rate = opportunity.buy_rate
        residual = _ZERO
        if imbalance != 0:
            corrections, correction_rate, residual = await self._rebalance(
                opportunity, imbalance
            )
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
            buy_error=None if buy is not None else _describe(buy_outcome),
            sell_error=None if sell is not None else _describe(sell_outcome),
            policy=self.args.leg_failure_policy if imbalance != 0 else None,
            imbalance=imbalance,
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

    async def _rebalance(
        self, opportunity: Opportunity, imbalance: Decimal
    ) -> tuple[list[TradeResult], ConversionRate, Decimal]:
        """Apply the leg policy to ``imbalance`` (base bought minus sold); returns the orders
        sent, the rate of the venue they went to, and the imbalance left."""
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
        for attempt in range(1, self.args.recovery_attempts + 1):
            try:
                quote = await adapter.quote(side, left)
                limit = self._limit(quote, self.args.recovery_slippage)
                await adapter.check_trade(side, left, limit)
                result = await adapter.trade(
                    side, left, limit_price=limit, client_order_id=self._client_order_id("r")
                )
            except OrderRejected as error:
                self.log.warning(
                    "arbitrage_rebalance_refused", attempt=attempt, amount=left,
                    reason=error.reason, code=error.code,
                )
                dust = error.code in ("amount_zero", "min_amount", "min_notional")
                break
            except (ExchangeError, InsufficientDepth) as error:
                self.log.warning(
                    "arbitrage_rebalance_failed", attempt=attempt, amount=left, error=str(error)
                )
                continue
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
        if residual != 0:
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
        return corrections, rate, residual

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
                fees_unvalued=execution.fees_unvalued,
            )


def _describe(outcome: object) -> str | None:
    if isinstance(outcome, BaseException):
        return f"{type(outcome).__name__}: {outcome}"
    return None

