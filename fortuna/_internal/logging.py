"""Structured logging for the runtime: readable on a terminal, JSON lines for machines.

Every line carries ``component`` (the component's name, or ``fortuna`` for the runtime).
On a simulated clock every line also carries ``sim_time`` (the clock's time, ISO 8601
UTC), right after the event: the time to match against what the run recorded. Fields keep
the order a line is written in, the story first: the event, ``sim_time``, the call's own
fields, then ``component``, level and the wall-clock timestamp. Decimals stay exact and
read as written (``0.5``, never ``Decimal('0.5')``): they are logged as strings, never
through a float; on the console a list reads ``[65000.1,64999.9]``.

A run with a duration shows its progress (:func:`progress_for`): a bar kept on the last
line of a terminal (log lines scroll above it), or an ``INFO`` line every tenth of the
duration anywhere else.

Secrets never reach the output, by construction rather than by care:

- a ``SecretStr`` and any value whose key looks like a secret (``*secret*``, ``*key*``,
  ``*password*``, ``*token*``, ...) is replaced by ``"**********"`` before rendering;
- tracebacks are rendered **without local variables**, in both formats (a frame's locals
  hold request headers, signed payloads, credentials: structlog's and rich's defaults
  would print them);
- the *rendered line* (event, fields at any depth, exception text, traceback) passes
  through :func:`fortuna._internal.redaction.redact_text`, which removes the value of
  every secret the mandate holds wherever it appears.

A dead log stream (the reader of a pipe went away) is detected on the first failed write:
nothing more is written to it, its file descriptor is pointed at ``/dev/null`` (so the
interpreter's exit flush cannot fail either), and ``on_lost`` is called once, so the run
can stop gracefully and say so in its exit code. A write never raises into the code that
logs: a log call must never abort a tick, a cancel or a stop.

This module imports structlog, so ``import fortuna`` must never import it; the runtime
imports it when ``fortuna run`` configures logging.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Mapping, MutableMapping
from decimal import Decimal
from typing import Any, TextIO

import structlog
from pydantic import SecretBytes, SecretStr

from fortuna._internal.redaction import CREDENTIAL_NAME, REDACTED, redact_text
from fortuna._internal.run_progress import Progress, format_elapsed, sim_time

__all__ = ["REDACTED", "GuardedStream", "configure_logging", "progress_for", "redact"]

_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
}


def redact(value: Any, key: str = "") -> Any:
    """``value`` with secrets replaced and Decimals turned into their exact strings."""
    if isinstance(value, SecretStr | SecretBytes) or (key and CREDENTIAL_NAME.search(key)):
        return REDACTED
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact(item) for item in value]
    return value


def _clean(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in list(event_dict.items()):
        if key not in ("event", "exc_info", "level", "timestamp"):
            event_dict[key] = redact(value, key)
    event_dict.setdefault("component", "fortuna")
    return event_dict


def _stamp_sim_time(
    _: Any, __: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    when = sim_time()
    if when is not None:
        event_dict.setdefault("sim_time", when)
    return event_dict


_HEAD = ("event", "sim_time")
_TAIL = ("component", "level", "timestamp")


def _ordered(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> dict[str, Any]:
    """The event and the simulated time first, the call's fields in the order written,
    then where and when (component, level, wall-clock timestamp)."""
    ordered = {key: event_dict[key] for key in _HEAD if key in event_dict}
    for key, value in event_dict.items():
        if key not in ordered and key not in _TAIL:
            ordered[key] = value
    for key in _TAIL:
        if key in event_dict:
            ordered[key] = event_dict[key]
    return ordered


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return "[" + ",".join(str(_plain(item)) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{_plain(v)}" for k, v in value.items()) + "}"
    return value


def _plain_console(
    _: Any, __: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Lists and mappings as a person writes them (the console only; JSON keeps them)."""
    for key, value in event_dict.items():
        if key not in ("exc_info", "exception") and isinstance(value, list | dict):
            event_dict[key] = _plain(value)
    return event_dict


def _from_stdlib(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    # Lines from libraries (asyncio, aiohttp) get their logger's name as the component.
    record = event_dict.get("_record")
    if record is not None:
        event_dict.setdefault("component", record.name)
    return event_dict


class _Redacting:
    """The renderer, then :func:`redact_text` over the whole rendered line."""

    def __init__(self, renderer: Any) -> None:
        self.renderer = renderer

    def __call__(self, logger: Any, name: str, event_dict: Any) -> str:
        return redact_text(str(self.renderer(logger, name, event_dict)))


class GuardedStream:
    """A text stream that survives the death of what it writes to.

    The first write or flush that fails with ``BrokenPipeError`` (or any ``OSError``, or a
    closed file) marks it lost: later writes are dropped, the underlying descriptor is
    pointed at ``/dev/null`` and ``on_lost`` runs once. It never raises.
    """

    def __init__(self, stream: TextIO, on_lost: Callable[[], None] | None = None) -> None:
        self.stream = stream
        self.on_lost = on_lost
        self.lost = False
        self.interactive = False
        """Whether lines go to a person's terminal (console format): a status line may
        be kept under them."""
        self._lock = threading.Lock()
        self._status = ""
        self._status_shown = False

    def show_status(self, text: str) -> None:
        """Keep ``text`` on the last line (a terminal's progress bar); lines written
        later appear above it. An empty text removes it."""
        self._status = text
        prefix = "\r\x1b[K" if self._status_shown else ""
        self._status_shown = bool(text)
        self._raw_write(prefix + text)
        self.flush()

    def isatty(self) -> bool:
        try:
            return not self.lost and self.stream.isatty()
        except (OSError, ValueError):
            return False

    def write(self, text: str) -> int:
        if self._status_shown:  # the line goes where the status was; the status under it
            self._status_shown = False
            text = "\r\x1b[K" + text
        if self._status and text.endswith("\n"):
            text += self._status
            self._status_shown = True
        self._raw_write(text)
        return len(text)

    def _raw_write(self, text: str) -> None:
        if not self.lost:
            try:
                self.stream.write(text)
            except (OSError, ValueError):
                self._lose()

    def flush(self) -> None:
        if not self.lost:
            try:
                self.stream.flush()
            except (OSError, ValueError):
                self._lose()

    def _lose(self) -> None:
        with self._lock:
            if self.lost:
                return
            self.lost = True
        _silence(self.stream)
        if self.on_lost is not None:
            self.on_lost()


def _silence(stream: TextIO) -> None:
    """Point ``stream``'s descriptor (and the standard streams sharing its pipe) at
    /dev/null, so that nothing, not even the interpreter's exit flush, fails on it."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError, AttributeError):
        return
    targets = {fd}
    for std in (sys.stdout, sys.stderr):
        try:
            std_fd = std.fileno()
            if os.path.sameopenfile(std_fd, fd):
                targets.add(std_fd)
        except (OSError, ValueError, AttributeError):
            continue
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for target in targets:
            os.dup2(devnull, target)
    finally:
        os.close(devnull)
    for std in (sys.stdout, sys.stderr):  # drop what their buffers still hold for the pipe
        try:
            if std.fileno() in targets:
                std.flush()
        except (OSError, ValueError, AttributeError):
            continue


def configure_logging(
    level: str = "info",
    log_format: str = "auto",
    stream: TextIO | None = None,
    *,
    on_lost: Callable[[], None] | None = None,
) -> GuardedStream:
    """Send structlog and standard-library logs to ``stream`` (stderr) in one format.

    Returns the guarded stream the lines go to; ``on_lost`` runs once if it dies.
    """
    out = GuardedStream(stream if stream is not None else sys.stderr, on_lost)
    if log_format == "auto":
        log_format = "console" if out.isatty() else "json"
    threshold = _LEVELS[level.lower()]
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _stamp_sim_time,
    ]
    renderer: Any
    if log_format == "json":
        no_locals = structlog.tracebacks.ExceptionDictTransformer(
            show_locals=False, use_rich=False
        )
        shared_tail: list[Any] = [
            _clean, structlog.processors.ExceptionRenderer(no_locals), _ordered
        ]
        renderer = structlog.processors.JSONRenderer(default=str, sort_keys=False)
    else:
        shared_tail = [_clean, _plain_console, _ordered]
        out.interactive = out.isatty()
        renderer = structlog.dev.ConsoleRenderer(
            colors=out.isatty(), exception_formatter=structlog.dev.plain_traceback,
            sort_keys=False,
        )
    redacting = _Redacting(renderer)
    structlog.configure(
        processors=[*shared, *shared_tail, redacting],
        wrapper_class=structlog.make_filtering_bound_logger(threshold),
        logger_factory=structlog.PrintLoggerFactory(file=out),  # type: ignore[arg-type]
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(out)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, _from_stdlib, *shared_tail],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, redacting],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(max(threshold, logging.WARNING))  # libraries speak only when it matters
    logging.captureWarnings(True)  # warnings are log lines too, redacted like the others
    return out


class _ProgressBar:
    """A bar on the terminal's last line, redrawn ``steps`` times over the duration."""

    steps = 100
    width = 30

    def __init__(self, out: GuardedStream, simulated: bool) -> None:
        self.out = out
        self.what = "simulated" if simulated else "elapsed"

    def __call__(self, elapsed: float, duration: float) -> None:
        share = min(elapsed / duration, 1.0)
        filled = int(share * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        self.out.show_status(
            f"[{bar}] {int(share * 100):3d}%  {format_elapsed(elapsed)} of "
            f"{format_elapsed(duration)} {self.what}"
        )

    def close(self) -> None:
        self.out.show_status("")


class _ProgressLines:
    """An ``INFO`` line every tenth of the duration (logs that are not a terminal)."""

    steps = 10

    def __init__(self) -> None:
        self.log = structlog.get_logger("fortuna").bind(component="fortuna")

    def __call__(self, elapsed: float, duration: float) -> None:
        self.log.info("progress", percent=int(min(elapsed / duration, 1.0) * 100),
                      elapsed=format_elapsed(elapsed), duration=format_elapsed(duration))

    def close(self) -> None:
        pass


def progress_for(out: GuardedStream, *, simulated: bool) -> Progress:
    """How a run with a duration shows its progress on ``out``: a bar on a terminal,
    periodic lines otherwise."""
    return _ProgressBar(out, simulated) if out.interactive else _ProgressLines()
