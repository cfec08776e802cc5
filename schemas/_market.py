"""Market metadata and the one place where prices and amounts are quantized.

Rounding rules, never more aggressive than asked:
- a buy price rounds DOWN to the tick, a sell price rounds UP (``rounding=`` overrides);
- an amount rounds DOWN to the step.
Increments may be any positive decimal (0.01, 0.5, 5, 1E-8): results are exact multiples.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas import money
from schemas._errors import OrderRejected
from schemas._orders import OrderRequest
from schemas._values import (
    Amount,
    Fee,
    Liquidity,
    NonNegativeAmount,
    Price,
    Side,
    Symbol,
)
from schemas.money import Rounding

__all__ = ["Market", "quantize"]


def quantize(value: Decimal, increment: Decimal, rounding: Rounding | str) -> Decimal:
    """``value`` rounded to a multiple of ``increment`` in the stated direction.

    ``rounding`` is a :class:`schemas.money.Rounding` (or its :mod:`decimal` constant, such
    as ``ROUND_FLOOR``); DOWN/UP are towards/away from zero, as in :mod:`decimal`. The
    result has the increment's number of decimal places (``Decimal("100.10")`` for a 0.01
    tick). The rounding itself is :func:`schemas.money.round_to`'s.
    """
    if increment <= 0:
        raise ValueError(f"an increment must be positive, got {increment}")
    try:
        direction = Rounding(rounding)
    except ValueError:
        raise ValueError(
            f"unknown rounding {rounding!r}; one of {', '.join(r.value for r in Rounding)}"
        ) from None
    return money.round_to(value, increment, direction)


class Market(BaseModel):
    """A venue's market: its symbol, precision, limits and fees.

    Every order goes through :meth:`check_order` before it reaches the wire, so nothing
    unquantized or under the venue's minimums is ever sent.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    symbol: Symbol = Field(description="the market, 'BASE/QUOTE' or 'BASE/QUOTE:SETTLE'")
    base: str = Field(
        default="", description="base currency code; taken from the symbol if omitted"
    )
    quote: str = Field(
        default="", description="quote currency code; taken from the symbol if omitted"
    )
    price_increment: Price = Field(description="tick size: prices are multiples of it")
    amount_increment: Amount = Field(description="step size: amounts are multiples of it")
    min_amount: NonNegativeAmount = Field(
        default=Decimal(0), description="smallest order amount in base currency"
    )
    max_amount: Amount | None = Field(
        default=None, description="largest order amount in base currency, if limited"
    )
    min_notional: NonNegativeAmount | None = Field(
        default=None, description="smallest order value (amount * price) in quote currency"
    )
    maker_fee: Fee = Field(default=Decimal(0), description="maker fee rate (0.001 = 0.1%)")
    taker_fee: Fee = Field(default=Decimal(0), description="taker fee rate (0.001 = 0.1%)")
    active: bool = Field(default=True, description="whether the venue accepts orders")

    @model_validator(mode="before")
    @classmethod
    def _currencies_from_symbol(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("symbol"), str):
            try:
                symbol = Symbol(data["symbol"])
            except ValueError:
                return data
            return {"base": symbol.base, "quote": symbol.quote, **data}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Market:
        if self.base != self.symbol.base or self.quote != self.symbol.quote:
            raise ValueError(
                f"base/quote {self.base}/{self.quote} disagree with symbol {self.symbol}"
            )
        if self.max_amount is not None and self.max_amount < self.min_amount:
            raise ValueError(f"max_amount {self.max_amount} is below min_amount {self.min_amount}")
        return self

    # -- quantization ---------------------------------------------------------------------

    def quantize_price(
        self, price: Decimal, side: Side | None = None, *, rounding: Rounding | str | None = None
    ) -> Decimal:
        """``price`` on the tick. A buy rounds down and a sell rounds up, so the result is
        never more aggressive than asked; ``rounding`` (a :mod:`decimal` mode) overrides.
        One of ``side`` or ``rounding`` is required: rounding is always explicit."""
        if rounding is None:
            if side is None:
                raise ValueError("quantize_price needs a side or an explicit rounding")
            rounding = Rounding.FLOOR if Side(side) is Side.BUY else Rounding.CEILING
        return quantize(price, self.price_increment, rounding)

    def quantize_amount(self, amount: Decimal) -> Decimal:
        """``amount`` rounded down to the step: never more than asked."""
        return quantize(amount, self.amount_increment, Rounding.FLOOR)

    def fee_rate(self, liquidity: Liquidity) -> Decimal:
        return self.maker_fee if liquidity is Liquidity.MAKER else self.taker_fee

    def check_order(
        self, request: OrderRequest, *, reference_price: Decimal | None = None
    ) -> OrderRequest:
        """The request quantized to this market, or :class:`OrderRejected` with the reason.

        Checks, in order: market active, same symbol, price on the tick (limit orders; a
        market order's price is a reference and is quantized the same way), amount on the
        step and not zero, ``min_amount``, ``max_amount``, ``min_notional``. The notional of
        a market order uses its ``price``, else ``reference_price``; with neither, a market
        order with a ``min_notional`` is refused (``code="price_required"``) rather than
        sent unchecked.
        """

        def reject(code: str, reason: str) -> OrderRejected:
            return OrderRejected(f"{request.symbol}: {reason}", code=code, request=request)

        if not self.active:
            raise reject("inactive", "the market is not active")
        if request.symbol != self.symbol:
            raise reject("symbol", f"request is for {request.symbol}, market is {self.symbol}")
        price = request.price
        if price is not None:
            price = self.quantize_price(price, request.side)
            if price <= 0:
                raise reject(
                    "price_zero",
                    f"price {request.price} rounds to zero at tick {self.price_increment}",
                )
        amount = self.quantize_amount(request.amount)
        if amount <= 0:
            raise reject(
                "amount_zero",
                f"amount {request.amount} rounds to zero at step {self.amount_increment}",
            )
        if amount < self.min_amount:
            raise reject(
                "min_amount",
                f"amount {amount} is under the minimum {self.min_amount}",
            )
        if self.max_amount is not None and amount > self.max_amount:
            raise reject("max_amount", f"amount {amount} is over the maximum {self.max_amount}")
        if self.min_notional is not None and self.min_notional > 0:
            valued_at = price if price is not None else reference_price
            if valued_at is None:
                raise reject(
                    "price_required",
                    f"a market order needs a price or reference_price to check the minimum "
                    f"notional {self.min_notional}",
                )
            notional = money.multiply(amount, valued_at)
            if notional < self.min_notional:
                raise reject(
                    "min_notional",
                    f"notional {notional} ({amount} at {valued_at}) is under the minimum "
                    f"{self.min_notional}",
                )
        if price == request.price and amount == request.amount:
            return request
        return request.model_copy(update={"price": price, "amount": amount})

    def notional(self, amount: Decimal, price: Decimal) -> Decimal:
        """``amount * price`` in quote currency, exact."""
        return money.multiply(amount, price)
