"""The plain data of an arbitrage's settlement: its phases, its orders and their fates, the
events its driver reports and the actions it asks for. Frozen dataclasses and enums only;
the transitions are in :mod:`plugins.arbitrage._settlement`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from schemas import Side

__all__ = [
    "DUST_CODES",
    "OPEN",
    "TERMINAL",
    "Absent",
    "Action",
    "Event",
    "Fate",
    "Found",
    "Interrupted",
    "LookUp",
    "LookupFailed",
    "NotSent",
    "Order",
    "Phase",
    "Policy",
    "Raised",
    "Rebalance",
    "Role",
    "Sending",
    "SettlementError",
    "Traded",
    "Venue",
]

_ZERO = Decimal(0)

DUST_CODES = frozenset({"amount_zero", "min_amount", "min_notional"})
"""``OrderRejected`` codes that mean the imbalance is under what the venue trades: a residual."""


class SettlementError(ValueError):
    """An event that does not fit the settlement's state (a bug in its driver)."""


class Phase(StrEnum):
    LEGS = "legs"
    """Both legs sent; waiting for what they did."""
    REBALANCING = "rebalancing"
    """The legs filled different amounts; the policy's orders restore a flat base."""
    SETTLED = "settled"
    """Base bought equals base sold."""
    RESIDUAL = "residual"
    """An imbalance under the venue's minimum order is left, and accepted."""
    HALTED_IMBALANCE = "halted_imbalance"
    """An imbalance the policy could not trade away: trading halts."""
    HALTED_UNKNOWN = "halted_unknown"
    """An order's outcome could not be found out: trading halts, nothing guessed."""


TERMINAL = frozenset({Phase.SETTLED, Phase.RESIDUAL, Phase.HALTED_IMBALANCE, Phase.HALTED_UNKNOWN})


class Policy(StrEnum):
    UNWIND = "unwind"
    """Reverse the excess on the venue where it traded."""
    HEDGE = "hedge"
    """Complete the missing quantity on the other venue."""


class Venue(StrEnum):
    """Which of the direction's two venues an order goes to."""

    BUYER = "buyer"
    SELLER = "seller"


class Role(StrEnum):
    BUY = "buy"
    SELL = "sell"
    REBALANCE = "rebalance"


class Fate(StrEnum):
    IN_FLIGHT = "in_flight"
    FILLED = "filled"
    REFUSED = "refused"
    IN_DOUBT = "in_doubt"
    NOT_PLACED = "not_placed"
    UNKNOWN = "unknown"


OPEN = frozenset({Fate.IN_FLIGHT, Fate.IN_DOUBT})


@dataclass(frozen=True, slots=True)
class Order:
    """An order the settlement sent (a leg or a rebalancing order) and what is known of it."""

    client_order_id: str
    role: Role
    venue: Venue
    side: Side
    amount: Decimal
    limit_price: Decimal | None
    attempt: int = 0
    """The rebalancing attempt it belongs to (0 for a leg)."""
    fate: Fate = Fate.IN_FLIGHT
    filled: Decimal = _ZERO
    lookups: int = 0
    """Lookups that failed so far."""
    error: str | None = None
    """What sending it raised, if anything."""
    doubt: str | None = None
    """Why its outcome is unknown (the last failed lookup, or the interruption)."""


# -- events --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sending:
    """A rebalancing order is about to be sent (the answer to :class:`Rebalance`)."""

    order: Order


@dataclass(frozen=True, slots=True)
class NotSent:
    """The rebalancing attempt ended before an order was sent; ``code`` is the
    ``OrderRejected`` code when the market's rules refused it, else None (quoting or checking
    failed)."""

    attempt: int
    error: str
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Traded:
    """The order returned its result."""

    client_order_id: str
    filled: Decimal


@dataclass(frozen=True, slots=True)
class Raised:
    """Sending the order raised; ``refused`` when the venue refused it (nothing placed)."""

    client_order_id: str
    error: str
    refused: bool


@dataclass(frozen=True, slots=True)
class Found:
    """Looking the order up found it, with its final fill."""

    client_order_id: str
    filled: Decimal


@dataclass(frozen=True, slots=True)
class Absent:
    """Looking the order up: the venue does not know its client order id (not placed)."""

    client_order_id: str


@dataclass(frozen=True, slots=True)
class LookupFailed:
    """Looking the order up failed; ``final`` when it never can succeed."""

    client_order_id: str
    error: str
    final: bool


@dataclass(frozen=True, slots=True)
class Interrupted:
    """The service is being stopped in the middle: what is open stays unknown."""

    why: str


Event = Sending | NotSent | Traded | Raised | Found | Absent | LookupFailed | Interrupted


# -- actions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LookUp:
    """Look the order up by its client order id (after a pause when ``attempt > 1``)."""

    client_order_id: str
    attempt: int


@dataclass(frozen=True, slots=True)
class Rebalance:
    """Quote, check and send ``side`` ``amount`` on ``venue`` (then :class:`Sending`, or
    :class:`NotSent`)."""

    attempt: int
    venue: Venue
    side: Side
    amount: Decimal


Action = LookUp | Rebalance
