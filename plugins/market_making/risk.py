"""``market_making.risk``: pre-trade limits every order passes before it reaches the venue.

Refused, each with the reason: a price outside the collar around the reference, an amount
or notional over its cap, one order too many resting, one order too many in the rate
window, an order at the same side and price as a live one (a duplicate), and an order that
would trade with the mandate's own resting orders. The last two always apply, even to a
service without this component (:class:`PreTradeLimits` with no caps).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from fortuna import Component, ComponentArgs, Duration, ExactDecimal
from schemas import Order, OrderRequest, Side, money
from schemas.market_making import RiskCheck, RiskContext
from schemas.money import Rounding

__all__ = ["PreTradeLimits", "RiskArgs", "RiskComponent"]

_BPS = Decimal(10_000)
_ONE = Decimal(1)


_SHOWN = Decimal("0.1")  # bps shown to one decimal


def _bps(dividend: Decimal, divisor: Decimal = _ONE) -> str:
    """``dividend / divisor`` in basis points, rounded half to even to 0.1 bps for display."""
    bps = money.divide(money.multiply(dividend, _BPS), divisor, _SHOWN, Rounding.HALF_EVEN)
    return f"{bps} bps"


class PreTradeLimits(RiskCheck):
    """The limits themselves, without a component around them (usable anywhere)."""

    def __init__(
        self,
        *,
        collar: Decimal | None = None,
        max_amount: Decimal | None = None,
        max_notional: Decimal | None = None,
        max_open_orders: int | None = None,
        max_orders: int | None = None,
        rate_window: float = 60.0,
    ) -> None:
        self.collar = collar
        self.max_amount = max_amount
        self.max_notional = max_notional
        self.max_open_orders = max_open_orders
        self.max_orders = max_orders
        self.rate_window = rate_window
        self._sent: deque[float] = deque()
        self._collar_of: tuple[Decimal, Decimal, Decimal] | None = None
        """(reference, collar, collar * reference) of the last check: one per tick."""

    def refusal(self, request: OrderRequest, context: RiskContext) -> str | None:
        price = request.price
        if price is None:
            return "a quote needs a limit price"
        reference = context.reference
        if self.collar is not None:
            difference = abs(money.subtract(price, reference))
            # |price - reference| / reference > collar, compared exactly
            if difference > self._collar_at(reference):
                return (
                    f"price {price} is {_bps(difference, reference)} from the reference "
                    f"{reference}, "
                    f"outside the collar of {_bps(self.collar)}"
                )
        if self.max_amount is not None and request.amount > self.max_amount:
            return f"amount {request.amount} is over the cap {self.max_amount}"
        if self.max_notional is not None:
            notional = money.multiply(request.amount, price)
            if notional > self.max_notional:
                return f"notional {notional} is over the cap {self.max_notional}"
        book = context.book
        if self.max_open_orders is not None and len(book) >= self.max_open_orders:
            return f"{len(book)} orders rest already, the limit is {self.max_open_orders}"
        if self.max_orders is not None:
            sent = self._sent
            horizon = context.now - self.rate_window
            while sent and sent[0] <= horizon:
                sent.popleft()
            if len(sent) >= self.max_orders:
                return (
                    f"{len(sent)} orders sent in the last {self.rate_window:g} s, "
                    f"the limit is {self.max_orders}"
                )
        return _book_refusal(request, price, book)

    def _collar_at(self, reference: Decimal) -> Decimal:
        """``collar * reference``, remembered for the last reference and collar (the same
        objects for every order of a tick)."""
        collar = self.collar
        assert collar is not None
        last = self._collar_of
        if last is not None and last[0] is reference and last[1] is collar:
            return last[2]
        bound = money.multiply(collar, reference)
        self._collar_of = (reference, collar, bound)
        return bound

    def record_sent(self, request: OrderRequest, now: float) -> None:
        if self.max_orders is not None:
            self._sent.append(now)


def _book_refusal(
    request: OrderRequest, price: Decimal, book: Sequence[OrderRequest | Order]
) -> str | None:
    """The first order of ``book`` (in its order) that ``request`` duplicates (same side
    and price) or would trade with (other side, prices meet), as the reason; or None."""
    side = request.side
    buying = side is Side.BUY
    for other in book:
        other_price = other.price
        if other_price is None:
            continue
        if other.side is side:
            if other_price == price:
                return _duplicate(other, price)
        elif (price >= other_price) if buying else (price <= other_price):
            return _crossing(request, price, other, other_price)
    return None


def _duplicate(other: OrderRequest | Order, price: Decimal) -> str:
    return f"duplicates the live {other.side.value} order at {price}"


def _crossing(
    request: OrderRequest, price: Decimal, other: OrderRequest | Order, other_price: Decimal
) -> str:
    return (
        f"{request.side.value} at {price} would cross the mandate's own "
        f"{other.side.value} at {other_price}"
    )


class RiskArgs(ComponentArgs):
    collar: Annotated[ExactDecimal, Field(gt=0)] | None = Field(
        default=None,
        description="refuse prices further than this fraction from the reference "
        "(0.02 = 2 %); no collar when omitted",
    )
    max_amount: Annotated[ExactDecimal, Field(gt=0)] | None = Field(
        default=None, description="largest order size in base currency"
    )
    max_notional: Annotated[ExactDecimal, Field(gt=0)] | None = Field(
        default=None, description="largest order value (amount * price) in quote currency"
    )
    max_open_orders: int | None = Field(
        default=None, ge=1, description="most orders the mandate may have resting at once"
    )
    max_orders: int | None = Field(
        default=None, ge=1, description="most orders sent within rate_window"
    )
    rate_window: Annotated[Duration, Field(gt=0)] = Field(
        default=60.0, description='the window of the order-rate limit, e.g. "1m"'
    )


class RiskComponent(Component[RiskArgs], RiskCheck):
    """Pre-trade limits: price collar, size and notional caps, open-order and rate limits."""

    _limits: PreTradeLimits | None = None

    @property
    def limits(self) -> PreTradeLimits:
        if self._limits is None:
            args = self.args
            self._limits = PreTradeLimits(
                collar=args.collar,
                max_amount=args.max_amount,
                max_notional=args.max_notional,
                max_open_orders=args.max_open_orders,
                max_orders=args.max_orders,
                rate_window=args.rate_window,
            )
        return self._limits

    def refusal(self, request: OrderRequest, context: RiskContext) -> str | None:
        return self.limits.refusal(request, context)

    def record_sent(self, request: OrderRequest, now: float) -> None:
        self.limits.record_sent(request, now)
