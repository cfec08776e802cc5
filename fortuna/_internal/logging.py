"""Structured logging for the runtime: readable on a terminal, JSON lines for machines.

Every line carries ``component`` (the component's name, or ``fortuna`` for the runtime).
Decimals stay exact: they are logged as strings, never through a float.

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
import re
import sys
import threading
from collections.abc import Callable, Mapping, MutableMapping
from decimal import Decimal
from typing import Any, TextIO

import structlog
from pydantic import SecretBytes, SecretStr

from fortuna._internal.redaction import REDACTED, redact_text

__all__ = ["REDACTED", "GuardedStream", "configure_logging", "redact"]

_SECRET_KEY = re.compile(r"secret|key|passw|token|credential|private|auth|signature", re.I)
_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
}


def redact(value: Any, key: str = "") -> Any:
    """``value`` with secrets replaced and Decimals turned into their exact strings."""
    if isinstance(value, SecretStr | SecretBytes) or (key and _SECRET_KEY.search(key)):
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
        self._lock = threading.Lock()

    def isatty(self) -> bool:
        try:
            return not self.lost and self.stream.isatty()
        except (OSError, ValueError):
            return False

    def write(self, text: str) -> int:
        if not self.lost:
            try:
                return self.stream.write(text)
            except (OSError, ValueError):
                self._lose()
        return len(text)

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
    ]
    renderer: Any
    if log_format == "json":
        no_locals = structlog.tracebacks.ExceptionDictTransformer(
            show_locals=False, use_rich=False
        )
        shared_tail: list[Any] = [_clean, structlog.processors.ExceptionRenderer(no_locals)]
        renderer = structlog.processors.JSONRenderer(default=str, sort_keys=False)
    else:
        shared_tail = [_clean]
        renderer = structlog.dev.ConsoleRenderer(
            colors=out.isatty(), exception_formatter=structlog.dev.plain_traceback
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
