"""``fortuna run --http``: liveness, readiness and Prometheus metrics of a real run."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families

from tests.ops.conftest import Spawn
from tests.ops.support import FORTUNA, Runner, halt_path, quoting_mandate

HTTP = ("--http", "127.0.0.1:0")


def scrape(runner: Runner) -> dict[str, Metric]:
    status, text = runner.get("/metrics")
    assert status == 200
    return {family.name: family for family in text_string_to_metric_families(text)}


def value(family: Metric, suffix: str = "", **labels: str) -> float:
    found = [s.value for s in family.samples
             if s.name == family.name + suffix and labels.items() <= s.labels.items()]
    assert len(found) == 1, (family.name, labels, family.samples)
    return found[0]


def quoting(runner: Runner) -> None:
    runner.wait_for(lambda: runner.get("/readyz")[0] == 200, what="ready")
    runner.wait_for(lambda: value(scrape(runner)["fortuna_quotes_live"], side="buy") > 0,
                    what="quotes live")


def test_metrics_parse_with_the_prometheus_parser_and_describe_the_mandate(
    tmp_path: Path, spawn: Spawn
) -> None:
    runner = spawn(quoting_mandate(tmp_path, "desk"), *HTTP)
    quoting(runner)
    families = scrape(runner)
    assert value(families["fortuna_quotes_live"], mandate="desk", side="buy") == 2
    assert value(families["fortuna_quotes_live"], mandate="desk", side="sell") == 2
    assert value(families["fortuna_quoted_depth"], side="buy") > 0
    assert value(families["fortuna_quoted_spread_bps"], mandate="desk") > 0
    assert value(families["fortuna_inventory"], currency="BTC") == 1.5
    assert abs(value(families["fortuna_pnl"], currency="USDT")) < 1000  # the sim's drift
    assert value(families["fortuna_orders_sent"], "_total", mandate="desk") >= 4
    assert value(families["fortuna_orders_refused"], "_total", mandate="desk") == 0
    assert "fortuna_fills" in families
    assert "fortuna_errors" in families
    ticks = families["fortuna_tick_duration_seconds"]
    assert ticks.type == "histogram"
    assert value(ticks, "_count", service="mm") >= 1
    assert value(ticks, "_bucket", service="mm", le="+Inf") == value(ticks, "_count")
    assert value(families["fortuna_kill_switch_tripped"], switch="halt0") == 0
    assert value(families["fortuna_ready"]) == 1
    assert "process_resident_memory_bytes" in families
    assert runner.stop() == 0


def test_every_kill_switch_is_one_sample_of_one_family(tmp_path: Path, spawn: Spawn) -> None:
    runner = spawn(quoting_mandate(tmp_path, halt_files=3), *HTTP)
    quoting(runner)
    switches = scrape(runner)["fortuna_kill_switch_tripped"]
    assert sorted(s.labels["switch"] for s in switches.samples) == ["halt0", "halt1", "halt2"]
    assert runner.stop() == 0


def test_readyz_fails_with_the_reason_when_a_kill_switch_trips(
    tmp_path: Path, spawn: Spawn
) -> None:
    mandate = quoting_mandate(tmp_path)
    runner = spawn(mandate, *HTTP)
    quoting(runner)
    assert runner.get("/readyz") == (200, "ready\n")
    halt_path(mandate).touch()
    runner.wait_for(lambda: runner.get("/readyz")[0] == 503, what="not ready")
    _, body = runner.get("/readyz")
    assert "halt0: kill switch tripped: halt file" in body
    families = scrape(runner)
    assert value(families["fortuna_kill_switch_tripped"], switch="halt0") == 1
    assert value(families["fortuna_ready"]) == 0
    runner.wait_for(lambda: value(scrape(runner)["fortuna_quotes_live"], side="buy") == 0,
                    what="quotes pulled")
    assert runner.get("/healthz") == (200, "ok\n")  # halted is alive: no restart
    assert runner.stop() == 0


def test_healthz_answers_and_an_unknown_path_is_not_found(
    tmp_path: Path, spawn: Spawn
) -> None:
    runner = spawn(quoting_mandate(tmp_path), *HTTP)
    quoting(runner)
    assert runner.get("/healthz") == (200, "ok\n")
    assert runner.get("/nothing")[0] == 404
    assert runner.stop() == 0


def test_http_is_off_unless_asked_for(tmp_path: Path, spawn: Spawn) -> None:
    runner = spawn(quoting_mandate(tmp_path))
    runner.wait_event("status")
    assert runner.named("http serving") == []
    assert runner.stop() == 0


@pytest.mark.parametrize(("address", "message"), [
    ("localhost", "expected HOST:PORT"),
    ("127.0.0.1:70000", "port must be a number from 0 to 65535"),
])
def test_a_malformed_http_address_is_a_usage_error(
    tmp_path: Path, address: str, message: str
) -> None:
    done = subprocess.run([FORTUNA, "run", str(quoting_mandate(tmp_path)), "--http", address],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_port_already_taken_is_an_io_error_before_anything_loads(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [FORTUNA, "run", str(quoting_mandate(tmp_path)), "--http", f"127.0.0.1:{port}"],
            capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"--http 127.0.0.1:{port}: cannot listen there" in done.stderr
    assert "graph loaded" not in done.stderr
    assert "Traceback" not in done.stderr


def test_the_address_may_come_from_the_environment(tmp_path: Path, spawn: Spawn) -> None:
    runner = spawn(quoting_mandate(tmp_path), env={"FORTUNA_HTTP": "127.0.0.1:0"})
    assert runner.get("/healthz") == (200, "ok\n")
    assert runner.stop() == 0
