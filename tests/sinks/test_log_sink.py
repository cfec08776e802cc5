"""sinks.log: one structured line per record, amounts as exact decimal strings."""

from __future__ import annotations

from decimal import Decimal

from fortuna import Context
from plugins.sinks.log import LogSink
from tests.sinks.records import LARGEST, balance, fill
from tests.sinks.support import LogRecorder


async def test_each_record_is_one_line_named_for_its_kind() -> None:
    log = LogRecorder()
    sink = LogSink(LogSink.Args(), Context(name="lines", log=log))
    await sink.load()
    await sink.write([balance(1), fill(2), fill(3)])
    await sink.unload()

    assert [(level, event) for level, event, _ in log.events] == [
        ("info", "metric.balances"), ("info", "metric.fills"), ("info", "metric.fills")
    ]


async def test_amounts_are_logged_as_exact_decimal_strings() -> None:
    log = LogRecorder()
    sink = LogSink(LogSink.Args(level="debug"), Context(name="lines", log=log))
    record = balance(1, free=LARGEST, used=Decimal("0.1"), total=Decimal("1E+19"))
    await sink.write([record])

    ((level, _, fields),) = log.events
    assert level == "debug"
    assert fields["free"] == "99999999999999999999.999999999999999999"
    assert fields["used"] == "0.1"
    assert Decimal(str(fields["total"])) == Decimal("1E+19")
    assert fields["record_id"] == str(record.id)
    assert fields["observed_at"] == record.timestamp.isoformat().replace("+00:00", "Z")
