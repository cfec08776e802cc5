"""Suggestions ("did you mean"): the closest known name to a misspelt one, from an index.

Scanning every name for every misspelling is quadratic: a file with one typo per component
and twenty thousand components never finishes. The index instead maps every name, and
every way of deleting one character from it, to the names it came from (lower-cased, so
case slips are found too). Two words within two edits of each other (a typo, a missing,
extra, swapped or wrong character) share such a key, so a query looks up its own keys, at
most ``len(word) + 1`` of them, ranks the few candidates found, and touches nothing else.

The work per query is bounded: names and queries longer than :data:`MAX_LENGTH` are not
indexed or looked up, and at most :data:`MAX_CANDIDATES` candidates are ranked.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["Suggester", "closest"]

MAX_LENGTH = 64
MAX_CANDIDATES = 32
CUTOFF = 0.4
"""The largest share of a word's characters that may be edited for a suggestion."""


def _keys(word: str) -> list[str]:
    return [word, *{word[:i] + word[i + 1:] for i in range(len(word))}]


class Suggester:
    """The closest of ``names`` to a word, if one is close enough. Built on first use."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names = names
        self._index: dict[str, list[str]] | None = None
        self._answers: dict[str, str | None] = {}

    def _built(self) -> dict[str, list[str]]:
        if self._index is None:
            index: dict[str, list[str]] = {}
            for name in dict.fromkeys(self._names):
                if isinstance(name, str) and len(name) <= MAX_LENGTH:
                    for key in _keys(name.lower()):
                        bucket = index.setdefault(key, [])
                        if len(bucket) < MAX_CANDIDATES:
                            bucket.append(name)
            self._index = index
        return self._index

    def closest(self, word: str) -> str | None:
        """The closest name within two edits of ``word``, and close for its length (at
        most 40 % of its characters edited), or ``None``; ties go to the first name."""
        if word in self._answers:
            return self._answers[word]
        answer: str | None = None
        if len(word) <= MAX_LENGTH:
            index = self._built()
            candidates: dict[str, None] = {}
            for key in _keys(word.lower()):
                for name in index.get(key, ()):
                    candidates[name] = None
                if len(candidates) >= MAX_CANDIDATES:
                    break
            best = CUTOFF
            lowered = word.lower()
            for name in candidates:
                if name == word:
                    continue
                edits = 0.1 if name.lower() == lowered else _distance(lowered, name.lower())
                distance = edits / max(len(word), len(name))
                if distance <= CUTOFF and (answer is None or distance < best):
                    best, answer = distance, name
        self._answers[word] = answer
        return answer


def _distance(a: str, b: str) -> float:
    """Edits between two words known to share a one-deletion key (so at most two): one
    for an extra or missing character, a substitution or a swap of neighbours."""
    if a == b:
        return 0.0
    if len(a) != len(b):
        longer, shorter = (a, b) if len(a) > len(b) else (b, a)
        if len(longer) - len(shorter) == 1 and any(
                longer[:i] + longer[i + 1:] == shorter for i in range(len(longer))):
            return 1.0
        return 2.0
    differ = [i for i in range(len(a)) if a[i] != b[i]]
    if len(differ) == 1:
        return 1.0
    if len(differ) == 2 and differ[1] == differ[0] + 1 and a[differ[0]] == b[differ[1]] \
            and a[differ[1]] == b[differ[0]]:
        return 1.0
    return 2.0


def closest(word: str, names: Iterable[str]) -> str | None:
    """One-off lookup among a few names (an args model's fields, the top-level keys)."""
    return Suggester(names).closest(word)
