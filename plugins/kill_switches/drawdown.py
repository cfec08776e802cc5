"""``kill_switches.drawdown``: trip when the account's value falls too far from its peak."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from fortuna import ExactDecimal
from plugins.kill_switches._latch import LatchedSwitch
from plugins.kill_switches._limits import EitherLimitArgs
from plugins.kill_switches._valuation import marked_value_or_none
from schemas import Exchange, PriceProvider, Symbol, money
from schemas.feeds import BalancesFeed
from schemas.money import Rounding

__all__ = ["DrawdownArgs", "DrawdownSwitch"]

_PERCENT_SHOWN = Decimal("0.000001")  # a share shown as a percentage with 4 decimals


class DrawdownArgs(EitherLimitArgs):
    either_limit = ("max_drawdown", "max_loss")

    exchange: Exchange | BalancesFeed = Field(
        description="the venue whose balances are valued, or a listeners.balances that fetches them"
    )
    symbol: Symbol = Field(description="the market: base valued in quote at price")
    price: PriceProvider = Field(description="the price the base inventory is valued at")
    max_drawdown: Annotated[ExactDecimal, Field(gt=0, lt=1)] | None = Field(
        default=None, description="trip when value falls this fraction below its peak (0.05)"
    )
    max_loss: Annotated[ExactDecimal, Field(gt=0)] | None = Field(
        default=None, description="trip when value falls this much quote currency below its peak"
    )


class DrawdownSwitch(LatchedSwitch[DrawdownArgs]):
    """Trips when the account value (base at price plus quote) falls too far from its peak."""

    peak: Decimal | None = None
    value: Decimal | None = None

    async def evaluate(self) -> str | None:
        args = self.args
        marked = await marked_value_or_none(args.exchange, args.price, args.symbol,
                                            log=self.log, unmarked="drawdown not evaluated")
        if marked is None:
            return None
        value, _ = marked
        self.value = value
        if self.peak is None or value > self.peak:
            self.peak = value
            return None
        loss = money.subtract(self.peak, value)
        if args.max_loss is not None and loss > args.max_loss:
            return f"value {value} is {loss} {args.symbol.quote} below its peak {self.peak} " \
                   f"(max loss {args.max_loss})"
        if (
            args.max_drawdown is not None
            and self.peak > 0
            and loss > money.multiply(args.max_drawdown, self.peak)  # loss / peak, exactly
        ):
            share = money.divide(loss, self.peak, _PERCENT_SHOWN, Rounding.HALF_EVEN)
            return f"value {value} is {share:%} below its peak {self.peak} " \
                   f"(max drawdown {args.max_drawdown})"
        return None
