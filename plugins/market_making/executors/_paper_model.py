"""The paper executor's fill model: local orders, a simulated account, and the live
market data that fills them. Pure (no venue, no clock, no I/O), so every rule is tested
on its own.

How a paper order fills, and why that way:

- **On arrival** an order that crosses the live book takes liquidity as a taker, walking
  the opposite side from its best price up to the order's limit, at the levels' prices and
  the taker fee. A post-only order that would take is refused, as a venue refuses it.
- **Queue position.** What does not take rests at its price, *behind* everything the live
  book displays at that price on its own side when it arrives (``ahead``): a venue fills a
  level first come, first served, and every order displayed there came first. An order
  that improves on the best price has nothing ahead.
- **Public trades** reaching the order's price consume the queue first: a trade *at* the
  order's price is taken by ``ahead`` before any of it fills the order; a trade *through*
  it (a buy printed above our ask, a sell below our bid) swept the whole level, so
  ``ahead`` is gone and the trade's amount fills the order. One trade's amount is shared
  out among the mandate's orders in price-time priority; only trades printed after the
  order was placed count. Our orders never took part in the real trade, so the model
  assumes they would have been filled *in addition to* what really traded (no market
  impact): an optimistic bound on fills, by the order's remaining amount.
- **The book moving through the order** (the live best ask at or below our bid, or the
  best bid at or above our ask) fills it as maker at its own price, up to the amount the
  live book shows at prices that cross it. The live book never learns of our paper
  trades, so liquidity an order already took (on arrival or at an earlier sync) is not
  taken again while the book still shows it: ``taken`` counts it, and shrinks with the
  crossing amount the book shows (what left the book can be replaced by new liquidity).
- **Cancels ahead of us**: ``ahead`` never exceeds what the level displays now (the
  orders that left it were at most that many ahead), so a level that thins moves the
  order forward; one that grows does not (newcomers queue behind).

Fees are charged in the quote currency at the market's maker or taker rate. The account
is simulated: starting balances, a buy reserves ``price * amount * (1 + highest fee)`` of
quote and a sell ``amount`` of base while it rests, so an order the account cannot fund is
refused (``InsufficientFunds``) like on the venue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from schemas import (
    Balance,
    Balances,
    InsufficientFunds,
    Market,
    OrderBook,
    OrderRequest,
    Side,
    Trade,
    money,
)

__all__ = ["PaperAccount", "PaperOrder", "displayed_at", "takes"]

_ZERO = Decimal(0)
_ONE = Decimal(1)


@dataclass
class PaperOrder:
    """One resting paper order: its request, what has filled and the queue ahead of it."""

    id: str
    request: OrderRequest
    price: Decimal
    placed: datetime
    ahead: Decimal
    taken: Decimal = _ZERO
    """Crossing liquidity of the live book this order already took (not taken twice)."""
    filled: Decimal = _ZERO
    cost: Decimal = _ZERO
    fee: Decimal = _ZERO
    reserved: Decimal = _ZERO

    @property
    def side(self) -> Side:
        return self.request.side

    @property
    def remaining(self) -> Decimal:
        return money.subtract(self.request.amount, self.filled)


def displayed_at(book: OrderBook, side: Side, price: Decimal) -> Decimal:
    """The amount the book displays at exactly ``price`` on ``side``'s own side (bids for
    a buy): the queue a new order at that price joins behind."""
    for level in book.bids if side is Side.BUY else book.asks:
        if level.price == price:
            return level.amount
    return _ZERO


def takes(book: OrderBook, side: Side, limit: Decimal, amount: Decimal
          ) -> list[tuple[Decimal, Decimal]]:
    """``(price, amount)`` an order of ``side`` limited at ``limit`` takes on arrival."""
    pieces: list[tuple[Decimal, Decimal]] = []
    for price, take in book.walk(side, amount):
        if (price > limit) if side is Side.BUY else (price < limit):
            break
        pieces.append((price, take))
    return pieces


def reaches(side: Side, price: Decimal, trade: Trade) -> bool:
    """Whether a public trade reached a resting order of ``side`` at ``price``: a sell
    taker at or below our bid, a buy taker at or above our ask."""
    if side is Side.BUY:
        return trade.side is Side.SELL and trade.price <= price
    return trade.side is Side.BUY and trade.price >= price


def crossing_amount(book: OrderBook, side: Side, price: Decimal) -> Decimal:
    """The amount the live book shows at prices that cross a resting order of ``side`` at
    ``price`` (asks at or below our bid; bids at or above our ask)."""
    return book.available(side, price)


@dataclass
class PaperAccount:
    """Simulated balances: totals, and what resting orders hold."""

    totals: dict[str, Decimal]
    used: dict[str, Decimal] = field(default_factory=dict)

    @classmethod
    def starting(cls, balances: Mapping[str, Decimal], market: Market) -> PaperAccount:
        totals = dict(balances)
        totals.setdefault(market.base, _ZERO)
        totals.setdefault(market.quote, _ZERO)
        return cls(totals)

    def free(self, currency: str) -> Decimal:
        return money.subtract(self.totals.get(currency, _ZERO), self.used.get(currency, _ZERO))

    def reserve(self, market: Market, order: PaperOrder) -> None:
        """Hold what the order may spend while it rests, or ``InsufficientFunds``."""
        request = order.request
        if request.side is Side.BUY:
            rate = money.add(_ONE, max(market.maker_fee, market.taker_fee, _ZERO))
            need = money.multiply(money.multiply(request.amount, order.price), rate)
            currency = market.quote
        else:
            need = request.amount
            currency = market.base
        free = self.free(currency)
        if need > free:
            raise InsufficientFunds(
                f"{currency}: the paper account holds {free} free, the {request.side.value} "
                f"of {request.amount} at {order.price} needs {need}", venue="paper",
            )
        self.used[currency] = money.add(self.used.get(currency, _ZERO), need)
        order.reserved = need

    def release(self, market: Market, order: PaperOrder) -> None:
        """Give back what a final order still holds."""
        currency = market.quote if order.side is Side.BUY else market.base
        self.used[currency] = money.subtract(self.used.get(currency, _ZERO), order.reserved)
        order.reserved = _ZERO

    def settle(self, market: Market, order: PaperOrder, amount: Decimal, price: Decimal,
               fee_rate: Decimal) -> Decimal:
        """Book a fill of ``amount`` at ``price``; returns the fee (in quote)."""
        cost = money.multiply(amount, price)
        fee = money.multiply(cost, fee_rate)
        base, quote = market.base, market.quote
        totals = self.totals
        if order.side is Side.BUY:
            totals[base] = money.add(totals.get(base, _ZERO), amount)
            totals[quote] = money.subtract(totals.get(quote, _ZERO), money.add(cost, fee))
            held = min(order.reserved, money.add(cost, fee))
            self.used[quote] = money.subtract(self.used.get(quote, _ZERO), held)
        else:
            totals[base] = money.subtract(totals.get(base, _ZERO), amount)
            totals[quote] = money.add(totals.get(quote, _ZERO), money.subtract(cost, fee))
            held = min(order.reserved, amount)
            self.used[base] = money.subtract(self.used.get(base, _ZERO), held)
        order.reserved = money.subtract(order.reserved, held)
        order.filled = money.add(order.filled, amount)
        order.cost = money.add(order.cost, cost)
        order.fee = money.add(order.fee, fee)
        return fee

    def snapshot(self, when: datetime) -> Balances:
        return Balances.of(
            [Balance(currency=c, free=self.free(c), used=self.used.get(c, _ZERO))
             for c in self.totals],
            timestamp=when,
        )


def trade_fills(orders: Iterable[PaperOrder], trade: Trade) -> list[tuple[PaperOrder, Decimal]]:
    """What one public trade fills of the resting ``orders`` (in priority order: best
    price first, then oldest): the queue ahead of each is consumed first at the order's
    own price; a trade through the price fills with nothing ahead."""
    left = trade.amount
    fills: list[tuple[PaperOrder, Decimal]] = []
    for order in orders:
        if not left:
            break
        if order.placed > trade.timestamp or not reaches(order.side, order.price, trade):
            continue
        if trade.price == order.price and order.ahead:
            queued = min(order.ahead, left)
            order.ahead = money.subtract(order.ahead, queued)
            left = money.subtract(left, queued)
            if not left:
                break
        else:
            order.ahead = _ZERO
        take = min(left, order.remaining)
        if take:
            fills.append((order, take))
            left = money.subtract(left, take)
    return fills


def book_fills(orders: Iterable[PaperOrder], book: OrderBook
               ) -> list[tuple[PaperOrder, Decimal]]:
    """What the live book fills of the resting ``orders`` (priority order) by crossing
    them; and, for the others, the queue ahead shrunk to what their level displays."""
    fills: list[tuple[PaperOrder, Decimal]] = []
    shown: dict[Side, Decimal] = {}
    for order in orders:
        side = order.side
        available = crossing_amount(book, side, order.price)
        order.taken = min(order.taken, available)
        if available:
            used = max(shown.get(side, _ZERO), order.taken)
            take = min(order.remaining, money.subtract(available, min(used, available)))
            order.ahead = _ZERO
            if take:
                fills.append((order, take))
                order.taken = money.add(order.taken, take)
                shown[side] = money.add(used, take)
            continue
        order.ahead = min(order.ahead, displayed_at(book, side, order.price))
    return fills


def priority(orders: Iterable[PaperOrder]) -> list[PaperOrder]:
    """Price-time priority per side: best price first, then the oldest."""
    bids = sorted((o for o in orders if o.side is Side.BUY),
                  key=lambda o: (-o.price, o.placed))
    asks = sorted((o for o in orders if o.side is Side.SELL), key=lambda o: (o.price, o.placed))
    return bids + asks
