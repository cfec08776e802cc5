"""The account at the venue: balances, open and final orders, fills, and how a fill moves
money.

Fees are charged on the fill's value ``amount * price`` (maker rate for a resting order
that is hit, taker rate for an order that takes liquidity), in the quote currency; or, for
a market with a fee token (``fee_currency``, a third currency such as BNB), in the token
while the free balance holds enough of it: the quote fee divided by ``fee_price``, rounded
up to the token's 1e-8 (against the payer), carried on the fill and the order as it is
charged, never dropped or folded into the quote. A buy
reserves ``amount * limit * (1 + worst fee)`` of quote and a sell reserves its ``amount``
of base, so a fill always finds what it spends in ``used``; whatever the reservation held
beyond the fill's actual cost (price improvement, a cheaper fee) returns to ``free``.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from decimal import Decimal

from plugins.exchanges.sim._book import SimOrder, fee_charges
from plugins.exchanges.sim._ledger import Ledger
from plugins.exchanges.sim._records import utc
from schemas import Fill, Liquidity, Market, OrderStatus, money, trusted
from schemas.money import Rounding

__all__ = ["Account", "FillRecord"]

_ZERO = Decimal(0)
_FEE_TOKEN_STEP = Decimal("1E-8")


class FillRecord:
    """One fill as the venue keeps it; :meth:`model` builds (once) the ``Fill`` it reports."""

    __slots__ = ("_model", "amount", "fee", "fee_currency", "liquidity", "order", "price",
                 "seq", "t")

    def __init__(self, seq: int, order: SimOrder, price: Decimal, amount: Decimal,
                 fee: Decimal, fee_currency: str, liquidity: Liquidity, t: float) -> None:
        self.seq = seq
        self.order = order
        self.price = price
        self.amount = amount
        self.fee = fee
        self.fee_currency = fee_currency
        self.liquidity = liquidity
        self.t = t
        self._model: Fill | None = None

    def model(self, venue: str) -> Fill:
        model = self._model
        if model is None:
            order = self.order
            model = self._model = trusted(
                Fill,
                id=f"{venue}-f{self.seq}",
                order_id=order.id,
                client_order_id=order.client_order_id,
                symbol=order.symbol,
                side=order.side,
                price=self.price,
                amount=self.amount,
                fee=self.fee,
                fee_currency=self.fee_currency,
                fees=fee_charges(self.fee_currency, self.fee),
                liquidity=self.liquidity,
                timestamp=utc(self.t),
            )
        return model


class Account:
    """Everything the venue knows about the mandate's account."""

    __slots__ = (
        "_fill_seq",
        "_order_seq",
        "client_ids",
        "closed",
        "fee_tokens",
        "fills",
        "history",
        "ledger",
        "open",
        "venue",
    )

    def __init__(self, venue: str, ledger: Ledger, history: int) -> None:
        self.venue = venue
        self.fee_tokens: dict[str, tuple[str, Decimal]] = {}
        """Per symbol with a fee token: (the token, its price in the quote currency)."""
        self.ledger = ledger
        self.history = history
        self.open: dict[str, SimOrder] = {}
        """Open orders by id, oldest first."""
        self.closed: OrderedDict[str, SimOrder] = OrderedDict()
        """Final orders by id, in the order they became final (the last ``history``)."""
        self.fills: dict[str, deque[FillRecord]] = {}
        """Fills per symbol, oldest first (the last ``history`` of each)."""
        self.client_ids: dict[str, str] = {}
        """Client order id -> order id, for open orders."""
        self._order_seq = 0
        self._fill_seq = 0

    def next_order_id(self) -> str:
        self._order_seq += 1
        return f"{self.venue}-{self._order_seq}"

    def open_order(self, order: SimOrder) -> None:
        self.open[order.id] = order
        if order.client_order_id is not None:
            self.client_ids[order.client_order_id] = order.id

    def find(self, order_id: str) -> SimOrder | None:
        return self.open.get(order_id) or self.closed.get(order_id)

    def fill(
        self,
        order: SimOrder,
        market: Market,
        amount: Decimal,
        price: Decimal,
        notional: Decimal,
        liquidity: Liquidity,
        t: float,
    ) -> bool:
        """Execute ``amount`` of ``order`` at ``price`` (``notional``: their product); True
        when it is now fully filled (and final). The caller takes a filled order off the
        book."""
        fee = money.multiply(
            notional, market.maker_fee if liquidity is Liquidity.MAKER else market.taker_fee
        )
        fee_currency = market.quote
        token = self.fee_tokens.get(order.symbol)
        if token is not None:
            in_token = money.divide(fee, token[1], _FEE_TOKEN_STEP, Rounding.CEILING)
            if in_token <= self.ledger.free.get(token[0], _ZERO):
                self.ledger.charge(token[0], in_token)
                fee, fee_currency = in_token, token[0]
        quote_fee = fee if fee_currency == market.quote else _ZERO
        last = amount == order.remaining
        if order.is_buy:
            # Quote leaves (value plus a fee charged in quote), base arrives.
            cost = money.add(notional, quote_fee)
            if order.reserve_rate:
                portion = order.reserved if last else money.multiply(amount, order.reserve_rate)
                order.reserved = money.subtract(order.reserved, portion)
                refund = money.subtract(portion, cost)
            else:  # a market buy holds no reservation: it pays from free
                portion, refund = _ZERO, -cost
            self.ledger.settle(spent=market.quote, from_used=portion, refund=refund,
                               received=market.base, amount=amount)
        else:
            # Base leaves from the reservation, quote arrives net of a fee charged in quote.
            order.reserved = money.subtract(order.reserved, amount)
            self.ledger.settle(spent=market.base, from_used=amount, refund=_ZERO,
                               received=market.quote, amount=money.subtract(notional, quote_fee))
        order.executed(amount, price, notional, fee, fee_currency, t)
        self._fill_seq += 1
        fills = self.fills.get(order.symbol)
        if fills is None:
            fills = self.fills[order.symbol] = deque(maxlen=self.history)
        fills.append(
            FillRecord(self._fill_seq, order, price, amount, fee, fee_currency, liquidity, t)
        )
        if last:
            self.finish(order, OrderStatus.CLOSED, t)
        return last

    def finish(self, order: SimOrder, status: OrderStatus, t: float) -> None:
        """Make ``order`` final: release what it still reserves, file it as closed."""
        if order.reserved:
            self.ledger.release(order.reserve_currency, order.reserved)
            order.reserved = _ZERO
        order.finished(status, t)
        self.open.pop(order.id, None)
        if order.client_order_id is not None and (
            self.client_ids.get(order.client_order_id) == order.id
        ):
            del self.client_ids[order.client_order_id]
        closed = self.closed
        closed[order.id] = order
        if len(closed) > self.history:
            closed.popitem(last=False)
