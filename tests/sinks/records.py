"""Metric records for the sink tests: one of each kind, with exact values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from schemas.metrics import BalanceRecord, DepthRecord, FillRecord, MetricRecord, SpreadRecord

T0 = datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)

LARGEST = Decimal("99999999999999999999.999999999999999999")  # NUMERIC(38, 18) at its widest
SMALLEST = Decimal("0.000000000000000001")


def balance(i: int = 0, **values: object) -> BalanceRecord:
    fields: dict[str, object] = {
        "mandate": "mm-test", "venue": "sim", "timestamp": T0 + timedelta(seconds=i),
        "currency": "BTC", "free": Decimal(i) + Decimal("0.123456789012345678"),
        "used": Decimal("0.5"), "total": Decimal(i) + Decimal("0.623456789012345678"),
    }
    return BalanceRecord.model_validate({**fields, **values})


def spread(i: int = 0, **values: object) -> SpreadRecord:
    fields: dict[str, object] = {
        "mandate": "mm-test", "venue": "sim", "timestamp": T0 + timedelta(seconds=i),
        "symbol": "BTC/USDT", "bid": Decimal("65000.1"), "ask": Decimal("65000.3"),
        "bid_amount": Decimal("1.5"), "ask_amount": Decimal("0.25"), "mid": Decimal("65000.2"),
        "spread": Decimal("0.2"), "spread_bps": Decimal("0.030769137633422666"),
    }
    return SpreadRecord.model_validate({**fields, **values})


def depth(i: int = 0, **values: object) -> DepthRecord:
    fields: dict[str, object] = {
        "mandate": "mm-test", "venue": "sim", "timestamp": T0 + timedelta(seconds=i),
        "symbol": "BTC/USDT", "band_bps": Decimal(50), "mid": Decimal("65000.2"),
        "bid_amount": Decimal("3.25"), "ask_amount": Decimal("2"),
        "bid_notional": Decimal("211250.325"), "ask_notional": Decimal("130000.6"),
    }
    return DepthRecord.model_validate({**fields, **values})


def fill(i: int = 0, **values: object) -> FillRecord:
    fields: dict[str, object] = {
        "mandate": "mm-test", "venue": "sim", "timestamp": T0 + timedelta(seconds=i),
        "symbol": "BTC/USDT", "fill_id": f"t{i}", "order_id": f"o{i}", "side": "buy",
        "price": Decimal("65000.1"), "amount": Decimal("0.001"), "fee": Decimal("-0.0000065"),
        "fee_currency": "USDT", "liquidity": "maker",
    }
    return FillRecord.model_validate({**fields, **values})


def one_of_each(i: int = 0) -> list[MetricRecord]:
    return [balance(i), spread(i), depth(i), fill(i)]
