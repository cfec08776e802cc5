"""Fortuna's own words for what pydantic found wrong with a value.

Pydantic phrases errors for programmers ("Input should be greater than 0", "Value error,
...", "String should match pattern '^[A-Z]+$'"). :func:`plain` says the same for a person
writing a mandate: what the value must be, in Fortuna's terms, never a regex. The field's
description (which says the expected form: "a fraction: 0.001 = 10 bps") is added by the
caller.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["plain"]

_PYDANTIC = re.compile(
    r"^(?:(?:Input|String|List|Tuple|Set|Dictionary|Value|Decimal|Object|Data|Float|Integer"
    r"|Number|URL) should |Value error, |Assertion failed, |Unable to |Invalid )")


def _items(count: Any, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _listed(expected: Any) -> str:
    return str(expected).replace("'", '"')


def plain(kind: str, message: str, ctx: dict[str, Any]) -> str:
    """What the value must be, for a pydantic error of type ``kind``; a message that is
    not pydantic's own wording (Fortuna's types say theirs) is kept."""
    if not _PYDANTIC.match(message):
        return message
    simple = {
        "int_parsing": "must be a whole number",
        "int_type": "must be a whole number",
        "int_from_float": "must be a whole number",
        "float_parsing": "must be a number",
        "float_type": "must be a number",
        "decimal_parsing": "must be a number",
        "decimal_type": "must be a number",
        "bool_parsing": "must be true or false",
        "bool_type": "must be true or false",
        "string_type": "must be text",
        "dict_type": "must be a mapping of names to values",
        "model_type": "must be a mapping of names to values",
        "model_attributes_type": "must be a mapping of names to values",
        "list_type": "must be a list",
        "tuple_type": "must be a list",
        "set_type": "must be a list",
        "none_required": "must be left out (or null)",
        "string_pattern_mismatch": "is not in the form this arg takes",
        "url_parsing": "must be a URL",
        "url_scheme": "must be a URL with a scheme the arg takes",
    }
    if kind in simple:
        return simple[kind]
    bounds = {"greater_than": ("gt", "above"), "greater_than_equal": ("ge", "at least"),
              "less_than": ("lt", "below"), "less_than_equal": ("le", "at most")}
    if kind in bounds:
        key, words = bounds[kind]
        return f"must be {words} {ctx.get(key)}"
    if kind in ("literal_error", "enum"):
        return f"must be one of {_listed(ctx.get('expected', ''))}"
    if kind == "string_too_short":
        return f"must have at least {_items(ctx.get('min_length'), 'character')}"
    if kind == "string_too_long":
        return f"must have at most {_items(ctx.get('max_length'), 'character')}"
    if kind == "too_short":
        return f"must have at least {_items(ctx.get('min_length'), 'item')}"
    if kind == "too_long":
        return f"must have at most {_items(ctx.get('max_length'), 'item')}"
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            return message[len(prefix):]
    if message.startswith("Input should be "):
        return "must be " + message[len("Input should be "):]
    return message
