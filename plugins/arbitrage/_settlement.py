"""The settlement of one arbitrage as a pure state machine: what its orders did, what to look
up or send next, and when it is over.

Why a machine of plain data: the recovery after a failed leg is where an arbitrage loses
money (an unwind sent on a guess doubles a position instead of flattening it), and it has
too many paths to test through venues. Here it does no I/O and knows no adapter: the
states, events and transitions below are frozen dataclasses and one ``apply`` function,
so tests drive every path exhaustively (tests/arbitrage/test_settlement.py runs hypothesis
rule-based machines over random event sequences). The service's desk
(:mod:`plugins.arbitrage._desk`) performs what :meth:`Settlement.actions` asks and feeds back
what happened; it holds the one exception policy that turns any failure into an event.

Phases (``Settlement.phase``)::

    LEGS ──legs known, equal────────────────────────────────────────────▶ SETTLED
      │ ──legs known, one unknown────────────────────────────────────────▶ HALTED_UNKNOWN
      └──legs known, unequal──▶ REBALANCING ──flat──────────────────────▶ SETTLED
                                   │ ──order unknown──────────────────────▶ HALTED_UNKNOWN
                                   │ ──refused under the minimum───────────▶ RESIDUAL
                                   └──attempts spent, or refused─────────▶ HALTED_IMBALANCE
    any non-terminal phase ──Interrupted──▶ HALTED_UNKNOWN (orders in flight) or
                                             HALTED_IMBALANCE (an imbalance left)

Orders (``Order.fate``): an order is ``IN_FLIGHT`` once sent. ``Traded`` makes it
``FILLED`` (its result is known, zero fill included). ``Raised`` makes it ``REFUSED`` when
the venue refused it (a permanent exchange error: by the ``QuoteAdapter`` contract nothing
was placed), and ``IN_DOUBT`` for every other failure: it may have taken effect. An order
in doubt is looked up by its client order id, up to ``attempts`` times: ``Found`` makes it
``FILLED``, ``Absent`` (the venue does not know the id) ``NOT_PLACED``; a failed lookup is
retried, and once the lookups are spent, or one says the order can never be looked up, it is
``UNKNOWN``.

Rules the tests check on every reachable state: nothing is rebalanced while an order is in
flight, in doubt or unknown (no trade on a guess); an unknown order always ends in
``HALTED_UNKNOWN``; ``SETTLED`` means bought equals sold exactly; at most ``attempts``
rebalancing orders and ``attempts`` lookups per order; terminal phases ask for nothing.
An event that does not fit the state raises :class:`SettlementError` and changes nothing.
"""


from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from plugins.arbitrage._settlement_data import (
    DUST_CODES,
    OPEN,
    TERMINAL,
    Absent,
    Action,
    Event,
    Fate,
    Found,
    Interrupted,
    LookUp,
    NotSent,
    Order,
    Phase,
    Policy,
    Raised,
    Rebalance,
    Role,
    Sending,
    SettlementError,
    Traded,
    Venue,
)
from schemas import Side, money

__all__ = ["Settlement"]


# -- the machine ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Settlement:
    """One arbitrage's orders and where their settlement stands. Immutable: :meth:`apply`
    returns the next state."""

    policy: Policy
    attempts: int
    orders: tuple[Order, ...]
    phase: Phase = Phase.LEGS
    attempt: int = 0
    """The rebalancing attempt in progress (0 before rebalancing)."""
    venue: Venue | None = None
    """Where rebalancing orders go, once rebalancing."""
    side: Side | None = None
    """Their side, once rebalancing."""
    stop: str | None = None
    """Why rebalancing stopped short (a refusal, an interruption), when it did."""

    @classmethod
    def start(cls, buy: Order, sell: Order, policy: Policy, attempts: int) -> Settlement:
        """Both legs, just sent."""
        if attempts < 1:
            raise SettlementError(f"attempts must be at least 1, got {attempts}")
        if (buy.role, buy.side, buy.venue) != (Role.BUY, Side.BUY, Venue.BUYER) or (
            sell.role, sell.side, sell.venue) != (Role.SELL, Side.SELL, Venue.SELLER):
            raise SettlementError("the legs are a buy on the buyer and a sell on the seller")
        if buy.client_order_id == sell.client_order_id:
            raise SettlementError("the legs need distinct client order ids")
        for leg in (buy, sell):
            if leg.fate is not Fate.IN_FLIGHT or leg.amount <= 0:
                raise SettlementError(f"{leg.role} leg: a positive amount, just sent")
        return cls(policy=Policy(policy), attempts=attempts, orders=(buy, sell))

    # -- reading ---------------------------------------------------------------------------

    @property
    def terminal(self) -> bool:
        return self.phase in TERMINAL

    def order(self, client_order_id: str) -> Order:
        for order in self.orders:
            if order.client_order_id == client_order_id:
                return order
        raise SettlementError(f"no order {client_order_id!r} in this settlement")

    @property
    def legs(self) -> tuple[Order, Order]:
        return self.orders[0], self.orders[1]

    @property
    def rebalancing_orders(self) -> tuple[Order, ...]:
        return self.orders[2:]

    def _base(self, side: Side, orders: tuple[Order, ...]) -> Decimal:
        return money.total(o.filled for o in orders if o.side is side and o.fate is Fate.FILLED)

    @property
    def bought(self) -> Decimal:
        """Base bought by every order whose fill is known."""
        return self._base(Side.BUY, self.orders)

    @property
    def sold(self) -> Decimal:
        return self._base(Side.SELL, self.orders)

    @property
    def imbalance(self) -> Decimal:
        """Base bought minus base sold, by every order whose fill is known."""
        return money.subtract(self.bought, self.sold)

    @property
    def legs_imbalance(self) -> Decimal:
        """Base bought minus sold by the two legs alone (the known fills)."""
        return money.subtract(self._base(Side.BUY, self.legs), self._base(Side.SELL, self.legs))

    @property
    def unknown(self) -> tuple[Order, ...]:
        return tuple(o for o in self.orders if o.fate is Fate.UNKNOWN)

    @property
    def exposure(self) -> tuple[Decimal, Decimal]:
        """The range the base position's change lies in: the known imbalance, minus what
        unknown sells may have sold, plus what unknown buys may have bought."""
        unknown = self.unknown
        low = money.subtract(self.imbalance, self._amounts(Side.SELL, unknown))
        high = money.add(self.imbalance, self._amounts(Side.BUY, unknown))
        return low, high

    @staticmethod
    def _amounts(side: Side, orders: tuple[Order, ...]) -> Decimal:
        return money.total(o.amount for o in orders if o.side is side)

    def actions(self) -> tuple[Action, ...]:
        """What the driver does next: lookups of the orders in doubt (concurrently), else
        the next rebalancing order; nothing while orders are in flight, or once terminal."""
        if self.terminal:
            return ()
        lookups = tuple(
            LookUp(o.client_order_id, o.lookups + 1) for o in self.orders if o.fate is Fate.IN_DOUBT
        )
        if lookups:
            return lookups
        if self.phase is Phase.REBALANCING and self._current() is None:
            venue, side = self.venue, self.side
            assert venue is not None, "set on entering REBALANCING"
            assert side is not None, "set on entering REBALANCING"
            return (Rebalance(self.attempt, venue, side, self.imbalance.copy_abs()),)
        return ()

    def _current(self) -> Order | None:
        """The order of the rebalancing attempt in progress, once sent."""
        for order in self.rebalancing_orders:
            if order.attempt == self.attempt:
                return order
        return None

    # -- transitions -----------------------------------------------------------------------

    def apply(self, event: Event) -> Settlement:
        """The state after ``event``; :class:`SettlementError` if it does not fit."""
        if isinstance(event, Interrupted):
            return self._interrupted(event.why)
        if self.terminal:
            raise SettlementError(f"settlement is over ({self.phase}): {event!r}")
        if isinstance(event, Sending):
            return self._sending(event.order)._advance()
        if isinstance(event, NotSent):
            return self._not_sent(event)
        order = self.order(event.client_order_id)
        if isinstance(event, Traded | Raised):
            if order.fate is not Fate.IN_FLIGHT:
                raise SettlementError(f"{order.client_order_id} is not in flight: {event!r}")
            if isinstance(event, Traded):
                order = self._filled(order, event.filled)
            elif event.refused:
                order = replace(order, fate=Fate.REFUSED, error=event.error)
            else:
                order = replace(order, fate=Fate.IN_DOUBT, error=event.error)
        else:
            if order.fate is not Fate.IN_DOUBT:
                raise SettlementError(f"{order.client_order_id} is not in doubt: {event!r}")
            if isinstance(event, Found):
                order = self._filled(order, event.filled)
            elif isinstance(event, Absent):
                order = replace(order, fate=Fate.NOT_PLACED)
            else:
                lookups = order.lookups + 1
                spent = event.final or lookups >= self.attempts
                order = replace(
                    order, lookups=lookups, doubt=event.error,
                    fate=Fate.UNKNOWN if spent else Fate.IN_DOUBT,
                )
        return self._with(order)._advance()

    @staticmethod
    def _filled(order: Order, filled: Decimal) -> Order:
        if not 0 <= filled <= order.amount:
            raise SettlementError(
                f"{order.client_order_id} filled {filled} of an order for {order.amount}"
            )
        return replace(order, fate=Fate.FILLED, filled=filled)

    def _with(self, order: Order) -> Settlement:
        orders = tuple(
            order if o.client_order_id == order.client_order_id else o for o in self.orders
        )
        return replace(self, orders=orders)

    def _sending(self, order: Order) -> Settlement:
        pending = self.actions()
        if not (len(pending) == 1 and isinstance(pending[0], Rebalance)):
            raise SettlementError(f"no rebalancing order is due: {order!r}")
        due = pending[0]
        if (order.role, order.attempt, order.venue, order.side, order.fate) != (
            Role.REBALANCE, due.attempt, due.venue, due.side, Fate.IN_FLIGHT
        ) or not 0 < order.amount <= due.amount:
            raise SettlementError(f"{order!r} is not the rebalancing order due ({due!r})")
        if any(o.client_order_id == order.client_order_id for o in self.orders):
            raise SettlementError(f"client order id {order.client_order_id!r} already used")
        return replace(self, orders=(*self.orders, order))

    def _not_sent(self, event: NotSent) -> Settlement:
        pending = self.actions()
        if not (len(pending) == 1 and isinstance(pending[0], Rebalance)
                and pending[0].attempt == event.attempt):
            raise SettlementError(f"no rebalancing attempt {event.attempt} is due: {event!r}")
        if event.code in DUST_CODES:
            return replace(self, phase=Phase.RESIDUAL, stop=event.error)
        if event.code is not None:
            return replace(self, phase=Phase.HALTED_IMBALANCE, stop=event.error)
        return self._next_attempt()

    def _next_attempt(self) -> Settlement:
        if self.attempt >= self.attempts:
            return replace(self, phase=Phase.HALTED_IMBALANCE)
        return replace(self, attempt=self.attempt + 1)

    def _advance(self) -> Settlement:
        """Move on once nothing is open: halt on an unknown order, else settle or rebalance."""
        if any(o.fate in OPEN for o in self.orders):
            return self
        if self.unknown:
            return replace(self, phase=Phase.HALTED_UNKNOWN)
        if self.phase is Phase.LEGS:
            imbalance = self.imbalance
            if imbalance == 0:
                return replace(self, phase=Phase.SETTLED)
            unwind = self.policy is Policy.UNWIND
            if imbalance > 0:  # bought more than sold: sell the excess
                venue, side = (Venue.BUYER if unwind else Venue.SELLER), Side.SELL
            else:  # sold more than bought: buy the shortfall
                venue, side = (Venue.SELLER if unwind else Venue.BUYER), Side.BUY
            return replace(self, phase=Phase.REBALANCING, attempt=1, venue=venue, side=side)
        if self._current() is None:
            return self  # the attempt's order is not sent yet
        if self.imbalance == 0:
            return replace(self, phase=Phase.SETTLED)
        return self._next_attempt()

    def _interrupted(self, why: str) -> Settlement:
        if self.terminal:
            return self
        orders = tuple(
            replace(o, fate=Fate.UNKNOWN, doubt=why) if o.fate in OPEN else o
            for o in self.orders
        )
        state = replace(self, orders=orders, stop=why)
        if state.unknown:
            return replace(state, phase=Phase.HALTED_UNKNOWN)
        if state.imbalance != 0:
            return replace(state, phase=Phase.HALTED_IMBALANCE)
        return replace(state, phase=Phase.SETTLED)
