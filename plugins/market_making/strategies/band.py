"""``market_making.strategies.band``: keep one order per side inside a spread band."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Self

from pydantic import Field, model_validator

from fortuna import Component, ComponentArgs
from plugins.market_making.strategies._args import Fraction, PositiveDecimal
from schemas import Order, Side, money
from schemas.market_making import DesiredQuote, QuoteContext, Strategy

__all__ = ["BandArgs", "BandStrategy"]

_ONE = Decimal(1)


class BandArgs(ComponentArgs):
    spread: Fraction = Field(
        description="where a new order goes: this fraction from the reference on its side"
    )
    min_spread: Fraction = Field(
        description="an order closer to the reference than this fraction is replaced"
    )
    max_spread: Fraction = Field(
        description="an order further from the reference than this fraction is replaced"
    )
    amount: PositiveDecimal = Field(description="size of each order, in base currency")
    refill_below: Fraction = Field(
        default=Decimal("0.5"),
        description="replace an order once fills leave less than this fraction of amount",
    )

    @model_validator(mode="after")
    def _band(self) -> Self:
        if not self.min_spread <= self.spread <= self.max_spread:
            raise ValueError(
                f"need min_spread <= spread <= max_spread, got {self.min_spread}, "
                f"{self.spread}, {self.max_spread}"
            )
        return self


class BandStrategy(Component[BandArgs], Strategy):
    """Keeps one order per side inside a min/max spread band; replaces it only on leaving."""

    def quotes(self, context: QuoteContext) -> list[DesiredQuote]:
        args = self.args
        reference = context.reference
        quotes: list[DesiredQuote] = []
        for side in (Side.BUY, Side.SELL):
            kept = self._in_band(side, reference, context.resting)
            if kept is not None and kept.price is not None:
                quotes.append(DesiredQuote(side, kept.price, kept.remaining, "band:kept"))
                continue
            factor = (
                money.subtract(_ONE, args.spread) if side is Side.BUY
                else money.add(_ONE, args.spread)
            )
            price = money.multiply(reference, factor)
            quotes.append(DesiredQuote(side, price, args.amount, "band:new"))
        return quotes

    def _in_band(
        self, side: Side, reference: Decimal, resting: Sequence[Order]
    ) -> Order | None:
        args = self.args
        best: Order | None = None
        best_off: Decimal | None = None
        floor = money.multiply(args.amount, args.refill_below)
        # distances compared exactly, in quote: gap / reference against a fraction f is
        # gap against reference * f
        lowest = money.multiply(args.min_spread, reference)
        highest = money.multiply(args.max_spread, reference)
        wanted = money.multiply(args.spread, reference)
        for order in resting:
            if order.side is not side or order.price is None or order.remaining < floor:
                continue
            gap = (money.subtract(reference, order.price) if side is Side.BUY
                   else money.subtract(order.price, reference))
            if not lowest <= gap <= highest:
                continue
            off = abs(money.subtract(gap, wanted))
            if best_off is None or off < best_off:
                best, best_off = order, off
        return best
