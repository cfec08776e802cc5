"""Orders: what a strategy asks for (:class:`OrderRequest`), what the venue holds
(:class:`Order`) and what it executed (:class:`Fill`).

Status lifecycle (ccxt's): ``open`` (resting; ``filled > 0`` means partially filled) ->
``closed`` (fully filled) | ``canceled`` (possibly after partial fills) | ``rejected`` |
``expired``. The last four are final.

Fees: ``fee`` in ``fee_currency`` is the first (usually the only) charge; ``fees`` lists
every charge, one per currency, so a fee taken in a currency that is neither base nor
quote (a venue token such as BNB), or in two currencies at once, is carried, never
dropped. Either may be given: the other is derived, and the two must agree.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fortuna import ExactDecimal
from schemas import money
from schemas._values import (
    Amount,
    Liquidity,
    NonNegativeAmount,
    OrderType,
    Price,
    Side,
    Symbol,
    TimeInForce,
    Timestamp,
)

__all__ = ["FeeCharge", "Fill", "Order", "OrderRequest", "OrderStatus"]

_FROZEN = ConfigDict(frozen=True, extra="forbid", defer_build=True)
_COMPUTED: Any = None  # default of a field an after-validator fills in

ClientOrderId = Field(
    default=None,
    min_length=1,
    max_length=64,
    description="the caller's id for the order, echoed back by the venue (idempotency, tracking)",
)


class FeeCharge(BaseModel):
    """A fee charged in one currency (negative for a rebate)."""

    model_config = _FROZEN

    currency: str = Field(min_length=1, description="currency the fee is charged in")
    cost: ExactDecimal = Field(description="the fee in that currency (negative for a rebate)")


Fees = Field(
    default=(),
    description="every fee charged, one entry per currency, first charged first; derived "
    "from fee and fee_currency when not given",
)


def _fees_agree(model: Order | Fill) -> None:
    """Derive ``fees`` from ``fee``/``fee_currency`` or the other way round, and check
    that the two agree (one entry per currency; the first is ``fee`` in ``fee_currency``)."""
    fees = model.fees
    if not fees:
        if model.fee_currency is not None:  # (a fee without its currency stays as it is)
            object.__setattr__(model, "fees", (FeeCharge(currency=model.fee_currency,
                                                         cost=model.fee),))
        return
    currencies = [charge.currency for charge in fees]
    if len(set(currencies)) != len(currencies):
        raise ValueError(f"fees lists a currency twice: {', '.join(currencies)}; one entry "
                         "per currency")
    first = fees[0]
    if model.fee_currency is None and not model.fee:
        object.__setattr__(model, "fee", first.cost)
        object.__setattr__(model, "fee_currency", first.currency)
    elif (model.fee_currency, model.fee) != (first.currency, first.cost):
        raise ValueError(
            f"fee {model.fee} {model.fee_currency} disagrees with the first of fees "
            f"({first.cost} {first.currency})"
        )


def _fee_in(fees: tuple[FeeCharge, ...], currency: str) -> Decimal:
    return next((charge.cost for charge in fees if charge.currency == currency), Decimal(0))


class OrderStatus(StrEnum):
    """``open`` rests on the book (partially filled when ``filled > 0``); the rest are final."""

    OPEN = "open"
    CLOSED = "closed"
    CANCELED = "canceled"
    REJECTED = "rejected"
    EXPIRED = "expired"

    @property
    def is_final(self) -> bool:
        return self is not OrderStatus.OPEN


class OrderRequest(BaseModel):
    """An order to place. Pass it through ``Market.check_order`` before sending.

    A limit order needs a price. A market order may carry a ``price`` as the reference
    used for the notional check and for venues that price market buys in quote currency.
    ``post_only=True`` and ``time_in_force="PO"`` mean the same thing; either sets both.
    """

    model_config = _FROZEN

    symbol: Symbol = Field(description="the market, 'BASE/QUOTE'")
    side: Side = Field(description="buy or sell")
    type: OrderType = Field(default=OrderType.LIMIT, description="limit or market")
    amount: Amount = Field(description="size in base currency")
    price: Price | None = Field(
        default=None, description="limit price in quote per base; optional for market orders"
    )
    time_in_force: TimeInForce = Field(
        default=TimeInForce.GTC, description="GTC, IOC, FOK or PO (post only)"
    )
    client_order_id: str | None = ClientOrderId
    post_only: bool = Field(
        default=False, description="rest as maker or be refused; never take liquidity"
    )

    @model_validator(mode="before")
    @classmethod
    def _post_only_is_time_in_force(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        tif = data.get("time_in_force")
        if data.get("post_only") is True and tif in (None, TimeInForce.GTC, TimeInForce.PO):
            return {**data, "time_in_force": TimeInForce.PO}
        if tif == TimeInForce.PO and data.get("post_only") is None:
            return {**data, "post_only": True}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> OrderRequest:
        if self.type is OrderType.LIMIT and self.price is None:
            raise ValueError("a limit order needs a price")
        if self.post_only != (self.time_in_force is TimeInForce.PO):
            raise ValueError(
                f"post_only={self.post_only} contradicts time_in_force={self.time_in_force.value}"
            )
        if self.post_only and self.type is OrderType.MARKET:
            raise ValueError("a market order cannot be post only")
        return self

    @property
    def notional(self) -> Decimal | None:
        """``amount * price`` in quote currency, or None without a price."""
        return None if self.price is None else money.multiply(self.amount, self.price)


class Order(BaseModel):
    """An order as the venue reports it. ``remaining`` defaults to ``amount - filled``."""

    model_config = _FROZEN

    id: str = Field(description="the venue's order id")
    client_order_id: str | None = ClientOrderId
    symbol: Symbol = Field(description="the market")
    side: Side = Field(description="buy or sell")
    type: OrderType = Field(default=OrderType.LIMIT, description="limit or market")
    price: Price | None = Field(default=None, description="limit price; None for market orders")
    amount: Amount = Field(description="ordered size in base currency")
    filled: NonNegativeAmount = Field(default=Decimal(0), description="executed size in base")
    remaining: NonNegativeAmount = Field(
        default=_COMPUTED, description="size still open in base; defaults to amount - filled"
    )
    average: Price | None = Field(
        default=None, description="average execution price; None before any fill"
    )
    status: OrderStatus = Field(default=OrderStatus.OPEN, description="lifecycle state")
    time_in_force: TimeInForce = Field(default=TimeInForce.GTC, description="GTC, IOC, FOK, PO")
    post_only: bool = Field(default=False, description="maker-only order")
    fee: ExactDecimal = Field(
        default=Decimal(0), description="fees charged so far (negative for a rebate)"
    )
    fee_currency: str | None = Field(default=None, description="currency the fee is charged in")
    fees: tuple[FeeCharge, ...] = Fees
    timestamp: Timestamp = Field(description="when the venue accepted the order (UTC)")
    updated: Timestamp | None = Field(
        default=None, description="when the venue last changed the order (UTC)"
    )

    @model_validator(mode="after")
    def _amounts(self) -> Order:
        if self.filled > self.amount:
            raise ValueError(f"filled {self.filled} exceeds amount {self.amount}")
        if self.__dict__.get("remaining") is None:
            object.__setattr__(self, "remaining", money.subtract(self.amount, self.filled))
        elif (
            self.status is OrderStatus.OPEN
            and money.add(self.remaining, self.filled) != self.amount
        ):
            raise ValueError(
                f"an open order's filled {self.filled} + remaining {self.remaining} "
                f"must equal its amount {self.amount}"
            )
        _fees_agree(self)
        return self

    def fee_in(self, currency: str) -> Decimal:
        """The fees charged so far in ``currency`` (zero when none was)."""
        return _fee_in(self.fees, currency)

    @property
    def open_amount(self) -> Decimal:
        """What can still execute: ``remaining`` while open, zero once final."""
        if self.status.is_final:
            return Decimal(0)
        return self.remaining

    @property
    def is_open(self) -> bool:
        return self.status is OrderStatus.OPEN

    @property
    def is_done(self) -> bool:
        """Final: closed, canceled, rejected or expired. It will never change again."""
        return self.status.is_final

    @property
    def is_filled(self) -> bool:
        return self.filled == self.amount

    @property
    def is_partially_filled(self) -> bool:
        return Decimal(0) < self.filled < self.amount

    @property
    def cost(self) -> Decimal:
        """Executed value in quote currency: ``filled * average`` (zero before any fill)."""
        if self.average is None:
            return Decimal(0)
        return money.multiply(self.filled, self.average)


class Fill(BaseModel):
    """One execution of one of our orders (ccxt's "my trade")."""

    model_config = _FROZEN

    id: str = Field(description="the venue's trade id")
    order_id: str = Field(description="the venue's id of the order that filled")
    client_order_id: str | None = ClientOrderId
    symbol: Symbol = Field(description="the market")
    side: Side = Field(description="our side: buy or sell")
    price: Price = Field(description="execution price in quote per base")
    amount: Amount = Field(description="executed size in base currency")
    fee: ExactDecimal = Field(
        default=Decimal(0), description="fee charged for this fill (negative for a rebate)"
    )
    fee_currency: str | None = Field(default=None, description="currency the fee is charged in")
    fees: tuple[FeeCharge, ...] = Fees
    liquidity: Liquidity | None = Field(
        default=None, description="maker or taker; None when the venue does not say"
    )
    timestamp: Timestamp = Field(description="when it executed (UTC)")

    @model_validator(mode="after")
    def _fees(self) -> Fill:
        _fees_agree(self)
        return self

    @property
    def cost(self) -> Decimal:
        """Value in quote currency: ``amount * price``, exact."""
        return money.multiply(self.amount, self.price)

    def fee_in(self, currency: str) -> Decimal:
        """The fee charged for this fill in ``currency`` (zero when none was)."""
        return _fee_in(self.fees, currency)
