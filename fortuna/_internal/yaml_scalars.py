"""Scalar resolution for the loader: YAML 1.2 core schema, exact numbers, the tags.

A plain scalar becomes null, a bool, an integer (at most 100 digits) or a ``Decimal`` built
from its characters; ``!decimal``, ``!env`` and the standard ``!!`` tags are resolved here and
any other tag is refused. A mixin of the event-stream builder (``yaml_builder.py``), apart so
the rules for one value can be read without the stack that assembles the tree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from fortuna._internal.findings import Finding, Position, dotted, shown
from fortuna._internal.plan import MissingEnv
from fortuna._internal.types import DECIMAL_LITERAL, DIGITS, MAX_NUMBER_TEXT
from fortuna._internal.yaml_document import Document, LoadFailed, Path

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


class _ScalarResolver:
    """The builder's rules for one scalar; the builder supplies the source, env, document."""

    source: str
    env: Mapping[str, str]
    document: Document

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
        # optional while every use of the variable has a default
        self.document.env_names[name] = has_default and self.document.env_names.get(name, True)
        if name in self.env:
            value = self.env[name]
            self.document.env_values[value] = name
            return value
        if has_default:
            return default
        return MissingEnv(name, position)
