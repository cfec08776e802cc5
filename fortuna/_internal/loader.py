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
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from fortuna._internal.findings import Finding, Position, dotted, shown
from fortuna._internal.plan import MissingEnv
from fortuna._internal.types import DECIMAL_LITERAL, DIGITS, MAX_NUMBER_TEXT
from fortuna._internal.yaml_hints import explain

__all__ = ["Document", "Limits", "LoadFailed", "load_file", "load_text"]

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Limits:
    """Bounds that turn hostile or broken input into a finding instead of a hang."""

    max_bytes: int = 16 * 1024 * 1024
    max_depth: int = 64
    max_alias_expansion: int = 100_000
    """Values that aliases may add to the document (each alias adds its anchor's count)."""
    max_alias_characters: int = 16 * 1024 * 1024
    """Characters of scalars that aliases may add: an alias of a 1 MB string adds 1 MB, so
    what later stages read stays within a fixed multiple of the file's size."""


@dataclass
class Document:
    """Parsed data plus where each value (``positions``) and each key (``keys``) stands."""

    source: str
    data: Any
    positions: dict[Path, Position] = field(default_factory=dict)
    keys: dict[Path, Position] = field(default_factory=dict)
    env_values: dict[str, str] = field(default_factory=dict)
    """Each value read from an ``!env`` variable, with the variable's name: findings never
    echo these (a credential put in the wrong arg must not reach a CI log)."""

    def locate(self, path: Path, *, key: bool = False) -> Position | None:
        """The position of ``path``, or of its nearest located ancestor."""
        if key and path in self.keys:
            return self.keys[path]
        while True:
            found = self.positions.get(path)
            if found is not None or not path:
                return found
            path = path[:-1]


class LoadFailed(Exception):
    def __init__(self, finding: Finding) -> None:
        self.finding = finding
        super().__init__(str(finding))


class UsageFailed(Exception):
    """The file cannot be read at all (missing, unreadable, not text): exit code 2."""


_NULL = re.compile(r"^(?:~|null|Null|NULL)?$")
_TRUE = re.compile(r"^(?:true|True|TRUE)$")
_FALSE = re.compile(r"^(?:false|False|FALSE)$")
_INT = re.compile(rf"^[-+]?{DIGITS}$")
_OCT = re.compile(r"^0o_*[0-7][0-7_]*$")
_HEX = re.compile(r"^0x_*[0-9a-fA-F][0-9a-fA-F_]*$")
_FLOAT = re.compile(rf"^{DECIMAL_LITERAL}$")
MAX_INTEGER_BITS = 333
"""An integer of a mandate has at most 100 decimal digits (2**333 is about 1.7e100): more
is never a count or a size, and Python refuses to print an integer of 4,300 digits."""
_SPECIAL_FLOAT = re.compile(r"^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")

# A plain scalar whose first character is none of these is text: skip the regexes.
_MAYBE_NOT_TEXT = frozenset("0123456789+-.~nNtTfF")

_STANDARD = "tag:yaml.org,2002:"
_ALLOWED_COLLECTION_TAGS = {None, "!", _STANDARD + "map", _STANDARD + "seq", _STANDARD + "omap"}
_ENV_TAG = "!env"
_DECIMAL_TAG = "!decimal"


def _position(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1)


class _Frame:
    """One mapping or sequence under construction."""

    __slots__ = ("anchor", "characters", "env", "is_map", "items", "key", "key_pos", "merged",
                 "path", "size")

    def __init__(self, path: Path, is_map: bool, anchor: str | None, env: bool) -> None:
        self.path = path
        self.is_map = is_map
        self.anchor = anchor
        self.env = env
        self.items: dict[Any, Any] | list[Any] = {} if is_map else []
        self.key: Any = _NO_KEY
        self.key_pos: Position | None = None
        self.merged: set[Any] = set()
        self.size = 1
        self.characters = 0

    def child_path(self) -> Path:
        if self.is_map:
            return (*self.path, self.key if self.key is not _NO_KEY else "?")
        assert isinstance(self.items, list)
        return (*self.path, len(self.items))


_NO_KEY = object()


class _Builder:
    def __init__(self, source: str, env: Mapping[str, str], limits: Limits) -> None:
        self.source = source
        self.env = env
        self.limits = limits
        self.document = Document(source, None)
        self.anchors: dict[str, tuple[Any, int, int]] = {}
        self.open_anchors: set[str] = set()
        self.expanded = 0
        self.expanded_characters = 0
        self.stack: list[_Frame] = []
        self.done = False

    def fail(self, message: str, position: Position | None, path: Path = ()) -> LoadFailed:
        return LoadFailed(Finding(self.source, dotted(path), message, position))

    # --- scalars -----------------------------------------------------------------------

    def scalar(self, event: Any, path: Path, position: Position) -> Any:
        tag, value = event.tag, event.value
        plain = not event.style and event.implicit[0]
        if tag == "!" or (tag is None and not plain):
            return value  # YAML 1.2: the non-specific tag "!" makes a scalar a string
        if tag is None:
            return self.resolve_plain(value, position, path)
        if tag == _DECIMAL_TAG:
            return self.decimal(value, position, path)
        if tag == _ENV_TAG:
            return self.env_value(value.strip(), None, False, position, path)
        if tag == _STANDARD + "str":
            return value
        if tag == _STANDARD + "float":
            return self.decimal(value, position, path)
        if tag == _STANDARD + "int":
            text = value.strip()
            if _INT.match(text) or _HEX.match(text) or _OCT.match(text):
                return self.integer(text, position, path)
            raise self.fail(f"{shown(value)} is not an integer", position, path)
        if tag == _STANDARD + "bool":
            if _TRUE.match(value):
                return True
            if _FALSE.match(value):
                return False
            raise self.fail(f"{shown(value)} is not a boolean", position, path)
        if tag == _STANDARD + "null":
            return None
        raise self.fail(self.refused_tag(tag), position, path)

    @staticmethod
    def refused_tag(tag: str) -> str:
        shown = tag.replace(_STANDARD, "!!")
        return (
            f"the tag {shown} is not allowed: only safe YAML is read "
            f"(custom tags are !decimal and !env)"
        )

    def resolve_plain(self, value: str, position: Position, path: Path) -> Any:
        if value and value[0] not in _MAYBE_NOT_TEXT:
            return value
        if _NULL.match(value):
            return None
        if _TRUE.match(value):
            return True
        if _FALSE.match(value):
            return False
        if _INT.match(value) or _HEX.match(value) or _OCT.match(value):
            return self.integer(value, position, path)
        if _FLOAT.match(value):
            return self.decimal(value, position, path)
        if _SPECIAL_FLOAT.match(value):
            raise self.fail(
                f"{value} is not a finite number: amounts and prices must be finite",
                position,
                path,
            )
        return value

    def integer(self, text: str, position: Position, path: Path) -> int:
        """An integer literal (decimal, ``0x`` or ``0o``), refused past 100 digits before
        Python's own limit on long conversions could raise."""
        digits = text.replace("_", "").lstrip("+-")
        base = 16 if digits.startswith("0x") else 8 if digits.startswith("0o") else 10
        if base == 10 and len(digits.lstrip("0")) > 100:
            raise self.fail(f"an integer of {len(digits.lstrip('0'))} digits is too large: "
                            "a mandate's integers have at most 100 digits", position, path)
        result = int(text.replace("_", ""), 0 if base != 10 else 10)
        if result.bit_length() > MAX_INTEGER_BITS:
            raise self.fail(f"{shown(text)} is too large: a mandate's integers have at most "
                            "100 digits", position, path)
        return result

    def decimal(self, text: str, position: Position, path: Path) -> Decimal:
        if len(text) > MAX_NUMBER_TEXT:
            raise self.fail(f"a number written with {len(text)} characters is too long "
                            f"(at most {MAX_NUMBER_TEXT})", position, path)
        try:
            result = Decimal(text.strip().replace("_", ""))
        except InvalidOperation:
            raise self.fail(f"{shown(text)} is not a decimal number", position, path) from None
        if not result.is_finite():
            raise self.fail(f"{shown(text)} is not a finite decimal number", position, path)
        return result

    def env_value(
        self, name: Any, default: Any, has_default: bool, position: Position, path: Path
    ) -> Any:
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise self.fail(
                f"!env takes a variable name or [NAME, default], got {shown(name)}", position,
                path
            )
        if name in self.env:
            value = self.env[name]
            self.document.env_values[value] = name
            return value
        if has_default:
            return default
        return MissingEnv(name, position)

    # --- the tree ----------------------------------------------------------------------

    def current_path(self) -> Path:
        return self.stack[-1].child_path() if self.stack else ()

    def add(self, value: Any, position: Position, size: int, characters: int = 0) -> None:
        if not self.stack:
            if self.done:
                raise self.fail("a mandate file holds one YAML document", position)
            self.document.data = value
            self.document.positions[()] = position
            self.done = True
            return
        frame = self.stack[-1]
        frame.size += size
        frame.characters += characters
        if frame.is_map:
            assert isinstance(frame.items, dict)
            if frame.key is _NO_KEY:
                self.set_key(frame, value, position)
                return
            key, frame.key = frame.key, _NO_KEY
            if key == "<<" and frame.key_pos is not None:
                self.merge(frame, value, position)
                return
            frame.items[key] = value
        else:
            assert isinstance(frame.items, list)
            frame.items.append(value)

    def set_key(self, frame: _Frame, key: Any, position: Position) -> None:
        assert isinstance(frame.items, dict)
        if isinstance(key, dict | list | MissingEnv):
            raise self.fail("a mapping key must be a plain scalar", position, frame.path)
        if key in frame.items and key not in frame.merged:
            first = self.document.keys.get((*frame.path, key))
            where = f" (first at {first})" if first else ""
            raise self.fail(f"duplicate key {shown(key)}{where}", position, (*frame.path, key))
        frame.merged.discard(key)
        frame.key, frame.key_pos = key, position
        if key != "<<":
            self.document.keys[(*frame.path, key)] = position

    def merge(self, frame: _Frame, value: Any, position: Position) -> None:
        assert isinstance(frame.items, dict)
        sources = value if isinstance(value, list) else [value]
        for source in sources:
            if not isinstance(source, dict):
                raise self.fail("a merge key (<<) takes a mapping or a list of mappings",
                                position, frame.path)
            for key, item in source.items():
                if key not in frame.items:
                    frame.items[key] = item
                    frame.merged.add(key)

    def build(self, events: Any) -> Document:
        depth_limit = self.limits.max_depth
        for event in events:
            kind = type(event)
            if kind is yaml.ScalarEvent:
                path = self.current_path()
                position = _position(event.start_mark)
                if self.stack and self.stack[-1].env:
                    self.add(self.scalar(event, path, position), position, 1)
                    continue
                scalar = self.scalar(event, path, position)
                self.document.positions[path] = position
                self.add(scalar, position, 1, len(event.value))
                if event.anchor:
                    self.anchors[event.anchor] = (scalar, 1, len(event.value))
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                path = self.current_path()
                position = _position(event.start_mark)
                if len(self.stack) >= depth_limit:
                    raise self.fail(f"nesting deeper than {depth_limit} levels", position, path)
                is_env = event.tag == _ENV_TAG
                if is_env and kind is not yaml.SequenceStartEvent:
                    raise self.fail("!env takes a variable name or [NAME, default]",
                                    position, path)
                if not is_env and event.tag not in _ALLOWED_COLLECTION_TAGS:
                    raise self.fail(self.refused_tag(event.tag), position, path)
                self.document.positions[path] = position
                frame = _Frame(path, kind is yaml.MappingStartEvent, event.anchor, is_env)
                if event.anchor:
                    self.open_anchors.add(event.anchor)
                self.stack.append(frame)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frame = self.stack.pop()
                value: Any = frame.items
                position = self.document.positions[frame.path]
                if frame.env:
                    items = frame.items
                    assert isinstance(items, list)
                    if len(items) not in (1, 2):
                        raise self.fail("!env takes a variable name or [NAME, default]",
                                        position, frame.path)
                    value = self.env_value(items[0], items[-1], len(items) == 2, position,
                                           frame.path)
                if frame.anchor:
                    self.open_anchors.discard(frame.anchor)
                    self.anchors[frame.anchor] = (value, frame.size, frame.characters)
                self.add(value, position, frame.size, frame.characters)
            elif kind is yaml.AliasEvent:
                position = _position(event.start_mark)
                path = self.current_path()
                if event.anchor in self.open_anchors:
                    raise self.fail(f"alias *{event.anchor} refers to itself", position, path)
                if event.anchor not in self.anchors:
                    raise self.fail(f"unknown alias *{event.anchor}", position, path)
                aliased, size, characters = self.anchors[event.anchor]
                self.expanded += size
                self.expanded_characters += characters
                if self.expanded > self.limits.max_alias_expansion:
                    raise self.fail(
                        f"aliases expand past {self.limits.max_alias_expansion} values; "
                        f"refusing a document that grows when read",
                        position,
                        path,
                    )
                if self.expanded_characters > self.limits.max_alias_characters:
                    raise self.fail(
                        f"aliases expand past {self.limits.max_alias_characters} characters; "
                        f"refusing a document that grows when read",
                        position,
                        path,
                    )
                self.document.positions[path] = position
                self.add(aliased, position, size, characters)
        return self.document


def _events(text: str) -> Iterator[Any]:
    """The parser's events, straight from libyaml when it is there."""
    parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        get_event = parser.get_event
        while True:
            event = get_event()
            if event is None:
                return
            yield event
            if type(event) is yaml.StreamEndEvent:
                return
    finally:
        parser.dispose()


def load_text(
    text: str,
    source: str = "<string>",
    *,
    env: Mapping[str, str] | None = None,
    limits: Limits = Limits(),
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
    path: str, *, env: Mapping[str, str] | None = None, limits: Limits = Limits()
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
    return load_text(text, path, env=env, limits=limits)
