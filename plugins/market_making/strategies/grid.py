"""``market_making.strategies.grid``: buy and sell levels on a fixed price grid between bounds.

The grid is the lattice ``lower + k·step`` up to ``upper``. Levels below the reference are
bids, levels above are asks; the level within half a step of the reference is left empty
(the grid's gap). ``static`` quotes every level between the bounds; ``recentred`` quotes
only ``levels`` a side around the lattice point nearest the reference, so the grid follows
the price in whole steps and never leaves the bounds. Outside the bounds a side simply has
no levels (a static grid above its top sells nothing).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, Self

from pydantic import Field, model_validator

from fortuna import Component, ComponentArgs
from plugins.market_making.strategies._args import PositiveDecimal
from schemas import Side, money
from schemas.market_making import DesiredQuote, QuoteContext, Strategy

__all__ = ["GridArgs", "GridStrategy"]

MAX_LEVELS = 1000


class GridArgs(ComponentArgs):
    lower: PositiveDecimal = Field(description="the grid's lowest level, quote per base")
    upper: PositiveDecimal = Field(description="the grid's highest level, quote per base")
    step: PositiveDecimal = Field(description="distance between levels, quote per base")
    amount: PositiveDecimal = Field(description="size of each level, in base currency")
    mode: Literal["static", "recentred"] = Field(
        default="static",
        description="static: every level between the bounds; recentred: only `levels` a side "
        "around the level nearest the reference",
    )
    levels: int = Field(default=5, ge=1, le=MAX_LEVELS,
                        description="recentred: levels quoted on each side")

    @model_validator(mode="after")
    def _a_grid(self) -> Self:
        if self.lower >= self.upper:
            raise ValueError(f"lower {self.lower} must be below upper {self.upper}")
        count = money.divide(money.subtract(self.upper, self.lower), self.step, Decimal(1),
                             money.Rounding.FLOOR)
        if count + 1 > MAX_LEVELS:
            raise ValueError(f"{count + 1} levels between {self.lower} and {self.upper} at "
                             f"step {self.step}: at most {MAX_LEVELS}")
        return self


class GridStrategy(Component[GridArgs], Strategy):
    """Static or re-centred grid of equal-size levels between a lower and an upper bound."""

    _lattice: tuple[Decimal, ...] | None = None

    def lattice(self) -> tuple[Decimal, ...]:
        """Every level's price, ``lower`` to the last step at or below ``upper`` (computed
        once: the grid does not move, only the part of it that is quoted)."""
        if self._lattice is None:
            args = self.args
            top = int(money.divide(money.subtract(args.upper, args.lower), args.step,
                                   Decimal(1), money.Rounding.FLOOR))
            self._lattice = tuple(money.add(args.lower, money.multiply(args.step, Decimal(k)))
                                  for k in range(top + 1))
        return self._lattice

    def quotes(self, context: QuoteContext) -> list[DesiredQuote]:
        args = self.args
        reference = context.reference
        lattice = self.lattice()
        top = len(lattice) - 1
        # The lattice index nearest the reference (may lie outside 0..top).
        nearest = int(money.divide(money.subtract(reference, args.lower), args.step,
                                   Decimal(1), money.Rounding.HALF_EVEN))
        if args.mode == "static":
            low, high = 0, top
        else:
            low, high = max(0, nearest - args.levels), min(top, nearest + args.levels)
        amount, buy, sell = args.amount, Side.BUY, Side.SELL
        quotes: list[DesiredQuote] = []
        for index in range(low, high + 1):
            if index == nearest:
                continue
            price = lattice[index]
            if price < reference:
                quotes.append(DesiredQuote(buy, price, amount, f"grid:{index}"))
            elif price > reference:
                quotes.append(DesiredQuote(sell, price, amount, f"grid:{index}"))
        return quotes
