"""The arbitrage decision, as pure functions over quotes and conversion rates.

Every figure is valued in one *reference currency*: the quote currency of venue A. A
direction buys the trade amount on one venue and sells it on the other:

    cost     = buy quote's net cost  (average * amount * (1 + taker fee)) * rate(buy -> ref)
    proceeds = sell quote's net cost (average * amount * (1 - taker fee)) * rate(sell -> ref)
    profit   = proceeds - cost,      profit_ratio = profit / cost

A direction is taken when its profit ratio is strictly above the threshold; when both
directions clear it (a crossed pair of books), the better ratio wins.

Every figure goes through :mod:`schemas.money` and is exact; no decision reads a rounded
number. The threshold test is ``profit > threshold * cost`` and the better of two
directions ``profit_1 * cost_2 > profit_2 * cost_1``, both exact products (costs are
positive), so a ratio a hair above the threshold trades and one equal to it never does.
:attr:`Opportunity.profit_ratio` is for people: 34 significant digits rounded toward minus
infinity (it never shows more profit than there is). A leg's protective limit
(:func:`limit_price`) is exact too; the venue's market then rounds it to its tick in the
direction that never makes the order more aggressive.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import StrEnum
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field

from fortuna import ExactDecimal
from schemas import Side, money
from schemas.arbitrage import ConversionRate, Quote, TradeResult
from schemas.money import Rounding

__all__ = [
    "Direction",
    "Execution",
    "Opportunity",
    "best_opportunity",
    "evaluate",
    "limit_price",
    "realised",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")
_ZERO = Decimal(0)
_ONE = Decimal(1)


class Direction(StrEnum):
    """Which venue buys: ``a_to_b`` buys on A and sells on B."""

    A_TO_B = "a_to_b"
    B_TO_A = "b_to_a"


class Opportunity(BaseModel):
    """One direction evaluated from its two quotes, in the reference currency."""

    model_config = _FROZEN

    direction: Direction
    currency: str = Field(description="the reference currency every figure is valued in")
    buy: Quote = Field(description="the quote of the buying leg")
    sell: Quote = Field(description="the quote of the selling leg")
    buy_rate: ConversionRate = Field(description="buy venue's quote currency -> reference")
    sell_rate: ConversionRate = Field(description="sell venue's quote currency -> reference")
    cost: ExactDecimal = Field(description="what the buy leg pays, fees included")
    proceeds: ExactDecimal = Field(description="what the sell leg receives, net of fees")
    fees: ExactDecimal = Field(description="taker fees of both legs")

    @property
    def profit(self) -> Decimal:
        return money.subtract(self.proceeds, self.cost)

    @cached_property
    def profit_ratio(self) -> Decimal:
        """Profit per unit of cost (0.0015 = 0.15 %), for display: 34 significant digits
        rounded toward minus infinity. Decisions use :meth:`clears` and :meth:`beats`."""
        return money.ratio(self.profit, self.cost, Rounding.FLOOR)

    def clears(self, threshold: Decimal) -> bool:
        """Whether the profit ratio is strictly above ``threshold``, decided exactly."""
        return self.profit > money.multiply(threshold, self.cost)

    def beats(self, other: Opportunity) -> bool:
        """Whether this profit ratio is strictly above ``other``'s, decided exactly."""
        return money.multiply(self.profit, other.cost) > money.multiply(other.profit, self.cost)


def evaluate(
    direction: Direction,
    buy: Quote,
    sell: Quote,
    buy_rate: ConversionRate,
    sell_rate: ConversionRate,
) -> Opportunity:
    """The direction that buys at ``buy`` and sells at ``sell``, net of both taker fees."""
    if buy.side is not Side.BUY or sell.side is not Side.SELL:
        raise ValueError("evaluate needs a buy quote and a sell quote")
    if buy.amount != sell.amount:
        raise ValueError(f"legs differ: buy {buy.amount}, sell {sell.amount}")
    if buy_rate.to_currency != sell_rate.to_currency:
        raise ValueError(
            f"rates convert to different currencies: {buy_rate.to_currency}, "
            f"{sell_rate.to_currency}"
        )
    return Opportunity(
        direction=direction,
        currency=buy_rate.to_currency,
        buy=buy,
        sell=sell,
        buy_rate=buy_rate,
        sell_rate=sell_rate,
        cost=buy_rate.convert(buy.net_cost),
        proceeds=sell_rate.convert(sell.net_cost),
        fees=money.add(buy_rate.convert(buy.fee), sell_rate.convert(sell.fee)),
    )


def best_opportunity(candidates: Iterable[Opportunity], threshold: Decimal) -> Opportunity | None:
    """The candidate with the best profit ratio strictly above ``threshold``, if any (the
    first of equals)."""
    best: Opportunity | None = None
    for candidate in candidates:
        if candidate.clears(threshold) and (best is None or candidate.beats(best)):
            best = candidate
    return best


def limit_price(quote: Quote, slippage: Decimal) -> Decimal:
    """The protective limit of an order taking ``quote``: its worst price, moved
    ``slippage`` (a fraction) past it, exactly; the market rounds it to its tick."""
    if quote.side is Side.BUY:
        return money.multiply(quote.worst_price, money.add(_ONE, slippage))
    return money.multiply(quote.worst_price, money.subtract(_ONE, slippage))


class Execution(BaseModel):
    """What one arbitrage did: its opportunity, both legs, any rebalancing, the result.

    ``realised_profit`` sums every trade's quote flow (sells in, buys out, fees included) in
    the reference currency; with ``residual == 0`` the base position is back where it was,
    so that sum is the profit actually made.
    """

    model_config = _FROZEN

    opportunity: Opportunity
    amount: ExactDecimal = Field(description="base amount each leg asked for")
    buy: TradeResult | None = Field(
        description="the buy leg; None when it filled nothing that is known (refused, not "
        "placed, or its outcome unknown)"
    )
    sell: TradeResult | None = Field(
        description="the sell leg; None when it filled nothing that is known"
    )
    buy_error: str | None = Field(
        default=None, description="the error the buy leg raised (its result may still have "
        "been found by its client order id)"
    )
    sell_error: str | None = Field(default=None, description="the error the sell leg raised")
    policy: str | None = Field(default=None, description="unwind or hedge, when a leg fell short")
    imbalance: ExactDecimal = Field(
        default=_ZERO,
        description="base bought minus base sold by the two legs (the known ones when "
        "an outcome is unknown)",
    )
    unknown: tuple[str, ...] = Field(
        default=(),
        description="orders whose outcome could not be found out, with venue and client "
        "order id: nothing was rebalanced on a guess and trading halted",
    )
    corrections: tuple[TradeResult, ...] = Field(
        default=(), description="the orders the leg policy sent"
    )
    residual: ExactDecimal = Field(
        default=_ZERO, description="base imbalance left after the policy (bought - sold)"
    )
    realised_cost: ExactDecimal = Field(default=_ZERO, description="quote paid by all buys")
    realised_proceeds: ExactDecimal = Field(default=_ZERO, description="quote received by sells")
    realised_fees: ExactDecimal = Field(default=_ZERO, description="fees of every trade")
    fees_unvalued: bool = Field(
        default=False, description="a fee was charged in a third currency and is not counted"
    )

    @property
    def realised_profit(self) -> Decimal:
        return money.subtract(self.realised_proceeds, self.realised_cost)

    @property
    def complete(self) -> bool:
        """Both legs filled in full, no rebalancing needed."""
        return (
            self.buy is not None
            and self.sell is not None
            and self.buy.complete
            and self.sell.complete
        )


def realised(
    trades: Sequence[tuple[TradeResult, ConversionRate]],
) -> tuple[Decimal, Decimal, Decimal, bool]:
    """``(cost, proceeds, fees, fees_unvalued)`` of ``trades`` in the reference currency,
    each trade with the rate of its venue's quote currency."""
    costs: list[Decimal] = []
    proceeds: list[Decimal] = []
    fees: list[Decimal] = []
    unvalued = False
    for trade, rate in trades:
        fee = trade.fee_in_quote
        if fee is None:
            unvalued = True
            fee = _ZERO
        if trade.side is Side.BUY:
            costs.append(rate.convert(money.add(trade.cost, fee)))
        else:
            proceeds.append(rate.convert(money.subtract(trade.cost, fee)))
        fees.append(rate.convert(fee))
    return money.total(costs), money.total(proceeds), money.total(fees), unvalued
