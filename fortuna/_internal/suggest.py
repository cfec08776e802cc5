""""Did you mean": the closest known name to a misspelt one, from an index.

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

import difflib
from collections.abc import Iterable

__all__ = ["Suggester", "closest"]

MAX_LENGTH = 64
MAX_CANDIDATES = 32
CUTOFF = 0.6


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
        """The best match for ``word`` (similarity at least 0.6), or ``None``."""
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
            best = 0.0
            for name in candidates:
                if name == word:
                    continue
                score = difflib.SequenceMatcher(None, word, name).ratio()
                if name.lower() == word.lower():
                    score = 1.0
                if score >= CUTOFF and score > best:
                    best, answer = score, name
        self._answers[word] = answer
        return answer


def closest(word: str, names: Iterable[str]) -> str | None:
    """One-off lookup among a few names (an args model's fields, the top-level keys)."""
    return Suggester(names).closest(word)
