"""The loader's event-stream builder: values from the parser's events, with an explicit stack.

No recursion to exhaust, and every limit checked as the document streams in: nesting depth,
alias expansion (billion laughs) in values and in characters, one document per file; it
also records where each value and key stands. Scalars are resolved by ``yaml_scalars.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from fortuna._internal.findings import Position, shown
from fortuna._internal.plan import MissingEnv
from fortuna._internal.yaml_document import Document, Limits, Path
from fortuna._internal.yaml_scalars import (
    _ALLOWED_COLLECTION_TAGS,
    _ENV_TAG,
    _position,
    _ScalarResolver,
)


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


class _Builder(_ScalarResolver):
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
                for expanded, limit, unit in (
                    (self.expanded, self.limits.max_alias_expansion, "values"),
                    (self.expanded_characters, self.limits.max_alias_characters, "characters"),
                ):
                    if expanded > limit:
                        raise self.fail(
                            f"aliases expand past {limit} {unit}; "
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
