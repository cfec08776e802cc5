"""SIGTERM to a real ``fortuna run`` mid-run: the working child is cancelled, the journal
says ``stopped`` with nothing in flight, the report says nothing rests, the exit is 0."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

MANDATE = """\
service: "@pegger"
components:
  sim:
    id: exchanges.sim
    args:
      markets: [{symbol: BTC/USDT, price: 100.00, amount_increment: 0.001}]
      balances: {USDT: 1000000, BTC: 0}
      trade_rate: 0.01
      volatility: 0.05
  journal:
    id: sinks.sqlite
    args: {path: journal.sqlite, flush_interval: 50ms}
  pegger:
    id: execution.pegger
    args:
      exchange: "@sim"
      symbol: BTC/USDT
      side: buy
      amount: 500
      interval: 100ms
      mandate: sigterm_test
      journal: "@journal"
"""


def test_sigterm_mid_run_leaves_no_child_resting(tmp_path: Path) -> None:
    (tmp_path / "mandate.yaml").write_text(MANDATE)
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    environment.pop("FORTUNA_DEBUG", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "fortuna", "run", "mandate.yaml"], cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment,
    )
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while not any("child order sent" in line for line in lines):
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            raise AssertionError(f"fortuna run exited early: {''.join(lines)}")
        lines.append(line)
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"no child order was sent: {''.join(lines)}")
    time.sleep(0.5)  # a few ticks with the child resting
    process.send_signal(signal.SIGTERM)
    rest, _ = process.communicate(timeout=60)
    output = "".join(lines) + rest
    assert process.returncode == 0, output
    reports = [json.loads(line) for line in output.splitlines()
               if line.startswith("{") and '"execution report"' in line]
    assert len(reports) == 1, output
    (report,) = reports
    assert report["resting_left"] == 0
    assert report["state"] == "stopped"
    assert report["children_cancelled"] >= 1
    with sqlite3.connect(tmp_path / "journal.sqlite") as db:
        state, pending = db.execute(
            "SELECT state, pending FROM fortuna_execution_progress "
            "ORDER BY sequence DESC LIMIT 1").fetchone()
    assert (state, pending) == ("stopped", None)
