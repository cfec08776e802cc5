"""Imports point one way: plugins -> schemas -> fortuna, and nobody reaches into the
core's internals."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def sources(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


@pytest.mark.parametrize(("package", "forbidden"), [
    ("fortuna", ("schemas", "plugins")),
    ("schemas", ("plugins",)),
])
def test_a_layer_never_imports_the_layers_above_it(
    package: str, forbidden: tuple[str, ...]
) -> None:
    offenders = [
        f"{path.relative_to(REPO)} imports {module}"
        for path in sources(package)
        for module in imported_modules(path)
        if module.split(".")[0] in forbidden
    ]
    assert offenders == []


@pytest.mark.parametrize("package", ["schemas", "plugins"])
def test_the_catalog_uses_only_the_public_core(package: str) -> None:
    offenders = [
        f"{path.relative_to(REPO)} imports {module}"
        for path in sources(package)
        for module in imported_modules(path)
        if module.startswith("fortuna._internal")
    ]
    assert offenders == []
