"""An operator's mandate naming ccxt exchanges validates without importing ccxt."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

MANDATE = """\
components:
  binance:
    id: exchanges.ccxt.binance
    args:
      api_key: !env BINANCE_API_KEY
      secret: !env BINANCE_SECRET
      rate_limit: 100ms
      options: {recvWindow: 5000}
  mexc:
    id: exchanges.ccxt.mexc
    args: {sandbox: false}
  other:
    id: exchanges.ccxt.kucoin
"""


def run(code: str, tmp_path: Path, mandate: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "mandate.yaml"
    path.write_text(mandate)
    script = textwrap.dedent(code).replace("PATH", str(path))
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])


def test_mandate_with_ccxt_exchanges_validates_without_importing_ccxt(tmp_path: Path) -> None:
    result = run("""
        import sys
        from fortuna import validate
        report = validate("PATH")
        # a mandate needs a service; only the exchanges are under test here
        problems = [str(f) for f in report.findings if 'missing "service"' not in str(f)]
        print(problems)
        assert not problems
        assert "ccxt" not in sys.modules, "ccxt imported during validation"
    """, tmp_path, MANDATE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_misspelt_exchange_id_is_reported_with_a_suggestion(tmp_path: Path) -> None:
    result = run("""
        from fortuna import validate
        report = validate("PATH")
        print("\\n".join(str(f) for f in report.findings))
    """, tmp_path, "components:\n  ex:\n    id: exchanges.ccxt.binanse\n")
    assert "exchanges.ccxt.binance" in result.stdout, result.stdout + result.stderr


def test_unknown_arg_is_reported(tmp_path: Path) -> None:
    result = run("""
        from fortuna import validate
        report = validate("PATH")
        print("\\n".join(str(f) for f in report.findings))
    """, tmp_path, "components:\n  ex:\n    id: exchanges.ccxt.okx\n    args: {apikey: x}\n")
    assert "apikey" in result.stdout, result.stdout + result.stderr
