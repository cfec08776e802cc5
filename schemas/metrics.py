"""Metric records and the interfaces that produce and store them.

A *collector* (``metrics.*``) samples a venue (balances, spread, depth) or the fills an
executor reports, and hands typed records to one or more *sinks* (``sinks.*``), which store
them: PostgreSQL, SQLite or structured log lines.

Records are exact: every amount is a ``Decimal`` that fits the storage column
``NUMERIC(38, 18)`` (at most 20 integer digits and 18 decimal places). A value that does not
fit is refused when the record is built, never rounded silently on its way to the database;
a collector that computes a ratio quantizes it explicitly first (:func:`quantize_metric`).

Every record carries an ``id`` (a UUID) that is its idempotency key: a sink that retries a
batch after a lost connection inserts each id at most once. A fill's id is derived from
``(mandate, venue, symbol, fill_id)``, so a fill reported twice is still stored once.
"""

from __future__ import annotations

import abc
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from fortuna import ExactDecimal, Interface
from schemas import money
from schemas._orders import Fill
from schemas._values import Timestamp

__all__ = [
    "METRIC_INTEGER_DIGITS",
    "METRIC_PRECISION",
    "METRIC_SCALE",
    "BalanceRecord",
    "DepthRecord",
    "FillJournal",
    "FillPage",
    "FillRecord",
    "FillSource",
    "MetricDecimal",
    "MetricRecord",
    "Sink",
    "SinkFullError",
    "SpreadRecord",
    "fill_record_id",
    "quantize_metric",
    "ratio_metric",
]

METRIC_PRECISION = 38
"""Total digits of a stored amount: the columns are ``NUMERIC(38, 18)``."""
METRIC_SCALE = 18
"""Decimal places of a stored amount (enough for 18-decimal tokens such as ETH in wei)."""
METRIC_INTEGER_DIGITS = METRIC_PRECISION - METRIC_SCALE

_QUANTUM = Decimal(1).scaleb(-METRIC_SCALE)
_FILL_NAMESPACE = uuid5(NAMESPACE_URL, "https://fortuna/metrics/fills")


def _decimal_places(value: Decimal) -> int:
    """Decimal places that carry a digit (1.50 has 1), computed without any rounding."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite: ExactDecimal refused NaN and infinities
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing_zeros))


def _fits_column(value: Decimal) -> Decimal:
    if value.is_zero():
        return value
    if _decimal_places(value) > METRIC_SCALE:
        raise PydanticCustomError(
            "metric_scale",
            "{value} has more than {scale} decimal places and would be rounded by the database; "
            "quantize it explicitly (schemas.metrics.quantize_metric)",
            {"value": str(value), "scale": METRIC_SCALE},
        )
    if value.adjusted() >= METRIC_INTEGER_DIGITS:
        raise PydanticCustomError(
            "metric_range",
            "{value} has more than {digits} integer digits and does not fit NUMERIC({p}, {s})",
            {"value": str(value), "digits": METRIC_INTEGER_DIGITS, "p": METRIC_PRECISION,
             "s": METRIC_SCALE},
        )
    return value


MetricDecimal = Annotated[ExactDecimal, AfterValidator(_fits_column)]
"""An exact decimal that fits ``NUMERIC(38, 18)``: never a float, never rounded on storage."""


def quantize_metric(value: Decimal) -> Decimal:
    """Round a computed value to the stored scale (18 places), half to even.

    For derived values such as a spread in basis points, whose exact quotient has more digits
    than any column holds. Amounts read from a venue are stored as they are, never rounded.
    """
    return money.round_to(value, _QUANTUM, money.Rounding.HALF_EVEN)


def ratio_metric(dividend: Decimal, divisor: Decimal) -> Decimal:
    """``dividend / divisor`` rounded once, half to even, to the stored scale (18 places).

    For a derived ratio such as a spread in basis points: the exact quotient is rounded
    directly (:func:`schemas.money.divide`), never first to a context's precision.
    """
    return money.divide(dividend, divisor, _QUANTUM, money.Rounding.HALF_EVEN)


class MetricRecord(BaseModel):
    """One observation: which mandate, which venue, when; subclasses add the values."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ClassVar[str] = ""
    """The table (and log event) this kind of record goes to."""

    id: UUID = Field(default_factory=uuid4, description="idempotency key of the row")
    mandate: str = Field(min_length=1, description="the mandate that produced the record")
    venue: str = Field(min_length=1, description="the exchange (component name or venue id)")
    timestamp: Timestamp = Field(description="when the value was observed (UTC)")


class BalanceRecord(MetricRecord):
    """The balance of one currency on one venue."""

    kind: ClassVar[str] = "balances"

    currency: str = Field(min_length=1)
    free: MetricDecimal
    used: MetricDecimal
    total: MetricDecimal


class SpreadRecord(MetricRecord):
    """The top of one order book: best bid and ask, mid, spread absolute and in bps."""

    kind: ClassVar[str] = "spreads"

    symbol: str = Field(min_length=1)
    bid: MetricDecimal
    ask: MetricDecimal
    bid_amount: MetricDecimal
    ask_amount: MetricDecimal
    mid: MetricDecimal
    spread: MetricDecimal = Field(description="ask - bid, in quote currency")
    spread_bps: MetricDecimal = Field(description="(ask - bid) / mid in basis points")


class DepthRecord(MetricRecord):
    """Liquidity within a band around mid: base amount and quote notional per side."""

    kind: ClassVar[str] = "depth"

    symbol: str = Field(min_length=1)
    band_bps: MetricDecimal = Field(description="half-width of the band around mid, in bps")
    mid: MetricDecimal
    bid_amount: MetricDecimal = Field(description="base amount bid within the band")
    ask_amount: MetricDecimal = Field(description="base amount offered within the band")
    bid_notional: MetricDecimal = Field(description="sum of price * amount of those bids")
    ask_notional: MetricDecimal = Field(description="sum of price * amount of those asks")


def fill_record_id(mandate: str, venue: str, symbol: str, fill_id: str) -> UUID:
    """The idempotency key of a fill: the same fill always gets the same id."""
    return uuid5(_FILL_NAMESPACE, "\x1f".join((mandate, venue, symbol, fill_id)))


class FillRecord(MetricRecord):
    """One fill of one of the mandate's own orders; ``timestamp`` is when it happened."""

    kind: ClassVar[str] = "fills"

    symbol: str = Field(min_length=1)
    fill_id: str = Field(min_length=1, description="the venue's id of the trade")
    order_id: str | None = None
    client_order_id: str | None = None
    side: Literal["buy", "sell"]
    price: MetricDecimal
    amount: MetricDecimal
    fee: MetricDecimal | None = None
    fee_currency: str | None = None
    liquidity: Literal["maker", "taker"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _derive_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and "id" not in data:
            try:
                key = [str(data[k]) for k in ("mandate", "venue", "symbol", "fill_id")]
            except KeyError:
                return data  # the missing field is reported by validation
            return {**data, "id": fill_record_id(*key)}
        return data


class SinkFullError(RuntimeError):
    """A sink's buffer stayed full: ``refused`` records of this write were not taken.

    A write larger than the buffer is taken in parts, in order: the first ``accepted``
    records of the write were taken (they will be stored) before the buffer stayed full;
    the ``refused`` records after them were not, and are not stored unless written again.
    """

    def __init__(self, sink: str, refused: int, capacity: int, waited: float,
                 accepted: int = 0) -> None:
        self.sink = sink
        self.refused = refused
        self.accepted = accepted
        self.capacity = capacity
        self.waited = waited
        taken = (
            f"accepted the first {accepted} and refused the other {refused} of "
            f"{accepted + refused} record(s)" if accepted else f"refused {refused} record(s)"
        )
        super().__init__(
            f"sink {sink!r} {taken}: its buffer of {capacity} stayed full "
            f"for {waited:g}s (is the database reachable?)"
        )


class Sink(Interface, abc.ABC):
    """Stores metric records: a database table per record kind, or log lines.

    ``write`` accepts records into the sink and returns once they are buffered (not yet
    necessarily stored). When the sink's bounded buffer is full, ``write`` waits for room
    (backpressure) and, after the sink's ``full_timeout``, raises :class:`SinkFullError`
    naming how many records of the write it accepted before and how many it refused. A
    record is never dropped silently.
    """

    @abc.abstractmethod
    async def write(self, records: Sequence[MetricRecord]) -> None:
        """Accept records for storage (see the class doc for a full buffer)."""

    @abc.abstractmethod
    async def flush(self) -> None:
        """Return once every record accepted before the call is stored."""


@dataclass(frozen=True, slots=True)
class FillPage:
    """Fills numbered ``next_cursor - len(fills)`` up to ``next_cursor - 1``, in order.

    ``missed`` counts fills the source no longer held between the cursor asked for and the
    first fill returned (a bounded journal that overflowed); a collector reports them loudly.
    """

    fills: tuple[Fill, ...]
    next_cursor: int
    missed: int = 0


class FillSource(Interface, abc.ABC):
    """Reports the fills of a mandate's own orders to ``metrics.fills`` (pull, by cursor).

    The source numbers the fills it sees 0, 1, 2, ... in the order it saw them.
    ``fills_since(cursor)`` returns those numbered ``cursor`` and after (at most ``limit``)
    and the cursor to ask from next. The collector advances its cursor only once a sink has
    the fills, so a sink that was down is re-sent the same fills later; the stored row is
    keyed by the fill's id, so nothing is duplicated. An executor implements this by
    appending each fill it observes to a :class:`FillJournal` and serving from it.
    """

    @property
    @abc.abstractmethod
    def fill_venue(self) -> str:
        """The venue the fills happen on (usually the exchange component's name)."""

    @abc.abstractmethod
    async def fills_since(self, cursor: int, limit: int = 1000) -> FillPage:
        """The fills numbered ``cursor`` and after, at most ``limit`` of them."""


class FillJournal:
    """The fills a source has seen, numbered in order, keeping the most recent ``keep``.

    ``append`` every fill (duplicates by id are ignored); serve ``FillSource.fills_since``
    with :meth:`since`. Memory is bounded: beyond ``keep`` fills, the oldest are forgotten
    and a reader that had not read them yet is told how many it missed.
    """

    def __init__(self, keep: int = 100_000) -> None:
        if keep < 1:
            raise ValueError("a fill journal keeps at least one fill")
        self._fills: deque[Fill] = deque(maxlen=keep)
        self._seen: deque[str] = deque(maxlen=keep)
        self._seen_set: set[str] = set()
        self._next = 0

    def __len__(self) -> int:
        return len(self._fills)

    @property
    def next_cursor(self) -> int:
        """The number the next appended fill will get."""
        return self._next

    def append(self, fill: Fill) -> bool:
        """Record a fill; False if a fill with the same id and symbol was already recorded."""
        key = f"{fill.symbol}\x1f{fill.id}"
        if key in self._seen_set:
            return False
        if len(self._seen) == self._seen.maxlen:
            self._seen_set.discard(self._seen[0])
        self._seen.append(key)
        self._seen_set.add(key)
        self._fills.append(fill)
        self._next += 1
        return True

    def since(self, cursor: int, limit: int = 1000) -> FillPage:
        """The page :meth:`FillSource.fills_since` returns for ``cursor``."""
        if cursor < 0:
            raise ValueError(f"a fill cursor is never negative, got {cursor}")
        first = self._next - len(self._fills)
        start = max(cursor, first)
        if start >= self._next:
            return FillPage((), max(cursor, self._next))
        offset = start - first
        fills = tuple(self._fills[i] for i in range(offset, min(offset + limit, len(self._fills))))
        return FillPage(fills, start + len(fills), missed=start - cursor)
