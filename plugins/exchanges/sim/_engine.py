"""One market of the simulated venue: the matching of the mandate's orders against the
synthetic market (:mod:`plugins.exchanges.sim._synthetic`: its book, price path and public
trades) and the time that moves both.

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

Why a subclass of :class:`~plugins.exchanges.sim._synthetic.SyntheticMarket` rather than a
holder of one: the hot paths (placing, crossing, arrivals) read the book's state as plain
attributes of one object, exactly as before the split, so the split costs no indirection.
"""

from __future__ import annotations

import math
from decimal import Decimal

from plugins.exchanges.sim._account import Account
from plugins.exchanges.sim._book import OwnSide, SimOrder
from plugins.exchanges.sim._synthetic import (
    MarketSetup,
    PublicTrade,
    SyntheticMarket,
    SyntheticParams,
)
from schemas import (
    InsufficientFunds,
    Liquidity,
    OrderRejected,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
    money,
)

__all__ = ["MarketEngine", "MarketSetup", "PublicTrade", "SyntheticParams"]

_ZERO = Decimal(0)
_ONE = Decimal(1)
_INF = math.inf


class MarketEngine(SyntheticMarket):
    """The synthetic market and the mandate's orders of one symbol."""

    def __init__(self, setup: MarketSetup, account: Account, queue_ahead: Decimal = _ONE
                 ) -> None:
        super().__init__(setup)
        market = setup.market
        self.account = account
        self.queue_ahead = queue_ahead
        self.bids = OwnSide(bids=True)
        self.asks = OwnSide(bids=False)
        fee_worst = max(market.maker_fee, market.taker_fee, _ZERO)
        self._buy_reserve_factor = money.add(_ONE, fee_worst)
        self._fee_currency = account.fee_tokens.get(str(market.symbol), (market.quote,))[0]
        # The market's rules as plain attributes (read on every order; the model is frozen).
        self._active = market.active
        self._min_amount = market.min_amount
        self._max_amount = market.max_amount
        self._step = market.amount_increment
        self._min_notional = market.min_notional

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

    # --- the mandate's orders -------------------------------------------------------------------

    def admissible(self, request: OrderRequest) -> bool:
        """Whether ``request`` passes the market's rules exactly as sent: on the tick and
        the step, within the amount limits, over the minimum notional. A quick exact test
        for the common case; when it says no, ``Market.check_order`` decides and explains
        (it never accepts less than this does, see the property tests)."""
        amount = request.amount
        most = self._max_amount
        if (
            amount < self._min_amount
            or (most is not None and amount > most)
            or not self._active
            or not money.is_multiple(amount, self._step)
        ):
            return False
        price = request.price
        if request.type is OrderType.LIMIT:
            if price is None or not self.on_tick(price):
                return False
        elif price is None:
            price = self.price_of(self.mid)
        else:
            return False  # a market order's reference price: let check_order value it
        minimum = self._min_notional
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
        takes, unreached = self._take_synthetic(side, limit, amount)
        # The worst price this order would reach: where it stops, or its limit when it rests.
        if not unreached and takes:
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
            fee_currency=self._fee_currency,
            timestamp=now,
        )
        order.reserved = reserve
        order.reserve_currency = currency
        order.reserve_rate = rate
        account.open_order(order)
        if tif is TimeInForce.FOK and unreached:
            account.finish(order, OrderStatus.EXPIRED, now)
            return order
        consumed = self.consumed_asks if is_buy else self.consumed_bids
        for index, ticks, take in takes:
            consumed[index] = money.add(consumed.get(index, _ZERO), take)
            if self._execute(order, side, ticks, take, Liquidity.TAKER, now):
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

    def _execute(self, order: SimOrder, taker: Side, ticks: int, amount: Decimal,
                 liquidity: Liquidity, t: float) -> bool:
        """A fill of ``amount`` of ``order`` at ``ticks`` and the public trade it prints (the
        trade's value and the fill's notional are one product); True when the order is done."""
        price = self.price_of(ticks)
        notional = money.multiply(amount, price)
        self._public_trade(taker, ticks, amount, t, price, notional)
        return self.account.fill(order, self.market, amount, price, notional, liquidity, t)

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
        for ticks, orders in own.in_priority():
            if (ticks < self.ask0) if own.bids else (ticks > self.bid0):
                return
            for order in orders:
                takes, _ = self._take_synthetic(synthetic_side, ticks, order.remaining)
                if not takes:
                    return
                for index, _, take in takes:
                    self._consume(synthetic_side, index, take)
                    if self._execute(order, taker, ticks, take, Liquidity.MAKER, t):
                        own.remove(order)

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
        left = size
        queue_ahead = self.queue_ahead
        for ticks, orders in own.in_priority():
            # Synthetic levels at a better price go first; at this price, the share of the
            # level that queues ahead of our orders (all of it by default).
            while level is not None and (level[0] <= ticks if is_buy else level[0] >= ticks):
                if level[0] == ticks and queue_ahead != _ONE:
                    ahead = money.multiply(level[1], queue_ahead)
                    if ahead:
                        take = min(left, ahead)
                        self._public_trade(taker, level[0], take, t)
                        left = money.subtract(left, take)
                        if not left:
                            return
                    level = (ticks, money.subtract(level[1], ahead))  # behind our orders
                    break
                take = min(left, level[1])
                self._public_trade(taker, level[0], take, t)
                left = money.subtract(left, take)
                if not left:
                    return
                level = next(synthetic, None)
            for order in orders:
                take = min(left, order.remaining)
                if self._execute(order, taker, ticks, take, Liquidity.MAKER, t):
                    own.remove(order)
                left = money.subtract(left, take)
                if not left:
                    return
        while level is not None and left:
            take = min(left, level[1])
            self._public_trade(taker, level[0], take, t)
            left = money.subtract(left, take)
            level = next(synthetic, None)
