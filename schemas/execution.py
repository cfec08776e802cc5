"""Execution contracts: the journal of a parent order, and the sinks that can read it back.

An execution service (``execution.twap``, ``.pov``, ``.pegger``, and the on-chain
``execution.swap_twap``, ``.swap_pov``) works one parent order through child orders (or
swaps). After every change of its progress it writes a :class:`ProgressRecord` to a
:class:`ProgressStore` (a SQL sink) and flushes it, *before* it sends the next child order
(write-ahead: the record names the child about to be sent as ``pending``; a swap by its
transaction hash, written between signing and broadcasting). A restarted mandate reads
the latest record back, looks the pending child up on the venue by its client order id
(a swap by its hash), and resumes the remaining amount.

Every amount is exact (``NUMERIC(38, 18)``); a record's id is derived from
``(mandate, venue, symbol, sequence)``, so writing the same record twice stores one row.
"""

from __future__ import annotations

import abc
from typing import Any, ClassVar, Literal
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field, model_validator

from schemas._values import Timestamp
from schemas.metrics import MetricDecimal, MetricRecord, Sink

__all__ = ["ParentState", "ProgressRecord", "ProgressStore", "progress_record_id"]

_NAMESPACE = uuid5(NAMESPACE_URL, "https://fortuna/execution")

ParentState = Literal["working", "stopped", "done", "expired"]
"""``working`` (a run is on it), ``stopped`` (a run stopped before the end: a restart
resumes), ``done`` (the whole amount filled) or ``expired`` (the window ended first)."""


def progress_record_id(mandate: str, venue: str, symbol: str, sequence: int) -> UUID:
    """The idempotency key of one journal entry."""
    return uuid5(_NAMESPACE, "\x1f".join((mandate, venue, symbol, str(sequence))))


class ProgressRecord(MetricRecord):
    """Where one parent order stands: what filled at what cost, and what is in flight."""

    kind: ClassVar[str] = "execution_progress"

    symbol: str = Field(min_length=1, description="the market")
    algorithm: str = Field(min_length=1, description="twap, pov or pegger")
    side: Literal["buy", "sell"]
    sequence: int = Field(ge=0, description="increases with every entry of the parent order")
    state: ParentState
    started: Timestamp = Field(description="when the parent order started (its window too)")
    total: MetricDecimal = Field(description="the parent amount, in base")
    filled: MetricDecimal = Field(description="base filled by final child orders")
    cost: MetricDecimal = Field(description="quote value of those fills")
    fees: MetricDecimal = Field(description="fees of those child orders")
    fee_currency: str | None = None
    arrival: MetricDecimal | None = Field(default=None, description="mid when it started")
    market_volume: MetricDecimal = Field(description="public base volume since the start")
    market_cost: MetricDecimal = Field(description="quote value of that volume")
    trades_position: Timestamp | None = Field(
        default=None, description="public trades are counted up to here"
    )
    children: int = Field(ge=0, description="child orders numbered so far")
    sent: int = Field(ge=0)
    refused: int = Field(ge=0)
    cancelled: int = Field(ge=0)
    pending: str | None = Field(
        default=None, description="client order id of the child in flight (on-chain: the "
        "swap's transaction hash), if any"
    )
    pending_until: Timestamp | None = Field(
        default=None, description="on-chain: the pending swap's deadline; the chain refuses "
        "it after this time"
    )
    trades_block: int | None = Field(
        default=None, ge=0, description="on-chain: the pool's swaps are counted up to this "
        "block (inclusive)"
    )
    gas: MetricDecimal | None = Field(
        default=None, description="on-chain: native coin paid for gas (inside fees, valued "
        "in quote)"
    )

    @model_validator(mode="before")
    @classmethod
    def _derive_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and "id" not in data:
            try:
                key = (str(data["mandate"]), str(data["venue"]), str(data["symbol"]),
                       int(data["sequence"]))
            except (KeyError, TypeError, ValueError):
                return data  # validation reports the missing or bad field
            return {**data, "id": progress_record_id(*key)}
        return data


class ProgressStore(Sink, abc.ABC):
    """A sink that can read back the latest journal entry of a parent order."""

    @abc.abstractmethod
    async def read_progress(self, mandate: str, venue: str, symbol: str) -> ProgressRecord | None:
        """The stored entry with the highest sequence, or None if there is none."""
