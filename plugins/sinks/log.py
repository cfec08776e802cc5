"""``sinks.log``: metric records as structured log lines, amounts as exact decimal strings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from fortuna import Component, ComponentArgs
from schemas.metrics import MetricRecord, Sink

__all__ = ["LogSink", "LogSinkArgs"]


class LogSinkArgs(ComponentArgs):
    level: Literal["debug", "info", "warning"] = Field(
        "info", description="log level of the metric lines"
    )
    event_prefix: str = Field(
        "metric.", description="event name prefix; the record kind follows (metric.spreads)"
    )


class LogSink(Component[LogSinkArgs], Sink):
    """Writes metric records as structured log lines (one per record), amounts exact."""

    async def write(self, records: Sequence[MetricRecord]) -> None:
        emit = getattr(self.log, self.args.level)
        for record in records:
            # JSON mode renders a Decimal as its exact string, never as a float.
            fields = record.model_dump(mode="json")
            # Renamed so that a log processor's own "timestamp" cannot overwrite them.
            fields["record_id"] = fields.pop("id")
            fields["observed_at"] = fields.pop("timestamp")
            emit(self.args.event_prefix + record.kind, **fields)

    async def flush(self) -> None:
        """Nothing is buffered: every line is emitted by ``write``."""
