"""Real ``fortuna run`` processes for the operations tests, and the mandate they run.

A :class:`Runner` is the ``fortuna`` console script in a child process, logging JSON to a
file the test reads back event by event; it is always ended (SIGKILL if need be) when the
test ends. :func:`quoting_mandate` writes a mandate that quotes both sides on the simulated
venue, on the wall clock, every 100 ms, with a manual-halt kill switch the test can trip by
creating a file.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

FORTUNA = str(Path(sys.executable).with_name("fortuna"))
Event = dict[str, Any]


def quoting_mandate(folder: Path, name: str = "desk", *, halt_files: int = 1,
                    interval: str = "100ms") -> Path:
    """A mandate file quoting BTC/USDT on ``exchanges.sim``; trip it with ``halt_path``."""
    switches = "\n".join(
        f"  halt{i}:\n    id: kill_switches.manual_halt\n    args: {{path: {folder / f'HALT{i}'}}}"
        for i in range(halt_files))
    refs = ", ".join(f'"@halt{i}"' for i in range(halt_files))
    path = folder / f"{name}.yaml"
    path.write_text(f"""\
service: "@mm"
components:
  sim:
    id: exchanges.sim
    args:
      markets: [{{symbol: BTC/USDT, price: 65000, price_increment: 0.01,
                 amount_increment: 0.0001}}]
      balances: {{USDT: 100000, BTC: 1.5}}
  reference:
    id: prices.ticker
    args: {{exchange: "@sim", symbol: BTC/USDT}}
  ladder:
    id: market_making.strategies.ladder
    args: {{levels: 2, spread: 0.001, step: 0.0005, amount: 0.01}}
  executor:
    id: market_making.executors.exchange
{switches}
  mm:
    id: market_making
    args:
      mandate: {name}
      exchange: "@sim"
      symbol: BTC/USDT
      price: "@reference"
      strategy: "@ladder"
      executor: "@executor"
      kill_switches: [{refs}]
      interval: {interval}
      report_every: {interval}
""")
    return path


def halt_path(mandate: Path, index: int = 0) -> Path:
    return mandate.parent / f"HALT{index}"


class Runner:
    """``fortuna run MANDATE --log-format json ARGS...`` in a child process."""

    def __init__(self, mandate: Path, *args: str, log: Path | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.log_path = log or mandate.with_suffix(f".{time.monotonic_ns()}.log")
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [FORTUNA, "run", str(mandate), "--log-format", "json", *args],
            stdout=subprocess.DEVNULL, stderr=self._log,
            env={**os.environ, **(env or {})},
        )

    def events(self) -> list[Event]:
        events = []
        for line in self.log_path.read_text().splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                event = {"event": line}
            events.append(event if isinstance(event, dict) else {"event": line})
        return events

    def named(self, name: str) -> list[Event]:
        return [event for event in self.events() if event.get("event") == name]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 30.0,
                 what: str = "a condition") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = predicate()
            if found:
                return found
            if self.process.poll() is not None:
                found = predicate()
                if found:
                    return found
                raise AssertionError(f"fortuna run exited {self.process.returncode} before "
                                     f"{what}; log:\n{self.log_path.read_text()[-3000:]}")
            time.sleep(0.05)
        raise AssertionError(f"no {what} within {timeout} s; log:\n"
                             f"{self.log_path.read_text()[-3000:]}")

    def wait_event(self, name: str, timeout: float = 30.0) -> Event:
        found: list[Event] = self.wait_for(lambda: self.named(name), timeout, repr(name))
        return found[0]

    @property
    def address(self) -> str:
        return str(self.wait_event("http serving")["address"])

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://{self.address}{path}", timeout=5) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def wait(self, timeout: float = 30.0) -> int:
        return self.process.wait(timeout)

    def stop(self) -> int:
        """SIGTERM, then the exit code (SIGKILL after 20 s without one)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(20)
        finally:
            self.close()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._log.close()
