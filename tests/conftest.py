"""Fixtures shared by every test area.

The suite runs in parallel (``scripts/test`` starts pytest-xdist workers), so nothing a
test touches may be fixed: servers listen on port 0 (the system picks a free one),
PostgreSQL objects live in a schema named with a fresh uuid (``tests.sinks.support.
unique_name``), files go under ``tmp_path``. Work that is done once for the whole run
(installing the extra plugin, ``npm ci`` for the editor tests) goes through
:func:`once_per_run` or :func:`one_at_a_time`, so workers neither repeat it nor race.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXTRA_PLUGIN = REPO / "tests" / "fixtures" / "extra_plugin"


def _run_root(factory: pytest.TempPathFactory) -> Path | None:
    """The temporary directory every worker of this run shares; None without workers.

    Each pytest-xdist worker gets its own base temporary directory inside the run's own
    one (``pytest-N/popen-gwK``); a process without workers has nobody to share with.
    """
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return None
    return factory.getbasetemp().parent


@contextlib.contextmanager
def one_at_a_time(factory: pytest.TempPathFactory, name: str) -> Iterator[None]:
    """Hold the run-wide lock called ``name``: one worker at a time runs the block."""
    root = _run_root(factory)
    if root is None:
        yield
        return
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def once_per_run(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
                 ) -> Path:
    """A directory ``build`` filled once for the whole run, shared by every worker.

    The first worker to take the lock builds it; the others wait, then reuse it. A build
    that raised leaves no mark, so the next worker tries again (and reports its own error).
    """
    root = _run_root(factory)
    if root is None:
        target = factory.mktemp(name)
        build(target)
        return target
    target = root / name
    done = root / f"{name}.done"
    with one_at_a_time(factory, name):
        if not done.exists():
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
            build(target)
            done.touch()
    return target


def _install_extra_plugin(directory: Path) -> None:
    source = directory / "src" / "extra_plugin"
    shutil.copytree(EXTRA_PLUGIN, source)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
         "--no-build-isolation", "--target", str(directory / "site"), str(source)],
        check=True, capture_output=True,
    )


@pytest.fixture(scope="session")
def extra_plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The separate distribution in tests/fixtures/extra_plugin, installed into a target
    directory that the test processes put on their path (the venv itself stays as it is).
    Installed once per run, whatever the number of workers."""
    return once_per_run(tmp_path_factory, "extra_plugin", _install_extra_plugin) / "site"


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


def copy_of_mandate(path: Path, folder: Path) -> Path:
    """A copy of the mandate file ``path`` in ``folder``: relative paths in a mandate (its
    SQLite file, its halt file, its journal) are taken from the mandate's own folder, so a
    test runs a shipped config from a copy to keep what it writes out of the source tree."""
    copy = folder / path.name
    copy.write_bytes(path.read_bytes())
    return copy


_SHIPPED = REPO / "configs"
_SHIPPED_FILES: set[Path] = set()


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        _SHIPPED_FILES.update(_SHIPPED.rglob("*"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A test that ran a shipped config in place would have written beside it (relative
    paths follow the mandate file): the run fails, naming what appeared."""
    if os.environ.get("PYTEST_XDIST_WORKER") is not None:
        return
    appeared = sorted(str(p.relative_to(REPO)) for p in set(_SHIPPED.rglob("*")) - _SHIPPED_FILES)
    if appeared:
        print(f"\ntests wrote into configs/ (run shipped configs from copy_of_mandate): "
              f"{', '.join(appeared)}", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
