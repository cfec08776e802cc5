"""A small market-making mandate on the sim, sound as written; each test plants one mistake."""

from __future__ import annotations

from pathlib import Path

from fortuna import Finding, Report, validate

BASE = """\
service: "@mm"
vars:
  symbol: BTC/USDT
components:
  clock:
    id: clock.virtual
  sim:
    id: exchanges.sim
    args:
      markets:
        - symbol: BTC/USDT
          price: 65000
          min_amount: 0.001
          min_notional: 5
      balances: {USDT: 100000, BTC: 2}
  reference:
    id: prices.ticker
    args: {exchange: "@sim", symbol: "@symbol", side: mid}
  strategy:
    id: market_making.strategies.ladder
    args: {levels: 3, spread: 0.001, step: 0.001, amount: 0.01, amount_step: 0.01}
  executor:
    id: market_making.executors.exchange
  risk:
    id: market_making.risk
    args: {max_amount: 0.05, max_notional: 5000}
  stale:
    id: kill_switches.stale_data
    args: {price: "@reference", max_age: 30s}
  inventory:
    id: kill_switches.inventory
    args: {exchange: "@sim", symbol: "@symbol", base_min: 0.5}
  mm:
    id: market_making
    args:
      mandate: checks
      exchange: "@sim"
      symbol: "@symbol"
      price: "@reference"
      strategy: "@strategy"
      executor: "@executor"
      risk: "@risk"
      kill_switches: ["@stale", "@inventory"]
      interval: 1s
"""


def planted(text: str, *replacements: tuple[str, str]) -> str:
    """``text`` with each (old, new) replacement made once (each must apply)."""
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def check(tmp_path: Path, text: str) -> Report:
    path = tmp_path / "mandate.yaml"
    path.write_text(text, encoding="utf-8")
    return validate(path)


def only(report: Report) -> Finding:
    """The single finding of ``report``."""
    assert len(report.findings) == 1, [str(f) for f in report.findings]
    return report.findings[0]


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based line of the ``nth`` line containing ``needle``."""
    seen = 0
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == nth:
                return number
    raise AssertionError(needle)
