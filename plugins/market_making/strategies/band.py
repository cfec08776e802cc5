"""``market_making.strategies.band``: keep one order per side inside a spread band."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Self

from pydantic import Field, model_validator

from fortuna import Component, ComponentArgs
from plugins.market_making.strategies._args import Fraction, PositiveDecimal
from schemas import Order, Side
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
            price = reference * (_ONE - args.spread if side is Side.BUY else _ONE + args.spread)
            quotes.append(DesiredQuote(side, price, args.amount, "band:new"))
        return quotes

    def _in_band(
        self, side: Side, reference: Decimal, resting: Sequence[Order]
    ) -> Order | None:
        args = self.args
        best: Order | None = None
        floor = args.amount * args.refill_below
        for order in resting:
            if order.side is not side or order.price is None or order.remaining < floor:
                continue
            distance = (reference - order.price if side is Side.BUY
                        else order.price - reference) / reference
            if not args.min_spread <= distance <= args.max_spread:
                continue
            if best is None or abs(distance - args.spread) < abs(
                _distance(best, reference) - args.spread
            ):
                best = order
        return best


def _distance(order: Order, reference: Decimal) -> Decimal:
    assert order.price is not None
    gap = reference - order.price if order.side is Side.BUY else order.price - reference
    return gap / reference
