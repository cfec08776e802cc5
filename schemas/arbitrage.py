"""Arbitrage contracts: the normalized venue adapter, currency converters and their results.

A strategy sees every venue, centralized or decentralized, through one
:class:`QuoteAdapter`: ``quote(side, amount)`` prices a taker order of ``amount`` base from
the venue's depth, ``trade(side, amount, ...)`` executes one and reports what filled, at
what price and for what fee. A :class:`Converter` turns an amount of one quote currency
into another (USDC into USDT) so that two venues' prices compare in one currency.

Every figure is an exact ``Decimal``. Fees are expressed in the quote currency
(``fee_in_quote``) whenever the venue charged them in the base or quote currency.
"""

from __future__ import annotations

import abc
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fortuna import ExactDecimal, Interface
from schemas import money
from schemas._errors import ExchangeError, InvalidOrder, NotSupported
from schemas._orders import OrderStatus
from schemas._values import Amount, Fee, NonNegativeAmount, Price, Side, Symbol, Timestamp

__all__ = [
    "AdapterBalance",
    "ConversionRate",
    "ConversionUnavailable",
    "Converter",
    "InsufficientDepth",
    "Quote",
    "QuoteAdapter",
    "TradeOutcomeUnknown",
    "TradeResult",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class InsufficientDepth(InvalidOrder):
    """The venue's book holds less than the amount asked for on that side."""

    summary = "not enough depth in the book for the amount"

    def __init__(
        self,
        *,
        venue: str,
        symbol: str,
        side: Side,
        amount: Decimal,
        available: Decimal,
    ) -> None:
        super().__init__(
            f"{symbol}: not enough depth to {side.value} {amount}; the book holds {available}",
            venue=venue,
        )
        self.symbol = symbol
        self.side = side
        self.amount = amount
        self.available = available


class TradeOutcomeUnknown(ExchangeError):
    """An order was placed but what it filled could not be read back (the error that
    stopped the adapter was not the venue refusing the order). Retryable like a timeout:
    the order's fate is unknown, so a caller looks it up (:meth:`QuoteAdapter.find_trade`)
    rather than assume nothing filled."""

    retryable = True
    summary = "the order was placed; what it filled is unknown"


class ConversionUnavailable(InvalidOrder):
    """A converter has no way to turn one currency into the other."""

    summary = "no conversion between these currencies"


def _net_cost(side: Side, cost: Decimal, fee: Decimal) -> Decimal:
    """Quote currency a taker order moves: paid on a buy (cost + fee), received on a sell
    (cost - fee)."""
    if side is Side.BUY:
        return money.add(cost, fee)
    return money.subtract(cost, fee)


class Quote(BaseModel):
    """What taking ``amount`` base on ``side`` costs now, from the venue's depth.

    ``price`` is the volume-weighted average over the levels the order would consume,
    ``worst_price`` the last of them (the limit that protects an immediate-or-cancel
    order), ``fee_rate`` the taker fee the venue charges. :attr:`net_price` folds the fee
    in: what a buy really pays per unit, what a sell really receives.
    """

    model_config = _FROZEN

    venue: str = Field(description="the venue's name")
    symbol: Symbol = Field(description="the market, 'BASE/QUOTE'")
    side: Side = Field(description="the taker's side: buy walks the asks, sell the bids")
    amount: Amount = Field(description="base amount priced")
    price: Price = Field(description="average fill price for amount, before fees")
    worst_price: Price = Field(description="price of the deepest level the amount reaches")
    fee_rate: Fee = Field(description="taker fee rate (0.001 = 0.1%)")
    timestamp: Timestamp = Field(description="when the book was observed (UTC)")

    @model_validator(mode="after")
    def _worst_is_not_better(self) -> Quote:
        if self.side is Side.BUY:
            better = self.worst_price < self.price
        else:
            better = self.worst_price > self.price
        if better:
            raise ValueError(
                f"worst price {self.worst_price} is better than the average {self.price} "
                f"for a {self.side.value}"
            )
        return self

    @property
    def cost(self) -> Decimal:
        """``amount * price`` in quote currency, before fees."""
        return money.multiply(self.amount, self.price)

    @property
    def fee(self) -> Decimal:
        """The taker fee on :attr:`cost`, in quote currency."""
        return money.multiply(self.cost, self.fee_rate)

    @property
    def net_cost(self) -> Decimal:
        """Quote currency paid (buy: cost + fee) or received (sell: cost - fee)."""
        return _net_cost(self.side, self.cost, self.fee)


class TradeResult(BaseModel):
    """What one executed taker order did: filled amount, average price and fee.

    ``filled`` may be less than ``amount`` (an immediate-or-cancel order meeting a thinner
    book) or zero (nothing matched within the limit). ``fee_in_quote`` is the fee valued in
    the quote currency: as charged when in quote, at the average price when charged in
    base, ``None`` when charged in a third currency (a venue token).
    """

    model_config = _FROZEN

    venue: str = Field(description="the venue's name")
    symbol: Symbol = Field(description="the market")
    side: Side = Field(description="buy or sell")
    amount: Amount = Field(description="base amount the order asked for, as sent")
    filled: NonNegativeAmount = Field(description="base amount executed")
    average_price: Price | None = Field(
        default=None, description="average execution price; None when nothing filled"
    )
    limit_price: Price | None = Field(
        default=None, description="the order's protective limit; None for a market order"
    )
    fee: ExactDecimal = Field(default=Decimal(0), description="fee charged, in fee_currency")
    fee_currency: str | None = Field(default=None, description="currency the fee was charged in")
    fee_in_quote: ExactDecimal | None = Field(
        default=None, description="the fee valued in the quote currency, when known"
    )
    fee_estimated: bool = Field(
        default=False,
        description="the venue reported no fee, so it is the market's taker rate on the cost",
    )
    order_id: str | None = Field(default=None, description="the venue's order id")
    client_order_id: str | None = Field(default=None, description="our id for the order")
    status: OrderStatus = Field(description="the order's final status")
    timestamp: Timestamp = Field(description="when the order was accepted (UTC)")

    @model_validator(mode="after")
    def _consistent(self) -> TradeResult:
        if self.filled > self.amount:
            raise ValueError(f"filled {self.filled} exceeds amount {self.amount}")
        if self.filled > 0 and self.average_price is None:
            raise ValueError("a trade that filled needs its average price")
        return self

    @property
    def cost(self) -> Decimal:
        """Executed value in quote currency, before fees."""
        if self.average_price is None:
            return Decimal(0)
        return money.multiply(self.filled, self.average_price)

    @property
    def net_cost(self) -> Decimal | None:
        """Quote paid (buy: cost + fee) or received (sell: cost - fee); None when the fee
        cannot be valued in the quote currency."""
        if self.fee_in_quote is None:
            return None
        return _net_cost(self.side, self.cost, self.fee_in_quote)

    @property
    def remaining(self) -> Decimal:
        """Base amount asked for that did not fill."""
        return money.subtract(self.amount, self.filled)

    @property
    def complete(self) -> bool:
        return self.filled == self.amount


class AdapterBalance(BaseModel):
    """Free balances of an adapter's two currencies on its venue."""

    model_config = _FROZEN

    base: str = Field(description="base currency code")
    quote: str = Field(description="quote currency code")
    base_free: NonNegativeAmount = Field(description="free base balance")
    quote_free: NonNegativeAmount = Field(description="free quote balance")


class ConversionRate(BaseModel):
    """How many ``to_currency`` one ``from_currency`` is worth, and where that came from."""

    model_config = _FROZEN

    from_currency: str = Field(min_length=1, description="currency converted from")
    to_currency: str = Field(min_length=1, description="currency converted to")
    rate: Price = Field(description="units of to_currency per unit of from_currency")
    source: str = Field(default="", description="the market or rule the rate came from")
    timestamp: Timestamp | None = Field(default=None, description="when it was observed (UTC)")

    def convert(self, amount: Decimal) -> Decimal:
        """``amount`` of ``from_currency`` in ``to_currency``."""
        return money.multiply(amount, self.rate)


class QuoteAdapter(Interface, abc.ABC):
    """One market of one venue, normalized for a strategy: quote, check, trade, balances.

    A CEX adapter prices from the order book and trades with orders; a DEX adapter prices
    from the pool and trades with swaps. The strategy never knows which one it talks to.
    """

    @property
    @abc.abstractmethod
    def venue(self) -> str:
        """The venue's name."""

    @property
    @abc.abstractmethod
    def symbol(self) -> Symbol:
        """The market traded, ``BASE/QUOTE``."""

    @abc.abstractmethod
    async def quote(self, side: Side, amount: Decimal) -> Quote:
        """Price taking ``amount`` base on ``side`` now; :class:`InsufficientDepth` when the
        venue cannot fill that much."""

    async def check_trade(
        self, side: Side, amount: Decimal, limit_price: Decimal | None = None
    ) -> Decimal:
        """The amount :meth:`trade` would send for these figures, after the venue's
        precision and minimums; ``OrderRejected`` (nothing sent) when it would be refused.
        The default accepts the amount as is."""
        return amount

    @abc.abstractmethod
    async def trade(
        self,
        side: Side,
        amount: Decimal,
        *,
        limit_price: Decimal | None = None,
        client_order_id: str | None = None,
    ) -> TradeResult:
        """Take ``amount`` base on ``side`` at once, no worse than ``limit_price`` when given;
        what did not fill at once is cancelled.

        A permanent (not ``retryable``) error means the order was refused: nothing filled.
        A retryable error (a timeout, a network error, :class:`TradeOutcomeUnknown`) leaves
        its fate unknown: it may have been placed and filled. :meth:`find_trade` with the
        same ``client_order_id`` tells."""

    async def find_trade(
        self,
        side: Side,
        amount: Decimal,
        *,
        limit_price: Decimal | None = None,
        client_order_id: str,
    ) -> TradeResult | None:
        """What the order :meth:`trade` sent with these arguments did, asked of the venue
        by its ``client_order_id`` after :meth:`trade` raised a retryable error: its final
        result (an order still open is cancelled first), or None when the venue does not
        know the order (it was not placed). Raises the venue's error when it cannot tell;
        ``NotSupported`` (the default) when the adapter cannot look orders up."""
        raise NotSupported(
            f"{type(self).__name__} cannot look an order up by its client order id",
            venue=self.venue,
        )

    @abc.abstractmethod
    async def balance(self) -> AdapterBalance:
        """Free balances of the market's base and quote currencies."""


class Converter(Interface, abc.ABC):
    """Turns amounts (and prices) of one quote currency into another."""

    @abc.abstractmethod
    async def rate(self, from_currency: str, to_currency: str) -> ConversionRate:
        """Units of ``to_currency`` per unit of ``from_currency`` now (1 for the same
        currency); :class:`ConversionUnavailable` when the converter cannot tell."""

    async def convert(self, amount: Decimal, from_currency: str, to_currency: str) -> Decimal:
        """``amount`` of ``from_currency`` expressed in ``to_currency``."""
        return (await self.rate(from_currency, to_currency)).convert(amount)

