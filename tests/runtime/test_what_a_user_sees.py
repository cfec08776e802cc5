"""What a person (or a machine) sees while ``fortuna run`` rehearses a mandate: the
simulated time on every line, fields in the order written, plain decimals, progress
against ``--duration``, per-tick chatter at debug and a planned stop at info."""

from __future__ import annotations

import io
import json
import logging
import os
import pty
import re
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import structlog

from fortuna._internal.logging import configure_logging, progress_for

MANDATE = """\
service: "@mm"
components:
  clock: {id: clock.virtual, args: {start: "2026-03-01T12:00:00Z"}}
  sim:
    id: exchanges.sim
    args:
      markets: [{symbol: BTC/USDT, price: 100, amount_increment: 0.001}]
      balances: {BTC: 10, USDT: 10000}
      seed: 7
      trade_rate: 2
  price: {id: prices.ticker, args: {exchange: "@sim", symbol: BTC/USDT, side: mid}}
  strategy:
    id: market_making.strategies.ladder
    args: {levels: 2, spread: 0.001, step: 0.001, amount: 0.1}
  executor: {id: market_making.executors.exchange}
  mm:
    id: market_making
    args: {exchange: "@sim", symbol: BTC/USDT, price: "@price", strategy: "@strategy",
           executor: "@executor", mandate: seen, interval: 1s, report_every: 5m}
"""


@pytest.fixture
def mandate(tmp_path: Path) -> Path:
    path = tmp_path / "seen.yaml"
    path.write_text(MANDATE)
    return path


def fortuna_run(mandate: Path, *flags: str) -> str:
    """``fortuna run`` as a user types it, with stderr not a terminal; its stderr."""
    result = subprocess.run(
        [sys.executable, "-m", "fortuna", "run", str(mandate), *flags],
        capture_output=True, text=True, cwd=mandate.parent, timeout=120,
        env=ENVIRONMENT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stderr


COLOURS = re.compile("\x1b\\[[0-9;]*m")
ENVIRONMENT = {k: v for k, v in os.environ.items() if not k.startswith("FORTUNA_LOG")}


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def test_every_line_of_a_simulated_run_carries_the_simulated_time(mandate: Path) -> None:
    lines = json_lines(fortuna_run(mandate, "--duration", "10m"))
    assert lines
    assert all("sim_time" in line for line in lines[:-1])  # all but the exit line
    assert lines[0]["sim_time"] == "2026-03-01T12:00:00Z"
    stopped = next(line for line in lines if line["event"] == "market making stopped")
    assert stopped["sim_time"] == "2026-03-01T12:10:00Z"


def test_the_event_and_the_simulated_time_come_first_then_the_fields_as_written(
        mandate: Path) -> None:
    lines = json_lines(fortuna_run(mandate, "--duration", "1m"))
    started = next(line for line in lines if line["event"] == "market making started")
    assert list(started) == ["event", "sim_time", "mandate", "symbol", "earlier_orders",
                             "on_start", "component", "level", "timestamp"]


def test_a_run_with_a_duration_reports_its_progress_every_tenth(mandate: Path) -> None:
    lines = json_lines(fortuna_run(mandate, "--duration", "20m"))
    progress = [line for line in lines if line["event"] == "progress"]
    assert [p["percent"] for p in progress][:9] == [10, 20, 30, 40, 50, 60, 70, 80, 90]
    assert progress[4]["elapsed"] == "0:10:00"
    assert progress[4]["duration"] == "0:20:00"
    assert progress[4]["sim_time"] == "2026-03-01T12:10:00Z"


def test_a_stop_at_the_end_of_the_duration_is_info(mandate: Path) -> None:
    lines = json_lines(fortuna_run(mandate, "--duration", "1m"))
    stop = next(line for line in lines if line["event"].startswith("stop requested"))
    assert stop["level"] == "info"
    assert not [line for line in lines if line["level"] in ("warning", "error")]


def test_every_tick_s_quote_update_is_debug(mandate: Path) -> None:
    at_info = json_lines(fortuna_run(mandate, "--duration", "1m"))
    at_debug = json_lines(fortuna_run(mandate, "--duration", "1m", "--log-level", "debug"))
    assert "quotes updated" not in {line["event"] for line in at_info}
    assert "quotes updated" in {line["event"] for line in at_debug}


def test_the_console_reads_plainly_with_the_simulated_time_after_the_event(
        mandate: Path) -> None:
    text = fortuna_run(mandate, "--duration", "6m", "--log-format", "console")
    status = next(line for line in text.splitlines() if " status " in line)
    assert "Decimal(" not in text
    after_event = status.split(" status ", 1)[1].split()
    assert after_event[0] == "sim_time=2026-03-01T12:00:00Z"
    assert after_event[1] == "reference=100.00"
    assert "bids=[99.90,99.80]" in status
    assert status.rstrip().endswith("component=mm")


def test_on_a_terminal_the_run_keeps_a_progress_bar_under_its_lines(mandate: Path) -> None:
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "fortuna", "run", str(mandate), "--duration", "10m"],
        stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, cwd=mandate.parent,
        env=ENVIRONMENT,
    )
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert process.wait(timeout=60) == 0
    text = COLOURS.sub("", output.decode())
    assert "[##############################] 100%  0:10:00 of 0:10:00 simulated" in text
    # what the terminal shows of each line once the bar is cleared; the run's summary
    # follows the last log line
    visible = [line.split("\r\x1b[K")[-1] for line in text.rstrip().split("\n")]
    assert any(f" stopped {' ' * 20}" in line for line in visible)
    assert "%" not in visible[-1]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal() -> Iterator[_Terminal]:
    stream = _Terminal()
    yield stream
    structlog.reset_defaults()
    logging.getLogger().handlers.clear()


def test_a_line_logged_under_the_bar_is_written_in_its_place_and_the_bar_redrawn(
        terminal: _Terminal) -> None:
    out = configure_logging("info", "console", stream=terminal)
    bar = progress_for(out, simulated=True)
    bar(1800, 3600)
    structlog.get_logger().info("fill", price=Decimal("0.5"))
    shown = "[###############---------------]  50%  0:30:00 of 1:00:00 simulated"
    text = COLOURS.sub("", terminal.getvalue())
    assert text.startswith(shown + "\r\x1b[K")
    assert text.endswith("\n" + shown)
    assert "price=0.5" in text


def test_the_bar_is_removed_when_the_run_ends(terminal: _Terminal) -> None:
    out = configure_logging("info", "console", stream=terminal)
    bar = progress_for(out, simulated=False)
    bar(30, 60)
    bar.close()
    assert terminal.getvalue().endswith("elapsed\r\x1b[K")


def test_a_line_on_the_wall_clock_has_no_simulated_time() -> None:
    stream = io.StringIO()
    configure_logging("info", "json", stream=stream)
    try:
        structlog.get_logger().info("quoted")
    finally:
        structlog.reset_defaults()
        logging.getLogger().handlers.clear()
    assert "sim_time" not in json.loads(stream.getvalue())
