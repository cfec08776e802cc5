"""The YAML loader: safe, exact, and every value located.

Values are built straight from the parser's event stream with an explicit stack, so there is
no recursion to exhaust and every limit is checked as the document streams in: nesting
depth, alias expansion (billion laughs), file size. Plain scalars follow the YAML 1.2 core
schema (``yes``/``on`` stay strings), and every float is a ``Decimal`` built from the
characters in the file, never through a binary float.

Tags: ``!decimal "x"``, ``!env NAME``, ``!env [NAME, default]`` and the standard ``!!str``,
``!!int``, ``!!float``, ``!!bool``, ``!!null``, ``!!map``, ``!!seq``. Anything else, python
object tags included, is refused.

The result is plain data (dicts, lists, str, int, Decimal, bool, None, and
:class:`~fortuna._internal.plan.MissingEnv` for unset variables) and a map from each value's
path to its position, so later stages can locate a finding without carrying nodes around.

This module is the entry (``load_text``, ``load_file``); the parts live beside it:
``yaml_document.py`` (the result and failure types, re-exported here), ``yaml_builder.py``
(the event-stream builder and its limits), ``yaml_scalars.py`` (scalars and tags).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import yaml

from fortuna._internal.findings import Finding
from fortuna._internal.yaml_builder import _Builder, _events
from fortuna._internal.yaml_document import Document as Document
from fortuna._internal.yaml_document import Limits as Limits
from fortuna._internal.yaml_document import LoadFailed as LoadFailed
from fortuna._internal.yaml_document import UsageFailed as UsageFailed
from fortuna._internal.yaml_hints import explain
from fortuna._internal.yaml_scalars import MAX_INTEGER_BITS as MAX_INTEGER_BITS
from fortuna._internal.yaml_scalars import _position

__all__ = ["Document", "Limits", "LoadFailed", "load_file", "load_text"]

_DEFAULT_LIMITS = Limits()


def load_text(
    text: str,
    source: str = "<string>",
    *,
    env: Mapping[str, str] | None = None,
    limits: Limits = _DEFAULT_LIMITS,
) -> Document:
    """Parse one mandate document; raise :class:`LoadFailed` with a located finding."""
    if len(text) > limits.max_bytes:
        raise LoadFailed(Finding(source, "", f"file larger than {limits.max_bytes} bytes"))
    builder = _Builder(source, os.environ if env is None else env, limits)
    try:
        document = builder.build(_events(text))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        hint = explain(message, text, mark.line, mark.column) if mark else None
        if hint is not None:
            raise LoadFailed(Finding(source, "", hint, _position(mark) if mark else None)
                             ) from None
        raise LoadFailed(
            Finding(source, "", f"YAML syntax: {message}", _position(mark) if mark else None)
        ) from None
    except yaml.YAMLError as exc:
        raise LoadFailed(Finding(source, "", f"YAML syntax: {exc}")) from None
    except RecursionError:
        raise LoadFailed(Finding(source, "", "nesting too deep")) from None
    if not builder.done:
        raise LoadFailed(Finding(source, "", "the file is empty: a mandate needs a service "
                                             "and components"))
    return document


def load_file(
    path: str, *, env: Mapping[str, str] | None = None, limits: Limits = _DEFAULT_LIMITS
) -> Document:
    """Read and parse a mandate file; :class:`UsageFailed` when it cannot be read at all."""
    try:
        size = os.path.getsize(path)
        if size > limits.max_bytes:
            raise LoadFailed(Finding(path, "", f"file larger than {limits.max_bytes} bytes"))
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except IsADirectoryError:
        raise UsageFailed(f"{path}: is a directory, not a mandate file") from None
    except FileNotFoundError:
        raise UsageFailed(f"{path}: no such file") from None
    except PermissionError:
        raise UsageFailed(f"{path}: permission denied") from None
    except UnicodeDecodeError as exc:
        raise LoadFailed(Finding(path, "", f"not UTF-8 text (byte {exc.start})")) from None
    except OSError as exc:
        raise UsageFailed(f"{path}: {exc.strerror or exc}") from None
    document = load_text(text, path, env=env, limits=limits)
    document.directory = os.path.dirname(os.path.abspath(path))
    return document
