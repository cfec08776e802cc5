"""Validation costs a bounded multiple of parsing, whatever the file holds.

Parsing reads every character once, so its time is the file's size in the units of this
machine at this moment. Each hostile shape below (the ones that used to be quadratic or
worse) is validated in the same process right after it is parsed, and must take at most
:data:`MULTIPLE` times as long: a measure of work, not a wall-clock threshold, so a busy
machine slows both sides alike. The multiple is generous (a healthy file is about 2-7x);
quadratic work at these sizes is hundreds of times over it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from fortuna import validate
from fortuna._internal.loader import Document
from tests.core import hostile

MULTIPLE = 30

SHAPES: dict[str, Callable[[], str]] = {
    "one misspelt reference per component": lambda: hostile.misspelt_references(2_000),
    "a long chain of vars": lambda: hostile.chained_vars(4_000),
    "one bad value aliased many times": lambda: hostile.aliased_bad_value(20_000),
    "a long scalar aliased a few times": lambda: hostile.aliased_long_scalar(200_000, 40),
    "many bad components": lambda: hostile.many_bad_components(1_000),
}


def cpu(work: Callable[[], object]) -> float:
    """The least CPU time of two runs of ``work`` (the least is the least disturbed)."""
    best = float("inf")
    for _ in range(2):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


@pytest.mark.parametrize("shape", SHAPES)
def test_validation_takes_a_bounded_multiple_of_parse_time(shape: str) -> None:
    text = SHAPES[shape]()
    documents: list[Document] = []
    parse = cpu(lambda: documents.append(hostile.parse(text)))
    check = cpu(lambda: validate(documents[-1], registry=hostile.REGISTRY))
    assert check <= MULTIPLE * parse, f"{shape}: {check / parse:.1f}x parse time"
