"""Fixtures shared by every test area."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXTRA_PLUGIN = REPO / "tests" / "fixtures" / "extra_plugin"


@pytest.fixture(scope="session")
def extra_plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The separate distribution in tests/fixtures/extra_plugin, installed into a target
    directory that the test processes put on their path (the venv itself stays as it is)."""
    source = tmp_path_factory.mktemp("extra_src") / "extra_plugin"
    shutil.copytree(EXTRA_PLUGIN, source)
    target = tmp_path_factory.mktemp("extra_site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
         "--no-build-isolation", "--target", str(target), str(source)],
        check=True, capture_output=True,
    )
    return target


FortunaRunner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def fortuna_cli(extra_plugin_path: Path) -> FortunaRunner:
    """Run the real ``fortuna`` command in a subprocess, with the extra plugin installed."""

    def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "PYTHONPATH": str(extra_plugin_path), **(env or {})}
        environment.pop("FORTUNA_DEBUG", None)
        return subprocess.run(
            [sys.executable, "-m", "fortuna", *args], capture_output=True, text=True,
            cwd=cwd or REPO, env=environment, timeout=timeout,
        )

    return run
