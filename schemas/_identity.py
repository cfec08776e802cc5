"""Whether a computation's inputs are the very objects it saw last time (a reuse test).

A tick reuses a step's last result (market making's quantizing, funding and
reconciliation; the run summary's quote state) only when every input is the same object,
in the same order, as last time, and only for immutable inputs (quotes are tuples of
immutable values, orders frozen contract models): then the step would compute the same
result again. It never compares values, which can be equal for numbers written
differently.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import is_

__all__ = ["same_objects"]


def same_objects(these: Sequence[object], those: Sequence[object]) -> bool:
    """The same objects in the same order (``is``, element by element)."""
    return len(these) == len(those) and all(map(is_, these, those))
