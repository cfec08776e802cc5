"""Stop signals on a real process: graceful on the first, forced on the second."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHILD = Path(__file__).with_name("signal_child.py")
ROOT = Path(__file__).resolve().parents[2]


def markers(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def wait_for_marker(path: Path, marker: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while marker not in markers(path):
        if process.poll() is not None:
            raise AssertionError(f"child exited early: {process.communicate()}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"no {marker!r} in {markers(path)}")
        time.sleep(0.01)


def spawn(tmp_path: Path, mode: str) -> tuple[subprocess.Popen[str], Path]:
    marker_file = tmp_path / "markers"
    process = subprocess.Popen(
        [sys.executable, str(CHILD), str(marker_file), mode],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, marker_file


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_mid_tick_finishes_the_tick_stops_and_unloads_then_exits_0(
    tmp_path: Path, signum: signal.Signals
) -> None:
    process, marker_file = spawn(tmp_path, "tick")
    wait_for_marker(marker_file, "tick-start", process)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert markers(marker_file) == [
        "load:venue",
        "tick-start",
        "tick-end",  # the tick in progress was not interrupted
        "on_stop",
        "unload:venue",
        "exit:0",
    ]
    assert "Traceback" not in stderr
    assert '"stop requested; stopping gracefully"' in stderr


def test_sigusr1_resets_every_latch_and_the_mandate_keeps_running(tmp_path: Path) -> None:
    process, marker_file = spawn(tmp_path, "tick")
    wait_for_marker(marker_file, "tick-start", process)
    process.send_signal(signal.SIGUSR1)
    wait_for_marker(marker_file, "reset:venue", process)
    assert process.poll() is None
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert markers(marker_file)[-3:] == ["on_stop", "unload:venue", "exit:0"]
    assert '"operator reset"' in stderr
    assert '"held": "tripped in the test"' in stderr


def test_a_second_signal_forces_the_stop_and_still_unloads(tmp_path: Path) -> None:
    process, marker_file = spawn(tmp_path, "stubborn")
    wait_for_marker(marker_file, "run", process)
    process.send_signal(signal.SIGTERM)
    time.sleep(0.3)  # the service ignores the graceful request
    assert process.poll() is None
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 128 + signal.SIGINT
    assert markers(marker_file) == ["load:venue", "run", "unload:venue", f"exit:{128 + 2}"]
    assert "stop forced" in stderr
    assert "Traceback" not in stderr


def test_a_failing_service_unloads_and_exits_3(tmp_path: Path) -> None:
    process, marker_file = spawn(tmp_path, "failing")
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 3
    assert markers(marker_file) == ["load:venue", "on_stop", "unload:venue", "exit:3"]
    assert stderr.count('"tick failed"') == 2
    assert "2 consecutive failed ticks" in stderr
