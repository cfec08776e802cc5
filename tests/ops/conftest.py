"""Every child ``fortuna run`` a test starts is ended when the test ends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ops.support import Runner

Spawn = Callable[..., Runner]


@pytest.fixture
def spawn() -> Iterator[Spawn]:
    runners: list[Runner] = []

    def start(mandate: Path, *args: str, **options: Any) -> Runner:
        runner = Runner(mandate, *args, **options)
        runners.append(runner)
        return runner

    yield start
    for runner in runners:
        runner.close()
