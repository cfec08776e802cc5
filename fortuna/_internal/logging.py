"""Structured logging for the runtime: readable on a terminal, JSON lines for machines.

Every line carries ``component`` (the component's name, or ``fortuna`` for the runtime).
Decimals stay exact: they are logged as strings, never through a float. Secrets never
reach the output: a ``SecretStr`` and any value whose key looks like a secret (``*secret*``,
``*key*``, ``*password*``, ``*token*``, ...) is replaced by ``"**********"``.

This module imports structlog, so ``import fortuna`` must never import it; the runtime
imports it when ``fortuna run`` configures logging.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from decimal import Decimal
from typing import Any, TextIO

import structlog
from pydantic import SecretBytes, SecretStr

__all__ = ["REDACTED", "configure_logging", "redact"]

REDACTED = "**********"
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


def configure_logging(
    level: str = "info", log_format: str = "auto", stream: TextIO | None = None
) -> None:
    """Send structlog and standard-library logs to ``stream`` (stderr) in one format."""
    out = stream if stream is not None else sys.stderr
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
        shared_tail: list[Any] = [
            _clean,
            structlog.processors.dict_tracebacks,
        ]
        renderer = structlog.processors.JSONRenderer(default=str, sort_keys=False)
    else:
        shared_tail = [_clean]
        renderer = structlog.dev.ConsoleRenderer(colors=out.isatty())
    structlog.configure(
        processors=[*shared, *shared_tail, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(threshold),
        logger_factory=structlog.PrintLoggerFactory(file=out),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(out)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, _from_stdlib, *shared_tail],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(max(threshold, logging.WARNING))  # libraries speak only when it matters
