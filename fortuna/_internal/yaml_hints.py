"""What to write instead, for the YAML syntax errors people make in mandates.

The YAML parser says where it gave up in its own terms ("found character that cannot start
any token", "did not find expected key"); :func:`explain` turns the common ones into one
sentence about the mandate: quote a reference, align a line with its siblings, quote a
value holding ": ". Anything else keeps the parser's words, after "YAML syntax:".
"""

from __future__ import annotations

import re

from fortuna._internal.findings import cut

__all__ = ["explain"]

_TOKEN = re.compile(r"[^\s,\]}#]+")
_RESERVED = {"@": "a reference", "`": "a value"}


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def explain(problem: str, text: str, line: int, column: int) -> str | None:
    """A message for the parser's ``problem`` at 0-based ``line``/``column`` of ``text``,
    or None when there is nothing better to say than the parser."""
    lines = text.splitlines()
    here = lines[line] if 0 <= line < len(lines) else ""
    char = here[column:column + 1]
    if "cannot start any token" in problem and char in _RESERVED:
        found = _TOKEN.match(here, column)
        token = found.group() if found else char
        return (f"{_RESERVED[char]} starting with {char} must be quoted in YAML: write "
                f'"{cut(token)}" instead of {cut(token)}')
    if ("did not find expected key" in problem or "expected <block end>" in problem
            or "did not find expected '-' indicator" in problem):
        previous = [_indent(text_line) for text_line in lines[max(line - 1, 0):line]
                    if text_line.strip()]
        return (f"line {line + 1} is indented {_indent(here)} spaces"
                + (f", the line above {previous[0]}" if previous else "")
                + ": YAML nests by indentation; align the line with the keys it belongs "
                "with (every key of one mapping starts in the same column)")
    if "mapping values are not allowed" in problem:
        return ('a ": " inside an unquoted value: quote the whole value ("a: b"), or put '
                "the nested mapping on its own indented line")
    return None
