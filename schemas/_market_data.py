"""Market data: order books, tickers, public trades, candles and balances.

Books are validated sorted (bids strictly descending, asks strictly ascending). A crossed
book (best bid >= best ask) is accepted, since venues briefly publish them, and flagged
by :attr:`OrderBook.crossed`. Depth walking returns ``None`` when the book is too thin.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from itertools import pairwise
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas import money
from schemas._values import Amount, NonNegativeAmount, Price, Side, Symbol, Timestamp

__all__ = ["Balance", "Balances", "Candle", "OrderBook", "OrderBookLevel", "Ticker", "Trade"]

_FROZEN = ConfigDict(frozen=True, extra="forbid", defer_build=True)
_COMPUTED: Any = None  # default of a field an after-validator fills in
_ZERO = Decimal(0)
_ONE = Decimal(1)


class OrderBookLevel(BaseModel):
    """One price level: a price and the amount resting there. Also parses ``[price, amount]``."""

    model_config = _FROZEN

    price: Price = Field(description="price in quote per base")
    amount: Amount = Field(description="amount resting at this price, in base")

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, data: Any) -> Any:
        if isinstance(data, list | tuple):
            if len(data) < 2:
                raise ValueError("a book level is [price, amount]")
            return {"price": data[0], "amount": data[1]}
        return data


def _check_sorted(side: str, levels: Sequence[OrderBookLevel], *, descending: bool) -> None:
    """``ValueError`` at the first level of ``side`` not strictly beyond the one before it."""
    for earlier, later in pairwise(levels):
        if (later.price >= earlier.price) if descending else (later.price <= earlier.price):
            order = "descending" if descending else "ascending"
            raise ValueError(
                f"{side} must be sorted by strictly {order} price: {earlier.price} "
                f"is followed by {later.price}"
            )


class OrderBook(BaseModel):
    """A snapshot of a market's book, best levels first on each side."""

    model_config = _FROZEN

    symbol: Symbol = Field(description="the market")
    bids: tuple[OrderBookLevel, ...] = Field(
        default=(), description="buy levels, highest price first"
    )
    asks: tuple[OrderBookLevel, ...] = Field(
        default=(), description="sell levels, lowest price first"
    )
    timestamp: Timestamp = Field(
        description="when the venue produced it, or when it was received if the venue is silent"
    )

    @model_validator(mode="after")
    def _sorted(self) -> OrderBook:
        _check_sorted("bids", self.bids, descending=True)
        _check_sorted("asks", self.asks, descending=False)
        return self

    @property
    def best_bid(self) -> OrderBookLevel | None:
        return self.bids[0] if self.bids else None

    @property
    def best_ask(self) -> OrderBookLevel | None:
        return self.asks[0] if self.asks else None

    @property
    def mid(self) -> Decimal | None:
        """``(best bid + best ask) / 2``, or None when a side is empty."""
        if not self.bids or not self.asks:
            return None
        return money.mid(self.bids[0].price, self.asks[0].price)

    @property
    def spread(self) -> Decimal | None:
        """``best ask - best bid`` in quote (negative if crossed), or None if a side is empty."""
        if not self.bids or not self.asks:
            return None
        return money.subtract(self.asks[0].price, self.bids[0].price)

    @property
    def relative_spread(self) -> Decimal | None:
        """``spread / mid`` as a decimal fraction (:func:`schemas.money.ratio`: 34 significant
        digits, half to even), or None if a side is empty."""
        mid, spread = self.mid, self.spread
        return None if mid is None or spread is None else money.ratio(spread, mid)

    @property
    def crossed(self) -> bool:
        return bool(self.bids and self.asks and self.bids[0].price >= self.asks[0].price)

    def levels_for(self, side: Side) -> tuple[OrderBookLevel, ...]:
        """The levels a taker of ``side`` consumes: asks for a buy, bids for a sell."""
        return self.asks if Side(side) is Side.BUY else self.bids

    def walk(self, side: Side, amount: Decimal) -> Iterator[tuple[Decimal, Decimal]]:
        """``(price, amount)`` pieces a taker ``side`` order of ``amount`` would fill, best
        first, stopping at ``amount`` or when the book runs out."""
        left = amount
        for level in self.levels_for(side):
            if left <= 0:
                return
            take = min(left, level.amount)
            yield level.price, take
            left = money.subtract(left, take)

    def cost(self, side: Side, amount: Decimal) -> Decimal | None:
        """Quote value of taking ``amount`` base on ``side``; None if the book is too thin."""
        if amount <= 0:
            raise ValueError(f"amount must be positive, got {amount}")
        filled = _ZERO
        cost = _ZERO
        for price, take in self.walk(side, amount):
            filled = money.add(filled, take)
            cost = money.add(cost, money.multiply(price, take))
        return cost if filled == amount else None

    def average_fill_price(self, side: Side, amount: Decimal) -> Decimal | None:
        """Volume-weighted price of taking ``amount`` base on ``side`` (buy walks the asks);
        None when the book holds less than ``amount`` on that side. A ratio
        (:func:`schemas.money.ratio`): 34 significant digits, half to even."""
        cost = self.cost(side, amount)
        return None if cost is None else money.ratio(cost, amount)

    def available(self, side: Side, limit_price: Decimal | None = None) -> Decimal:
        """Base amount a taker of ``side`` could fill at prices no worse than
        ``limit_price`` (the whole side when None)."""
        total = _ZERO
        for level in self.levels_for(side):
            if limit_price is not None and (
                level.price > limit_price if Side(side) is Side.BUY else level.price < limit_price
            ):
                break
            total = money.add(total, level.amount)
        return total

    def depth(
        self, book_side: Literal["bids", "asks"], within: Decimal, *, quote: bool = False
    ) -> Decimal:
        """Amount resting on ``book_side`` within ``within`` (a fraction, 0.02 = 2 %) of the
        mid, in base (or in quote value with ``quote=True``). Zero when the mid is unknown."""
        mid = self.mid
        if mid is None:
            return _ZERO
        levels = self.bids if book_side == "bids" else self.asks
        factor = money.subtract(_ONE, within) if book_side == "bids" else money.add(_ONE, within)
        bound = money.multiply(mid, factor)
        total = _ZERO
        for level in levels:
            if (level.price < bound) if book_side == "bids" else (level.price > bound):
                break
            value = money.multiply(level.price, level.amount) if quote else level.amount
            total = money.add(total, value)
        return total


class Ticker(BaseModel):
    """Top of book and last trade, as a venue's ticker reports them."""

    model_config = _FROZEN

    symbol: Symbol = Field(description="the market")
    bid: Price | None = Field(default=None, description="best bid; None if the side is empty")
    ask: Price | None = Field(default=None, description="best ask; None if the side is empty")
    last: Price | None = Field(default=None, description="last trade price")
    volume: NonNegativeAmount | None = Field(
        default=None, description="traded base volume over the venue's window (usually 24h)"
    )
    quote_volume: NonNegativeAmount | None = Field(
        default=None, description="traded quote volume over the venue's window"
    )
    timestamp: Timestamp = Field(description="when the venue produced it (UTC)")

    @property
    def mid(self) -> Decimal | None:
        return None if self.bid is None or self.ask is None else money.mid(self.bid, self.ask)

    @property
    def spread(self) -> Decimal | None:
        return None if self.bid is None or self.ask is None else money.subtract(self.ask, self.bid)


class Trade(BaseModel):
    """A public trade on the venue. ``side`` is the taker's side."""

    model_config = _FROZEN

    id: str = Field(description="the venue's trade id")
    symbol: Symbol = Field(description="the market")
    side: Side = Field(description="the taker's side")
    price: Price = Field(description="execution price")
    amount: Amount = Field(description="executed base amount")
    timestamp: Timestamp = Field(description="when it executed (UTC)")

    @property
    def cost(self) -> Decimal:
        return money.multiply(self.price, self.amount)


class Candle(BaseModel):
    """One OHLCV bar. ``timestamp`` is the bar's open time."""

    model_config = _FROZEN

    timestamp: Timestamp = Field(description="open time of the bar (UTC)")
    open: Price = Field(description="first trade price")
    high: Price = Field(description="highest trade price")
    low: Price = Field(description="lowest trade price")
    close: Price = Field(description="last trade price")
    volume: NonNegativeAmount = Field(default=_ZERO, description="traded base volume")

    @model_validator(mode="after")
    def _range(self) -> Candle:
        if not self.low <= min(self.open, self.close) <= max(self.open, self.close) <= self.high:
            raise ValueError(
                f"candle needs low <= open, close <= high; got open {self.open} high "
                f"{self.high} low {self.low} close {self.close}"
            )
        return self


class Balance(BaseModel):
    """One currency's balance. ``total`` defaults to ``free + used``; when the venue gives
    all three they are kept as reported (margin venues need not add up)."""

    model_config = _FROZEN

    currency: str = Field(min_length=1, description="currency code")
    free: NonNegativeAmount = Field(default=_ZERO, description="available for new orders")
    used: NonNegativeAmount = Field(default=_ZERO, description="locked in open orders")
    total: NonNegativeAmount = Field(
        default=_COMPUTED, description="free + used, unless the venue reports otherwise"
    )

    @model_validator(mode="after")
    def _total(self) -> Balance:
        if self.__dict__.get("total") is None:
            object.__setattr__(self, "total", money.add(self.free, self.used))
        return self


class Balances(BaseModel):
    """Balances by currency code. Missing currencies read as zero through :meth:`free`,
    :meth:`used` and :meth:`total`; ``balances[code]`` raises ``KeyError``."""

    model_config = _FROZEN

    balances: Mapping[str, Balance] = Field(
        default_factory=dict, description="currency code -> balance"
    )
    timestamp: Timestamp | None = Field(default=None, description="when the venue reported them")

    @model_validator(mode="after")
    def _keys(self) -> Balances:
        for code, balance in self.balances.items():
            if code != balance.currency:
                raise ValueError(f"balance for {balance.currency} is filed under {code!r}")
        return self

    @classmethod
    def of(cls, balances: Sequence[Balance] = (), **kwargs: Any) -> Balances:
        """Build from a sequence of :class:`Balance`: ``Balances.of([Balance(...), ...])``."""
        return cls(balances={b.currency: b for b in balances}, **kwargs)

    def __getitem__(self, currency: str) -> Balance:
        return self.balances[currency]

    def __contains__(self, currency: object) -> bool:
        return currency in self.balances

    def __len__(self) -> int:
        return len(self.balances)

    def get(self, currency: str) -> Balance | None:
        return self.balances.get(currency)

    def currencies(self) -> list[str]:
        return list(self.balances)

    def free(self, currency: str) -> Decimal:
        balance = self.balances.get(currency)
        return balance.free if balance is not None else _ZERO

    def used(self, currency: str) -> Decimal:
        balance = self.balances.get(currency)
        return balance.used if balance is not None else _ZERO

    def total(self, currency: str) -> Decimal:
        balance = self.balances.get(currency)
        return balance.total if balance is not None else _ZERO
