"""Fixtures of the core's tests: the catalog index of the installed catalog, written now."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fortuna._internal.validation_fast import Index
from tests.conftest import REPO
from tests.core.differential import installed_catalog_index


@pytest.fixture(scope="session")
def index_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The index of the installed catalog, written now by ``fortuna index`` (whether the
    committed one is current is CI's separate check)."""
    path = tmp_path_factory.mktemp("index") / "fortuna_index.json"
    result = subprocess.run([sys.executable, "-m", "fortuna", "index", "plugins", "-o",
                             str(path)], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture(scope="session")
def index(index_file: Path) -> Index:
    return installed_catalog_index(str(index_file))


