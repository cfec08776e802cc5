"""One market of the simulated venue: its synthetic book, its trade arrivals, and the
matching of the mandate's orders against both.

The synthetic book at price step ``k`` is a pure function of the price path: the mid (the
path's price times ``1 + price_offset``, rounded half-even to the tick), a best bid and ask
``spread / 2`` either side (rounded outwards to the tick, at least one tick apart), and
``depth`` levels per side ``level_spacing`` apart (at least one tick), ``level_amount``
each. The mandate's own executions consume those levels until the next price step, when
the book is rebuilt in full (other traders replenish it); public trades do not.

The mandate's orders fill in three ways, always in price-time priority among its orders:
- on arrival, an order that crosses the synthetic book takes liquidity there (taker fills
  at the levels' prices, walking the book up to its limit);
- when the price moves through a resting order (the new synthetic best ask is at or below
  our bid, or the best bid at or above our ask), the order fills at its own price as maker,
  up to the synthetic liquidity on the far side at prices it accepts;
- synthetic public trades (Poisson arrivals, random side, exponential size) walk the book
  from its best price; at a price where synthetic liquidity rests too, the synthetic
  orders are ahead in the queue (they were there first); our orders they reach fill as
  maker at their own price.

Self-trade prevention: an incoming order that would match one of the mandate's own
resting orders is refused (``OrderRejected``, code ``self_trade``) with nothing executed,
like a venue's "expire taker" mode; a post-only order that would take is refused
(``post_only``). Time moves only through :meth:`MarketEngine.advance`, which replays every
price step and arrival up to ``now`` in order, so the outcome depends only on the seed and
on when the calls are made, never on how often the venue is polled.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Iterator
from decimal import Decimal

from plugins.exchanges.sim._account import Account
from plugins.exchanges.sim._book import OwnSide, SimOrder
from plugins.exchanges.sim._walk import PricePath, is_multiple
from schemas import (
    InsufficientFunds,
    Liquidity,
    Market,
    OrderRejected,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
    money,
)
from schemas.money import Rounding

__all__ = ["MarketEngine", "PublicTrade", "SyntheticParams"]

_ZERO = Decimal(0)
_ONE = Decimal(1)
_TWO = Decimal(2)
_THOUSAND = Decimal(1000)
_INF = math.inf
_MINUTES_KEPT = 144_000  # 100 days of per-minute public volume

PublicTrade = tuple[str, Side, Decimal, Decimal, float]
"""(id, taker side, price, amount, time) of a public trade."""


class SyntheticParams:
    """The venue-wide shape of the synthetic market."""

    __slots__ = ("depth", "half_spread", "level_spacing", "trade_rate")

    def __init__(self, *, spread: Decimal, depth: int, level_spacing: Decimal,
                 trade_rate: Decimal) -> None:
        self.half_spread = money.divide_exact(spread, _TWO)
        self.depth = depth
        self.level_spacing = level_spacing
        self.trade_rate = float(trade_rate)


class MarketEngine:
    """The synthetic market and the mandate's orders of one symbol."""

    def __init__(
        self,
        *,
        market: Market,
        path: PricePath,
        offset: Decimal,
        params: SyntheticParams,
        level_amount: Decimal,
        trade_amount: Decimal,
        seed: int,
        venue: str,
        account: Account,
        history: int,
    ) -> None:
        self.market = market
        self.symbol = market.symbol
        self.path = path
        self.tick = market.price_increment
        self.params = params
        self.level_amount = level_amount
        self.trade_amount = trade_amount
        self.account = account
        self.bids = OwnSide(bids=True)
        self.asks = OwnSide(bids=False)
        self.trades: deque[PublicTrade] = deque(maxlen=history)
        self._factor = money.add(_ONE, offset)
        self._same_units = offset == 0 and path.increment == self.tick
        fee_worst = max(market.maker_fee, market.taker_fee, _ZERO)
        self._buy_reserve_factor = money.add(_ONE, fee_worst)
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
        rng = random.Random(f"fortuna.sim:{seed}:{venue}:{market.symbol}:trades")
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
        return money.multiply(Decimal(ticks), self.tick)

    def ticks_of(self, price: Decimal) -> int:
        return int(money.divide(price, self.tick, _ONE, Rounding.DOWN))

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

    # --- time -------------------------------------------------------------------------------

    def advance(self, now: float) -> None:
        """Replay every price step and public trade up to ``now``, in time order."""
        path = self.path
        target = path.step_at(now)
        if target == self.step and self.next_arrival > now:
            return
        while True:
            arrival = self.next_arrival
            step = self.step
            next_step_at = path.time_of(step + 1) if step < target else _INF
            if arrival <= now and arrival < next_step_at:
                self._arrival(arrival)
                continue
            if step >= target:
                return
            if self.bids or self.asks:
                self._set_step(step + 1)
                self._cross(path.time_of(step + 1))
            else:
                jump = target if arrival > now else min(target, path.step_at(arrival))
                self._set_step(max(jump, step + 1))

    # --- the synthetic book -------------------------------------------------------------------

    def synthetic_levels(self, side: Side) -> list[tuple[int, Decimal]]:
        """(ticks, available amount) of the synthetic levels a taker of ``side`` meets."""
        return list(self._levels(side))

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
                        ) -> list[tuple[int, int, Decimal]]:
        """(level index, ticks, amount) a taker of ``side`` would get from the synthetic
        book, up to ``limit`` ticks (None: no limit), without consuming it."""
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
        return taken

    def _consume(self, side: Side, index: int, amount: Decimal) -> None:
        consumed = self.consumed_asks if side is Side.BUY else self.consumed_bids
        consumed[index] = money.add(consumed.get(index, _ZERO), amount)

    # --- the mandate's orders -------------------------------------------------------------------

    def admissible(self, request: OrderRequest) -> bool:
        """Whether ``request`` passes the market's rules exactly as sent: on the tick and
        the step, within the amount limits, over the minimum notional. A quick exact test
        for the common case; when it says no, ``Market.check_order`` decides and explains
        (it never accepts less than this does, see the property tests)."""
        market = self.market
        amount = request.amount
        if (
            not market.active
            or amount < market.min_amount
            or not is_multiple(amount, market.amount_increment)
            or (market.max_amount is not None and amount > market.max_amount)
        ):
            return False
        price = request.price
        if request.type is OrderType.LIMIT:
            if price is None or not is_multiple(price, self.tick):
                return False
        elif price is None:
            price = self.price_of(self.mid)
        else:
            return False  # a market order's reference price: let check_order value it
        minimum = market.min_notional
        return not minimum or money.multiply(amount, price) >= minimum

    def place(self, request: OrderRequest, now: float) -> SimOrder:
        """Accept ``request`` (already checked against the market) at ``now``: take what it
        crosses, rest the rest (GTC, post-only) or expire it (IOC, FOK, market)."""
        market = self.market
        account = self.account
        side = request.side
        is_buy = side is Side.BUY
        is_limit = request.type is OrderType.LIMIT
        amount = request.amount
        tif = request.time_in_force
        limit = self.ticks_of(request.price) if is_limit and request.price is not None else None
        takes = self._take_synthetic(side, limit, amount)
        reached = _ZERO
        for _, _, take in takes:
            reached = money.add(reached, take)
        # The worst price this order would reach: where it stops, or its limit when it rests.
        if reached == amount and takes:
            worst: int | None = takes[-1][1]
        else:
            worst = limit
        opposite = self.asks if is_buy else self.bids
        own = opposite.best()
        if own is not None and (
            worst is None or (own <= worst if is_buy else own >= worst)
        ):
            raise OrderRejected(
                f"{request.symbol}: the order would trade against the mandate's own resting "
                f"{'sell' if is_buy else 'buy'} at {self.price_of(own)} (self-trade prevention)",
                code="self_trade", request=request, venue=account.venue,
            )
        if request.post_only and takes:
            raise OrderRejected(
                f"{request.symbol}: post-only {side.value} at {request.price} would take "
                f"liquidity (best {'ask' if is_buy else 'bid'} {self.price_of(takes[0][1])})",
                code="post_only", request=request, venue=account.venue,
            )
        ledger = account.ledger
        if is_buy:
            if limit is not None:
                rate = money.multiply(request.price, self._buy_reserve_factor)  # type: ignore[arg-type]
                reserve = money.multiply(amount, rate)
            else:
                rate = _ZERO
                reserve = _ZERO
                cost = _ZERO
                for _, ticks, take in takes:
                    cost = money.add(cost, money.multiply(take, self.price_of(ticks)))
                cost = money.multiply(cost, money.add(_ONE, market.taker_fee))
                free = ledger.free.get(market.quote, _ZERO)
                if cost > free:
                    raise InsufficientFunds(
                        f"{market.quote}: a market buy of {amount} {market.base} costs about "
                        f"{cost}, have {free}", venue=account.venue,
                    )
            currency = market.quote
        else:
            rate = _ONE
            reserve = amount
            currency = market.base
        if reserve:
            ledger.reserve(currency, reserve)
        order = SimOrder(
            id=account.next_order_id(),
            symbol=market.symbol,
            side=side,
            type=request.type,
            price=request.price if is_limit else None,
            ticks=limit if limit is not None else 0,
            amount=amount,
            time_in_force=tif,
            post_only=request.post_only,
            client_order_id=request.client_order_id,
            fee_currency=account.fee_tokens.get(str(market.symbol), (market.quote,))[0],
            timestamp=now,
        )
        order.reserved = reserve
        order.reserve_currency = currency
        order.reserve_rate = rate
        account.open_order(order)
        if tif is TimeInForce.FOK and reached < amount:
            account.finish(order, OrderStatus.EXPIRED, now)
            return order
        consumed = self.consumed_asks if is_buy else self.consumed_bids
        for index, ticks, take in takes:
            consumed[index] = money.add(consumed.get(index, _ZERO), take)
            price = self.price_of(ticks)
            self._public_trade(side, ticks, take, now, price)
            if account.fill(order, market, take, price, Liquidity.TAKER, now):
                return order
        if is_limit and tif in (TimeInForce.GTC, TimeInForce.PO):
            (self.bids if is_buy else self.asks).add(order)
        else:
            account.finish(order, OrderStatus.EXPIRED, now)
        return order

    def cancel(self, order: SimOrder, now: float) -> None:
        """Take a resting order off the book and make it final (``canceled``)."""
        (self.bids if order.is_buy else self.asks).remove(order)
        self.account.finish(order, OrderStatus.CANCELED, now)

    # --- the market moving through resting orders --------------------------------------------

    def _cross(self, t: float) -> None:
        bids, asks = self.bids, self.asks
        best = bids.best()
        if best is not None and best >= self.ask0:
            self._fill_crossed(bids, Side.SELL, t)
        best = asks.best()
        if best is not None and best <= self.bid0:
            self._fill_crossed(asks, Side.BUY, t)

    def _fill_crossed(self, own: OwnSide, taker: Side, t: float) -> None:
        """Our orders on ``own`` fill as maker at their prices against the synthetic side a
        ``taker`` would take (our bids meet synthetic asks: the taker there is a seller)."""
        synthetic_side = taker.opposite  # the side whose synthetic levels we consume
        market = self.market
        for ticks, orders in own.in_priority():
            if (ticks < self.ask0) if own.bids else (ticks > self.bid0):
                return
            price = self.price_of(ticks)
            for order in orders:
                takes = self._take_synthetic(synthetic_side, ticks, order.remaining)
                if not takes:
                    return
                for index, _, take in takes:
                    self._consume(synthetic_side, index, take)
                    if self.account.fill(order, market, take, price, Liquidity.MAKER, t):
                        own.remove(order)
                    self._public_trade(taker, ticks, take, t)

    # --- public trades ------------------------------------------------------------------------

    def _arrival(self, t: float) -> None:
        rand = self._random
        taker = Side.BUY if rand() < 0.5 else Side.SELL
        size = self._trade_size()
        self.next_arrival = t + self._expovariate(self.params.trade_rate)
        own = self.asks if taker is Side.BUY else self.bids
        synthetic = self._levels(taker)
        level = next(synthetic, None)
        if not own:
            if level is not None:
                self._public_trade(taker, level[0], size, t)
            return
        is_buy = taker is Side.BUY
        market = self.market
        left = size
        for ticks, orders in own.in_priority():
            # Synthetic levels at this price or better go first.
            while level is not None and (level[0] <= ticks if is_buy else level[0] >= ticks):
                take = min(left, level[1])
                self._public_trade(taker, level[0], take, t)
                left = money.subtract(left, take)
                if not left:
                    return
                level = next(synthetic, None)
            price = self.price_of(ticks)
            for order in orders:
                take = min(left, order.remaining)
                if self.account.fill(order, market, take, price, Liquidity.MAKER, t):
                    own.remove(order)
                self._public_trade(taker, ticks, take, t)
                left = money.subtract(left, take)
                if not left:
                    return
        while level is not None and left:
            take = min(left, level[1])
            self._public_trade(taker, level[0], take, t)
            left = money.subtract(left, take)
            level = next(synthetic, None)

    def _trade_size(self) -> Decimal:
        # Exponential around the mean, in thousandths, rounded down to the step (one step at
        # least): exact from here on.
        thousandths = int(self._expovariate(1.0) * 1000) + 1
        step = self.market.amount_increment
        size = money.divide(money.multiply(self.trade_amount, Decimal(thousandths)),
                            _THOUSAND, step, Rounding.FLOOR)
        return size if size > 0 else step

    def _public_trade(self, taker: Side, ticks: int, amount: Decimal, t: float,
                      price: Decimal | None = None) -> None:
        self._trade_seq += 1
        if price is None:
            price = self.price_of(ticks)
        if t // 60 != self._open_minute:
            self._roll(int(t // 60))
        bucket = self._open_bucket
        bucket[0] = money.add(bucket[0], amount)
        bucket[1] = money.add(bucket[1], money.multiply(amount, price))
        self.trades.append((f"{self.symbol}-{self._trade_seq}", taker, price, amount, t))

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
