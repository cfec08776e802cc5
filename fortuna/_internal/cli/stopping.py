"""Stop signals outside the event loop: a stop always stops, from the first moment.

While a mandate runs, the runtime's asyncio handlers turn SIGINT/SIGTERM into a graceful
stop, then a forced one (:mod:`fortuna._internal.runtime`). Outside that window they would
get Python's defaults: SIGTERM kills the process without a word (143), SIGINT raises
``KeyboardInterrupt`` wherever the interpreter happens to be, an import or a validation
step, and prints a traceback. This module's handler covers the rest of the process's life:

- **before trading** (importing, reading and validating the mandate, configuring logs):
  nothing is loaded and nothing was sent to a venue, so it writes one line and ends the
  process at once. ``fortuna run`` exits 0, as for any graceful stop ("stopped before
  trading started"); the other commands exit 128 + N (their work was not done);
- **after the run** (the graph is unloaded, the loop is closing): the same, 128 + N.

``fortuna`` arms it as the very first thing ``import fortuna`` does in the ``fortuna``
process itself (:func:`arm_if_cli`; a library import elsewhere never touches signals), and
again in :func:`fortuna._internal.cli.main`. Only the interpreter's own start-up, before
any Fortuna code runs, is left to the system's defaults. The handler ends the process with
``os._exit`` after writing with ``os.write``: nothing it does can block, raise into the
interrupted code, or be swallowed by an ``except BaseException`` in a library.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

from fortuna._internal.cli.exit_codes import EXIT_OK, exit_for_signal

__all__ = ["arm", "arm_if_cli", "disarm", "mark_run_started", "settle_if_cli"]

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_state: dict[str, Any] = {"run_started": False}


def _command() -> str:
    """The subcommand of this process (``run``, ``validate``...), from its arguments."""
    for arg in sys.argv[1:]:
        if not arg.startswith("-"):
            return arg
    return ""


def _handle(signum: int, _frame: FrameType | None) -> None:
    name = signal.Signals(signum).name
    if _command() == "run" and not _state["run_started"]:
        message = f"fortuna: {name} received before trading started; stopped, nothing was " \
                  "sent to any venue\n"
        code = EXIT_OK
    elif _command() == "run":
        message = f"fortuna: {name} received while the run was ending; exiting now\n"
        code = exit_for_signal(signum)
    else:
        message = f"fortuna: interrupted by {name}\n"
        code = exit_for_signal(signum)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    with contextlib.suppress(OSError):
        os.write(2, message.encode())
    os._exit(code)


def arm() -> dict[int, Any]:
    """Install the handler for SIGINT and SIGTERM; returns the handlers it replaced."""
    previous: dict[int, Any] = {}
    for signum in STOP_SIGNALS:
        try:
            previous[signum] = signal.signal(signum, _handle)
        except (ValueError, OSError):  # not the main thread: leave signals alone
            continue
    return previous


def disarm(previous: dict[int, Any]) -> None:
    """Put back the handlers :func:`arm` replaced."""
    for signum, handler in previous.items():
        try:
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        except (ValueError, OSError, TypeError):
            continue


def mark_run_started(started: bool = True) -> None:
    """From now on a stop outside the loop's handlers is no longer "before trading"."""
    _state["run_started"] = started


def _is_cli_process() -> bool:
    argv0 = os.path.basename(sys.argv[0]) if sys.argv else ""
    if argv0 in ("fortuna", "fortuna.exe"):
        return True
    orig: list[str] = list(getattr(sys, "orig_argv", []))
    return any(a == "-m" and b == "fortuna" for a, b in itertools.pairwise(orig))


def arm_if_cli(is_cli: Callable[[], bool] = _is_cli_process) -> None:
    """Arm the handler if this process is the ``fortuna`` command (console script or
    ``python -m fortuna``); a library import anywhere else leaves signals alone."""
    if is_cli():
        arm()


def settle_if_cli(is_cli: Callable[[], bool] = _is_cli_process) -> None:
    """Ignore stop signals once the command has finished and the process is only exiting.

    The interpreter's shutdown puts the default handlers back for every signal that had a
    Python handler, so a SIGTERM arriving in those last milliseconds would kill a process
    that had already stopped cleanly and replace its true exit code with 143. An ignored
    signal is left ignored by the shutdown: the exit code stays the one the command chose.
    Only in the ``fortuna`` process itself; a library caller keeps its own handlers."""
    if not is_cli():
        return
    for signum in STOP_SIGNALS:
        with contextlib.suppress(ValueError, OSError):
            signal.signal(signum, signal.SIG_IGN)
