"""The secrets of the running mandate, and the one function that removes them from text.

Redacting fields by name (``api_key=...``) is not enough: a secret also travels inside
exception messages, tracebacks, URLs and nested structures, under names nobody chose. So
the runtime registers the *values* of every ``SecretStr``/``SecretBytes`` the mandate holds
(:func:`register_secrets_of`), and every rendered log line and every message ``fortuna``
prints passes through :func:`redact_text`, which replaces each value wherever it appears,
in the forms it takes once rendered: as is, JSON-escaped, ``repr``-escaped and
URL-encoded. Values shorter than :data:`MIN_SECRET_LENGTH` characters are not searched for
in free text (they would blank out ordinary words); they are still hidden as fields.

This module imports nothing heavy: validation and the CLI use it without structlog.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = [
    "CREDENTIAL_NAME",
    "MIN_SECRET_LENGTH",
    "REDACTED",
    "clear_secrets",
    "redact_text",
    "register_secrets",
    "register_secrets_of",
    "release_secrets",
    "secret_values",
]

CREDENTIAL_NAME = re.compile(
    r"secret|key|passw|token|credential|private|auth|signature|dsn", re.I)
"""A field or arg whose name says it holds a credential: its value is never shown (a DSN
carries its password)."""
REDACTED = "**********"
MIN_SECRET_LENGTH = 4

_lock = threading.Lock()
_forms: tuple[str, ...] = ()  # every searched form of every secret, longest first
_values: dict[str, int] = {}  # each secret, with how many registrations hold it


def _variants(value: str) -> set[str]:
    return {value, json.dumps(value)[1:-1], repr(value)[1:-1], quote(value, safe=""),
            quote_plus(value, safe="")}


def register_secrets(values: Iterable[str]) -> list[str]:
    """Redact these values from every line and message until they are released (a graph
    registers its secrets while it lives). Returns the registration, for
    :func:`release_secrets`."""
    held = sorted({v for v in values if isinstance(v, str) and len(v) >= MIN_SECRET_LENGTH})
    with _lock:
        for value in held:
            _values[value] = _values.get(value, 0) + 1
        _rebuild()
    return held


def release_secrets(registration: list[str]) -> None:
    """Undo one :func:`register_secrets` (a value another registration holds stays)."""
    with _lock:
        for value in registration:
            count = _values.get(value, 0) - 1
            if count > 0:
                _values[value] = count
            else:
                _values.pop(value, None)
        _rebuild()


def _rebuild() -> None:
    global _forms
    forms = {form for value in _values for form in _variants(value)}
    _forms = tuple(sorted((f for f in forms if len(f) >= MIN_SECRET_LENGTH),
                          key=len, reverse=True))


def clear_secrets() -> None:
    """Forget every registered secret (for tests)."""
    with _lock:
        _values.clear()
        _rebuild()


def secret_values() -> frozenset[str]:
    return frozenset(_values)


def redact_text(text: str) -> str:
    """``text`` with every registered secret replaced by ``**********``."""
    for form in _forms:
        if form in text:
            text = text.replace(form, REDACTED)
    return text


def register_secrets_of(objects: Iterable[Any]) -> list[str]:
    """Register the value of every ``SecretStr``/``SecretBytes`` found in ``objects``: args
    models, at any depth of their fields, lists and mappings."""
    return register_secrets(_walk_all(objects))


def _walk_all(objects: Iterable[Any]) -> Iterator[str]:
    seen: set[int] = set()
    for obj in objects:
        yield from _walk(obj, seen, 0)


def _walk(value: Any, seen: set[int], depth: int) -> Iterator[str]:
    from pydantic import BaseModel, SecretBytes, SecretStr

    if depth > 50 or id(value) in seen:
        return
    if isinstance(value, SecretStr):
        yield value.get_secret_value()
    elif isinstance(value, SecretBytes):
        yield value.get_secret_value().decode("utf-8", "replace")
    elif isinstance(value, BaseModel):
        seen.add(id(value))
        for _, item in value:
            yield from _walk(item, seen, depth + 1)
    elif isinstance(value, Mapping):
        seen.add(id(value))
        for item in value.values():
            yield from _walk(item, seen, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        seen.add(id(value))
        for item in value:
            yield from _walk(item, seen, depth + 1)
