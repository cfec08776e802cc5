"""The matching of one market of the simulated venue against recorded public trades.

Instead of random arrivals, each recorded trade arrives at its recorded time. A taker buy
at price ``p`` reaches the mandate's asks at ``p`` or below, a taker sell its bids at ``p``
or above, best price first, oldest first; each fills as maker at its own price, up to the
trade's amount. An order at exactly ``p`` fills: the queue ahead of it at that price is
not in the data, so the replay is optimistic there (docs/rehearsal.md). The recorded trade
is then printed on the venue's tape as it happened (its price and full amount), whatever
the mandate's orders took of it. Everything else (orders crossing the book on arrival, the
reference moving through a resting order) is the ordinary engine's.
"""

from __future__ import annotations

import math

from plugins.exchanges.sim._engine import MarketEngine
from plugins.exchanges.sim.recording import RecordedTrade
from schemas import Liquidity, Side, money

__all__ = ["ReplayEngine"]


class ReplayEngine(MarketEngine):
    """A market whose public trades are recorded ones."""

    _tape: list[RecordedTrade] = []
    _next = 0

    def load_tape(self, tape: list[RecordedTrade]) -> None:
        self._tape = tape
        self._next = 0
        self.next_arrival = tape[0][0] if tape else math.inf

    def _arrival(self, t: float) -> None:
        tape = self._tape
        _, taker, price, amount = tape[self._next]
        self._next += 1
        self.next_arrival = tape[self._next][0] if self._next < len(tape) else math.inf
        is_buy = taker is Side.BUY
        own = self.asks if is_buy else self.bids
        left = amount
        if own:
            market = self.market
            for ticks, orders in own.in_priority():
                level = self.price_of(ticks)
                if (level > price) if is_buy else (level < price):
                    break
                for order in orders:
                    take = min(left, order.remaining)
                    notional = money.multiply(take, level)
                    if self.account.fill(order, market, take, level, notional, Liquidity.MAKER,
                                         t):
                        own.remove(order)
                    left = money.subtract(left, take)
                    if not left:
                        break
                if not left:
                    break
        self._public_trade(taker, self.ticks_of(price), amount, t, price)
