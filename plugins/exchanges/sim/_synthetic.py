"""The synthetic market of one symbol on the simulated venue: its book, its price in ticks,
and its tape of public trades, everything of a market except the mandate's orders.

The synthetic book at price step ``k`` is a pure function of the price path: the mid (the
path's price times ``1 + price_offset``, rounded half-even to the tick), a best bid and ask
``spread / 2`` either side (rounded outwards to the tick, at least one tick apart), and
``depth`` levels per side ``level_spacing`` apart (at least one tick), ``level_amount``
each. The mandate's own executions consume those levels until the next price step, when
the book is rebuilt in full (other traders replenish it); public trades do not.

Why on its own: the matching (:mod:`plugins.exchanges.sim._engine`, which subclasses
:class:`SyntheticMarket`) only asks this module what a taker would meet, consumes it and
prints trades; prices are integer ticks here so that the matching compares integers, and
the public volume is kept per minute so the day's figures cost no scan of the history.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from plugins.exchanges.sim._walk import PricePath
from schemas import Market, Side, money
from schemas.money import Rounding

__all__ = ["MarketSetup", "PublicTrade", "SyntheticMarket", "SyntheticParams"]

_ZERO = Decimal(0)
_ONE = Decimal(1)
_TWO = Decimal(2)
_THOUSANDTH = Decimal("0.001")
_INF = math.inf
_MINUTES_KEPT = 144_000  # 100 days of per-minute public volume
_CACHED = 4096  # prices remembered per market (in ticks and from ticks) before starting again

PublicTrade = tuple[int, Side, Decimal, Decimal, float]
"""(sequence number, taker side, price, amount, time) of a public trade; its id is
``f"{symbol}-{sequence number}"``, written when the trade is reported (most never are)."""


class SyntheticParams:
    """The venue-wide shape of the synthetic market."""

    __slots__ = ("depth", "half_spread", "level_spacing", "trade_rate")

    def __init__(self, *, spread: Decimal, depth: int, level_spacing: Decimal,
                 trade_rate: Decimal) -> None:
        self.half_spread = money.divide_exact(spread, _TWO)
        self.depth = depth
        self.level_spacing = level_spacing
        self.trade_rate = float(trade_rate)


@dataclass(frozen=True, slots=True)
class MarketSetup:
    """What the synthetic market of one symbol is made of (the venue's args, resolved)."""

    market: Market
    path: PricePath
    offset: Decimal
    """The venue's ``price_offset``: its mid is the path's price times ``1 + offset``."""
    params: SyntheticParams
    level_amount: Decimal
    trade_amount: Decimal
    seed: int
    venue: str
    history: int
    """Public trades kept."""


class SyntheticMarket:
    """The synthetic book, price path and public trades of one symbol."""

    def __init__(self, setup: MarketSetup) -> None:
        market = self.market = setup.market
        path = self.path = setup.path
        params = self.params = setup.params
        self.symbol = market.symbol
        self.tick = market.price_increment
        self.level_amount = setup.level_amount
        self.trade_amount = setup.trade_amount
        self.trades: deque[PublicTrade] = deque(maxlen=setup.history)
        self._factor = money.add(_ONE, setup.offset)
        self._same_units = setup.offset == 0 and path.increment == self.tick
        self._prices: dict[int, Decimal] = {}
        """Ticks -> price, remembered (an int is hashed for nothing; a Decimal is not)."""
        self._ticks: dict[Decimal, tuple[int, bool]] = {}
        """Price -> (whole ticks rounded towards zero, whether it is on the tick)."""
        # The synthetic book at the current step, in ticks.
        self.step = -1
        self.mid = 0
        self.bid0 = 0
        self.ask0 = 0
        self.spacing = 1
        self.bid_levels = 0
        self.consumed_bids: dict[int, Decimal] = {}
        self.consumed_asks: dict[int, Decimal] = {}
        # Trade arrivals.
        rng = random.Random(f"fortuna.sim:{setup.seed}:{setup.venue}:{market.symbol}:trades")
        self._random = rng.random
        self._expovariate = rng.expovariate
        self._trade_seq = 0
        self.minutes: dict[int, list[Decimal]] = {}
        """Public volume per minute (epoch minute -> [base, quote]), the last 100 days."""
        self._day_window: deque[int] = deque()
        """The closed minutes counted in the day's totals, oldest first."""
        self._open_minute = -1
        self._open_bucket: list[Decimal] = [_ZERO, _ZERO]
        self._day_base = _ZERO
        self._day_quote = _ZERO
        rate = params.trade_rate
        self.next_arrival = path.origin + rng.expovariate(rate) if rate > 0 else _INF

    # --- prices ---------------------------------------------------------------------------

    def price_of(self, ticks: int) -> Decimal:
        """``ticks`` whole ticks as a price (remembered: the same levels come back)."""
        price = self._prices.get(ticks)
        if price is None:
            if len(self._prices) >= _CACHED:
                self._prices.clear()
            price = self._prices[ticks] = money.multiply(Decimal(ticks), self.tick)
        return price

    def ticks_of(self, price: Decimal) -> int:
        """``price`` in whole ticks, rounded towards zero."""
        return (self._ticks.get(price) or self._read(price))[0]

    def on_tick(self, price: Decimal) -> bool:
        """Whether ``price`` is a whole number of ticks, exactly."""
        return (self._ticks.get(price) or self._read(price))[1]

    def _read(self, price: Decimal) -> tuple[int, bool]:
        # One rounding answers both questions (the quotient of a multiple of the tick by
        # the tick is exact). Remembered by value, as both answers depend on the value only
        # (100.10 is 100.1): the same prices are quoted again and again.
        tick = self.tick
        down = money.round_to(price, tick, Rounding.DOWN)
        read = (int(money.divide_exact(down, tick)), down == price)
        if len(self._ticks) >= _CACHED:
            self._ticks.clear()
        self._ticks[price] = read
        return read

    def mid_ticks(self, step: int) -> int:
        """The venue's mid at ``step`` in ticks: the path's price with the offset."""
        return self.ticks_of_units(self.path.units(step))

    def ticks_of_units(self, units: int) -> int:
        """A path price (in the path's units) as this venue's mid in ticks; monotonic."""
        if self._same_units:
            return units
        price = money.multiply(money.multiply(Decimal(units), self.path.increment),
                               self._factor)
        ticks = int(money.divide(price, self.tick, _ONE, Rounding.HALF_EVEN))
        return max(ticks, 1)

    def candle(self, first: int, last: int) -> tuple[int, int, int, int]:
        """(open, high, low, close) of the mid in ticks over steps ``first..last``."""
        convert = self.ticks_of_units
        opened, high, low, closed = self.path.extremes(first, last)
        return convert(opened), convert(high), convert(low), convert(closed)

    def volume(self, start: float, end: float) -> Decimal:
        """Base volume of the public trades in ``[start, end)``: from the per-minute totals
        when both ends are on a minute, else from the trades still in the history."""
        if start % 60 == 0 and end % 60 == 0:
            minutes = self.minutes
            total = _ZERO
            for minute in range(int(start // 60), int(end // 60)):
                bucket = minutes.get(minute)
                if bucket is not None:
                    total = money.add(total, bucket[0])
            return total
        return money.total(tr[3] for tr in self.trades if start <= tr[4] < end)

    def day_volume(self, now: float) -> tuple[Decimal, Decimal]:
        """(base, quote) volume of the public trades of the last 24 hours, by minute."""
        cutoff = int((now - 86_400) // 60)
        window = self._day_window
        while window and window[0] <= cutoff:
            bucket = self.minutes.get(window.popleft())
            if bucket is not None:
                self._day_base = money.subtract(self._day_base, bucket[0])
                self._day_quote = money.subtract(self._day_quote, bucket[1])
        base, quote = self._day_base, self._day_quote
        if self._open_minute > cutoff:
            base = money.add(base, self._open_bucket[0])
            quote = money.add(quote, self._open_bucket[1])
        return base, quote

    def _set_step(self, step: int) -> None:
        self.step = step
        mid = self.mid_ticks(step)
        if mid == self.mid:
            self.consumed_bids.clear()
            self.consumed_asks.clear()
            return
        self.mid = mid
        params = self.params
        exact_mid = Decimal(mid)
        half = money.multiply(exact_mid, params.half_spread)
        bid = int(money.round_to(money.subtract(exact_mid, half), _ONE, Rounding.FLOOR))
        ask = int(money.round_to(money.add(exact_mid, half), _ONE, Rounding.CEILING))
        bid = max(bid, 1)
        if ask <= bid:
            ask = bid + 1
        spacing = int(money.round_to(money.multiply(exact_mid, params.level_spacing), _ONE,
                                     Rounding.CEILING))
        self.bid0 = bid
        self.ask0 = ask
        self.spacing = max(spacing, 1)
        self.bid_levels = min(params.depth, (bid - 1) // self.spacing + 1)
        self.consumed_bids.clear()
        self.consumed_asks.clear()

    # --- the synthetic book -------------------------------------------------------------------

    def synthetic_levels(self, side: Side) -> list[tuple[int, Decimal]]:
        """(ticks, available amount) of the synthetic levels a taker of ``side`` meets."""
        return list(self._levels(side))

    def best_synthetic(self, side: Side) -> int | None:
        """Ticks of the first synthetic level a taker of ``side`` meets, if any is left."""
        first = next(self._levels(side), None)
        return None if first is None else first[0]

    def _synthetic_side(self, side: Side) -> tuple[dict[int, Decimal], int, int, int]:
        """What a taker of ``side`` meets: (amounts already taken by level, first level's
        ticks, ticks between levels, level count)."""
        if side is Side.BUY:
            return self.consumed_asks, self.ask0, self.spacing, self.params.depth
        return self.consumed_bids, self.bid0, -self.spacing, self.bid_levels

    def _levels(self, side: Side) -> Iterator[tuple[int, Decimal]]:
        amount = self.level_amount
        consumed, first, spacing, count = self._synthetic_side(side)
        for i in range(count):
            used = consumed.get(i)
            if used is None:
                yield first + i * spacing, amount
            elif used < amount:
                yield first + i * spacing, money.subtract(amount, used)

    def _take_synthetic(self, side: Side, limit: int | None, amount: Decimal
                        ) -> tuple[list[tuple[int, int, Decimal]], Decimal]:
        """(level index, ticks, amount) a taker of ``side`` would get from the synthetic
        book, up to ``limit`` ticks (None: no limit), without consuming it; and what of
        ``amount`` it would not get."""
        taken: list[tuple[int, int, Decimal]] = []
        left = amount
        level_amount = self.level_amount
        consumed, first, spacing, count = self._synthetic_side(side)
        for i in range(count):
            ticks = first + i * spacing
            if limit is not None and (ticks > limit if side is Side.BUY else ticks < limit):
                break
            used = consumed.get(i)
            available = level_amount if used is None else money.subtract(level_amount, used)
            if available <= 0:
                continue
            take = available if available < left else left
            taken.append((i, ticks, take))
            left = money.subtract(left, take)
            if not left:
                break
        return taken, left

    def _consume(self, side: Side, index: int, amount: Decimal) -> None:
        consumed = self.consumed_asks if side is Side.BUY else self.consumed_bids
        consumed[index] = money.add(consumed.get(index, _ZERO), amount)

    # --- public trades ------------------------------------------------------------------------

    def _trade_size(self) -> Decimal:
        # Exponential around the mean, in thousandths, rounded down to the step (one step at
        # least): exact from here on. A thousandth is a shift of the digits, so the value is
        # an exact product and one rounding to the step (the same as dividing by 1000 there).
        thousandths = int(self._expovariate(1.0) * 1000) + 1
        step = self.market.amount_increment
        share = money.multiply(Decimal(thousandths), _THOUSANDTH)
        size = money.round_to(money.multiply(self.trade_amount, share), step, Rounding.FLOOR)
        return size if size > 0 else step

    def _public_trade(self, taker: Side, ticks: int, amount: Decimal, t: float,
                      price: Decimal | None = None, value: Decimal | None = None) -> None:
        """Print a trade of ``amount`` at ``ticks`` (``price``, worth ``value``, when known)."""
        self._trade_seq += 1
        if price is None:
            price = self.price_of(ticks)
        if t // 60 != self._open_minute:
            self._roll(int(t // 60))
        bucket = self._open_bucket
        bucket[0] = money.add(bucket[0], amount)
        if value is None:
            value = money.multiply(amount, price)
        bucket[1] = money.add(bucket[1], value)
        self.trades.append((self._trade_seq, taker, price, amount, t))

    def _roll(self, minute: int) -> None:
        """Close the open minute of public volume into the day's totals; open ``minute``."""
        if self._open_minute >= 0:
            closed = self._open_bucket
            self._day_base = money.add(self._day_base, closed[0])
            self._day_quote = money.add(self._day_quote, closed[1])
            self._day_window.append(self._open_minute)
        minutes = self.minutes
        self._open_bucket = minutes[minute] = [_ZERO, _ZERO]
        self._open_minute = minute
        if len(minutes) > _MINUTES_KEPT:
            del minutes[next(iter(minutes))]
