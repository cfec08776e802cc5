"""The case study's arbitrage mandate: ``configs/arbitrage/case_study.yaml`` is it, verbatim,
and it validates unchanged (it needs ``exchanges.ccxt.binance`` and ``exchanges.ccxt.mexc``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from fortuna._internal.loader import load_file
from tests.conftest import FortunaRunner

REPO = Path(__file__).resolve().parents[2]
CASE_STUDY = REPO / "configs" / "arbitrage" / "case_study.yaml"

# The mandate exactly as the case study prints it ("a cross-exchange arbitrage bot,
# described as data"), key for key and value for value.
AS_PUBLISHED = {
    "service": "@arbitrage",
    "vars": {"profit_threshold": Decimal("0.0015"), "trade_amount": Decimal("0.05")},
    "components": {
        "binance": {"id": "exchanges.ccxt.binance"},
        "mexc": {"id": "exchanges.ccxt.mexc"},
        "exchange_a_adapter": {
            "id": "arbitrage.adapters.cex",
            "args": {"exchange": "@binance", "symbol": "BTC/USDT"},
        },
        "exchange_b_adapter": {
            "id": "arbitrage.adapters.cex",
            "args": {"exchange": "@mexc", "symbol": "BTC/USDC"},
        },
        "converter": {"id": "arbitrage.converters.simple", "args": {"exchange": "@binance"}},
        "arbitrage": {
            "id": "arbitrage",
            "args": {
                "exchange_a": "@exchange_a_adapter",
                "exchange_b": "@exchange_b_adapter",
                "converter": "@converter",
                "threshold": "@profit_threshold",
                "trade_amount": "@trade_amount",
            },
        },
    },
}


def test_case_study_config_is_the_published_mandate() -> None:
    assert load_file(str(CASE_STUDY)).data == AS_PUBLISHED


def test_case_study_config_keeps_the_decimal_tags() -> None:
    text = CASE_STUDY.read_text()
    assert 'profit_threshold: !decimal "0.0015"' in text
    assert 'trade_amount: !decimal "0.05"' in text


def test_case_study_mandate_validates_unchanged(fortuna_cli: FortunaRunner) -> None:
    result = fortuna_cli("validate", str(CASE_STUDY))
    assert result.returncode == 0, result.stdout + result.stderr
