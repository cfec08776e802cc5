"""``fortuna rehearse`` from the command line: the summary, the substitution it prints,
and a clear error with the documented exit code for every bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fortuna._internal.cli import main
from fortuna._internal.cli.exit_codes import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from tests.conftest import FortunaRunner
from tests.rehearsal.support import CONFIGS, REPO, demo_copy, write_trades

FORTUNA = [sys.executable, "-m", "fortuna"]


def _rehearse(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*FORTUNA, "rehearse", *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, check=False)


def test_the_json_summary_is_exact_and_reconciled(tmp_path: Path) -> None:
    done = _rehearse(tmp_path, str(demo_copy(tmp_path)), "--duration", "10m",
                     "--format", "json", "--log-level", "warning")
    assert done.returncode == EXIT_OK, done.stderr
    summary = json.loads(done.stdout)
    book = summary["books"][0]
    assert book["reconciliation"]["ok"] is True
    assert isinstance(book["pnl"]["total"], str)  # a decimal, every digit kept
    assert book["symbol"] == "BTC/USDT"
    assert summary["rehearsal"] is True
    assert summary["started_utc"] == "2026-01-01T00:00:00+00:00"
    assert summary["substitutions"][0] == "sim: exchanges.sim kept (already simulated)"


def test_the_substitution_is_printed_and_the_file_left_unchanged(tmp_path: Path) -> None:
    config = CONFIGS / "arbitrage" / "case_study.yaml"
    before = config.read_bytes()
    done = _rehearse(tmp_path, str(config), "--duration", "1m", "--log-level", "error",
                     "--price", "BTC/USDT=65000", "--price", "BTC/USDC=65000",
                     "--price", "USDC/USDT=1")
    assert done.returncode == EXIT_OK, done.stderr
    assert "binance: exchanges.ccxt.binance -> exchanges.sim" in done.stderr
    assert "+ clock: clock.virtual" in done.stderr
    assert config.read_bytes() == before


def test_fortuna_run_ends_with_the_summary(tmp_path: Path) -> None:
    done = subprocess.run([*FORTUNA, "run", str(demo_copy(tmp_path)), "--duration", "5m",
                           "--log-level", "warning"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == EXIT_OK, done.stderr
    assert "summary of" in done.stdout
    assert "reconciled" in done.stdout


def test_fortuna_run_gives_the_summary_as_json_too(tmp_path: Path) -> None:
    done = subprocess.run([*FORTUNA, "run", str(demo_copy(tmp_path)), "--duration", "5m",
                           "--log-level", "warning", "--format", "json"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == EXIT_OK, done.stderr
    summary = json.loads(done.stdout)
    assert summary["rehearsal"] is False
    assert summary["books"][0]["reconciliation"]["ok"] is True


def test_a_missing_data_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["rehearse", str(demo_copy(tmp_path)), "--data",
                 str(tmp_path / "absent.csv")])
    assert code == EXIT_USAGE
    assert "absent.csv: no such file or directory" in capsys.readouterr().err


def test_a_malformed_csv_row_is_a_usage_error_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "trades.csv"
    data.write_text("timestamp,symbol,side,price,amount\n1,BTC/USDT,buy,x,1\n",
                    encoding="utf-8")
    assert main(["rehearse", str(demo_copy(tmp_path)), "--data", str(data)]) == EXIT_USAGE
    assert "trades.csv:2: price: 'x' is not a decimal number" in capsys.readouterr().err


def test_an_unknown_column_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "trades.csv"
    data.write_text("timestamp,symbol,side,price,amount,venue_fee\n", encoding="utf-8")
    assert main(["rehearse", str(demo_copy(tmp_path)), "--data", str(data)]) == EXIT_USAGE
    assert "unknown column(s) venue_fee" in capsys.readouterr().err


def test_an_on_chain_mandate_is_refused_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["rehearse", str(CONFIGS / "evm" / "cex_dex.yaml")])
    assert code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "cannot be rehearsed" in err
    assert "exchanges.evm.uniswap_v2 trades or reads on a chain" in err


def test_a_live_venue_without_a_price_is_refused_with_what_to_give(
    capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["rehearse", str(CONFIGS / "arbitrage" / "case_study.yaml")])
    assert code == EXIT_USAGE
    assert "give --price BTC/USDT=PRICE or --data" in capsys.readouterr().err


def test_a_malformed_price_flag_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["rehearse", str(CONFIGS / "demo.yaml"), "--price", "65000"])
    assert code == EXIT_USAGE
    assert "--price '65000': write NAME=VALUE" in capsys.readouterr().err


def test_an_invalid_mandate_exits_1_with_its_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mandate = tmp_path / "bad.yaml"
    mandate.write_text("service: '@mm'\ncomponents:\n  mm:\n    id: market_makin\n",
                       encoding="utf-8")
    assert main(["rehearse", str(mandate)]) == EXIT_INVALID
    assert 'unknown component "market_makin"' in capsys.readouterr().err


def test_data_without_a_symbol_the_mandate_trades_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_trades(tmp_path / "trades.csv", seconds=10)
    code = main(["rehearse", str(REPO / "configs" / "arbitrage" / "case_study.yaml"),
                 "--data", str(data), "--price", "BTC/USDC=1"])
    assert code == EXIT_USAGE
    assert "BTC/USDC" in capsys.readouterr().err


def test_the_demos_command_writes_the_report_where_it_says(tmp_path: Path) -> None:
    done = _rehearse(tmp_path, str(demo_copy(tmp_path)), "--duration", "5m",
                     "--report", "fortuna-demo-report.html", "--log-level", "warning")
    assert done.returncode == EXIT_OK, done.stderr
    assert "report written to fortuna-demo-report.html" in done.stderr
    assert "summary of" in done.stdout
    assert (tmp_path / "fortuna-demo-report.html").read_text(encoding="utf-8").startswith(
        "<!DOCTYPE html>")


def test_a_report_that_cannot_be_written_is_a_usage_error(tmp_path: Path) -> None:
    done = _rehearse(tmp_path, str(demo_copy(tmp_path)), "--duration", "1m",
                     "--report", str(tmp_path / "absent" / "r.html"), "--log-level", "error")
    assert done.returncode == EXIT_USAGE
    assert "--report" in done.stderr
    assert "No such file or directory" in done.stderr


def test_a_mandate_with_no_venue_to_simulate_is_a_usage_error(
    fortuna_cli: FortunaRunner, tmp_path: Path
) -> None:
    mandate = tmp_path / "greeter.yaml"
    mandate.write_text(
        'service: "@greeter"\ncomponents:\n'
        '  words: {id: extra.words, args: {words: [hello]}}\n'
        '  greeter: {id: extra.greeter, args: {source: "@words", volume: 1}}\n',
        encoding="utf-8")
    result = fortuna_cli("rehearse", str(mandate))
    assert result.returncode == EXIT_USAGE, result.stderr
    assert "nothing to rehearse: no component is a venue" in result.stderr
    assert "Traceback" not in result.stderr
