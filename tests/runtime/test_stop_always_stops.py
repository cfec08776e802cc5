"""A stop always stops: signals at random moments from process start, pathological
durations, and a log reader that goes away."""

from __future__ import annotations

import math
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fortuna import run
from fortuna._internal.cli import main, stopping
from fortuna._internal.cli.exit_codes import EXIT_LOG_LOST, EXIT_OK, EXIT_USAGE
from fortuna._internal.clock import VirtualClock, WallClock
from fortuna._internal.component import Context, NoArgs
from tests.conftest import copy_of_mandate

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "configs" / "demo.yaml"
CHILD = Path(__file__).with_name("signal_child.py")


def catches(pid: int, signum: int) -> bool:
    """Whether process ``pid`` has a handler for ``signum`` (Linux: SigCgt in its status)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    for line in status.splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    return False


# --- signals from the first moment ---------------------------------------------------------

SEED = 20261130
MOMENTS = [round(random.Random(SEED + i).uniform(0, 0.05 if i < 2 else 2.5), 3)
           for i in range(8)]


@pytest.mark.parametrize("delay", MOMENTS)
def test_a_stop_signal_at_any_moment_from_process_start_ends_cleanly(
    tmp_path: Path, delay: float
) -> None:
    signum = (signal.SIGTERM, signal.SIGINT)[MOMENTS.index(delay) % 2]
    err = tmp_path / "stderr"
    with err.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "fortuna", "run", str(copy_of_mandate(DEMO, tmp_path)),
             "--log-format", "json"],
            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=stderr,
        )
        # From the first line of Fortuna's code (before its imports) the signal is caught;
        # before that only the interpreter itself is starting.
        deadline = time.monotonic() + 30
        while not catches(process.pid, signal.SIGTERM):
            assert process.poll() is None, err.read_text()
            assert time.monotonic() < deadline
            time.sleep(0.001)
        time.sleep(delay)
        process.send_signal(signum)
        code = process.wait(timeout=60)
    printed = err.read_text()
    assert code == EXIT_OK, printed
    assert "Traceback" not in printed
    assert "KeyboardInterrupt" not in printed
    said = ("before trading started" in printed, "stopping gracefully" in printed,
            '"duration reached"' in printed)
    assert any(said), printed  # it says how it stopped


def test_a_signal_to_validate_interrupts_it_with_a_message_and_128_plus_n(
    tmp_path: Path,
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "fortuna", "validate", str(ROOT / "configs")],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    while not catches(process.pid, signal.SIGTERM):
        assert process.poll() is None
        time.sleep(0.001)
    process.send_signal(signal.SIGTERM)
    _, printed = process.communicate(timeout=60)
    if process.returncode == 0:  # it finished first: nothing to interrupt
        return
    assert process.returncode == 128 + signal.SIGTERM
    assert printed.strip() == "fortuna: interrupted by SIGTERM"


def test_importing_fortuna_as_a_library_leaves_signals_alone() -> None:
    code = ("import signal, fortuna; "
            "print(signal.getsignal(signal.SIGTERM) is signal.SIG_DFL)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.strip() == "True"


# --- durations -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-inf", "-1", "0", "1e12", "soon"])
def test_a_pathological_duration_is_a_usage_error(
    text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["run", str(DEMO), f"--duration={text}"])
    assert exit_.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "--duration" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("duration", [math.nan, math.inf, -1.0, 0.0, 1e12])
async def test_a_nan_or_absurd_deadline_from_python_is_refused_before_loading(
    duration: float,
) -> None:
    with pytest.raises(ValueError, match="finite number of seconds"):
        await run(str(DEMO), duration=duration)


@pytest.mark.parametrize("clock_class", [VirtualClock, WallClock])
async def test_a_clock_refuses_to_sleep_until_nan(clock_class: type) -> None:
    clock = clock_class(clock_class.Args() if clock_class is VirtualClock else NoArgs(),
                        Context(name="clock"))
    with pytest.raises(ValueError, match="NaN"):
        await clock.sleep(math.nan)
    with pytest.raises(ValueError, match="NaN"):
        await clock.sleep_until(math.nan)


# --- a dead log pipe ---------------------------------------------------------------------------


def test_the_demo_piped_into_head_stops_gracefully_and_says_so_in_its_exit_code(
    tmp_path: Path,
) -> None:
    demo = copy_of_mandate(DEMO, tmp_path)
    script = (f'"{sys.executable}" -m fortuna run "{demo}" --log-format json 2>&1 | head -2; '
              'echo "fortuna exited ${PIPESTATUS[0]}"')
    out = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    lines = out.stdout.splitlines()
    assert len(lines) == 3, out
    assert lines[-1] == f"fortuna exited {EXIT_LOG_LOST}"


def test_a_dead_log_reader_stops_the_run_gracefully_cancelling_and_unloading(
    tmp_path: Path,
) -> None:
    markers = tmp_path / "markers"
    process = subprocess.Popen([sys.executable, str(CHILD), str(markers), "chatty"],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    process.stderr.readline()  # the reader sees the run start...
    process.stderr.close()  # ...then goes away
    assert process.wait(timeout=60) == EXIT_LOG_LOST
    done = markers.read_text().splitlines()
    assert done[-3:] == ["on_stop", "unload:venue", f"exit:{EXIT_LOG_LOST}"]
    assert done[-4] == "tick-end"  # the tick in progress finished first


def test_a_stop_signal_after_the_log_reader_died_still_stops_at_once(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    process = subprocess.Popen([sys.executable, str(CHILD), str(markers), "tick"],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    deadline = time.monotonic() + 30
    while "tick-start" not in (markers.read_text() if markers.exists() else ""):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    process.stderr.close()  # a quiet run: nothing is written until the stop
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == EXIT_LOG_LOST
    assert markers.read_text().splitlines()[-3:] == [
        "on_stop", "unload:venue", f"exit:{EXIT_LOG_LOST}"]


def test_no_stop_signal_handler_outlives_an_in_process_main(
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = signal.getsignal(signal.SIGTERM)
    assert main(["catalog", "clock"]) == EXIT_OK
    assert signal.getsignal(signal.SIGTERM) is before
    capsys.readouterr()


async def test_after_a_run_the_command_lines_handler_is_back_not_the_default() -> None:
    from tests.market_making.mandates import mandate

    previous = stopping.arm()
    try:
        await run(mandate(duration="1m"), handle_signals=True)
        assert signal.getsignal(signal.SIGTERM) is stopping._handle
        assert signal.getsignal(signal.SIGINT) is stopping._handle
    finally:
        stopping.disarm(previous)


def test_once_the_command_has_finished_a_stop_signal_cannot_change_its_exit_code() -> None:
    # The interpreter's shutdown restores default handlers for Python-handled signals; an
    # ignored signal stays ignored, so a SIGTERM in the last milliseconds is harmless.
    script = (
        "import os, signal\n"
        "from fortuna._internal.cli import stopping\n"
        "stopping.arm()\n"
        "stopping.settle_if_cli(lambda: True)\n"
        "assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN\n"
        "assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN\n"
        "os.kill(os.getpid(), signal.SIGTERM)\n"
        "raise SystemExit(7)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 7, done.stderr


def test_outside_the_fortuna_process_the_callers_handlers_are_left_alone() -> None:
    before = signal.getsignal(signal.SIGTERM)
    from fortuna._internal.cli import stopping

    stopping.settle_if_cli(lambda: False)
    assert signal.getsignal(signal.SIGTERM) is before
