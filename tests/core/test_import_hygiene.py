"""Validating mandates and exporting the schema import no heavy library.

Validation runs in CI and in editors' save hooks; it must stay fast and work where no
venue client is configured. So plugin modules import ccxt, aiohttp, SQLAlchemy and the
database drivers only when a component loads, never at module import.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO

HEAVY = ["ccxt", "aiohttp", "sqlalchemy", "asyncpg", "aiosqlite", "web3", "solana", "solders",
         "multiversx_sdk", "structlog",
         "hydra", "numpy"]

PROBE = """
import json, sys
from pathlib import Path
import fortuna
from fortuna._internal.schema import mandate_schema
from fortuna._internal.registry import Registry

for path in sorted(Path("configs").rglob("*.yaml")):
    fortuna.validate(path)
registry = Registry.default()
for component_id in registry.ids():
    registry.resolve(component_id)
mandate_schema(registry)
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in {heavy})))
"""


def test_validation_and_schema_export_import_no_heavy_library() -> None:
    probe = PROBE.replace("{heavy}", repr(set(HEAVY)))
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []


def test_importing_fortuna_imports_neither_asyncio_nor_the_runtime() -> None:
    probe = ("import sys, fortuna; print(sorted(m for m in sys.modules if m == 'asyncio' or "
             "m.startswith(('fortuna._internal.container', 'fortuna._internal.runtime'))))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def _modules_after(probe: str) -> list[str]:
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    loaded: list[str] = json.loads(result.stdout.splitlines()[-1])
    return loaded


def test_import_fortuna_is_lazy_and_loads_no_model_machinery() -> None:
    loaded = _modules_after(
        "import sys, json, fortuna; print(json.dumps(sorted(m for m in sys.modules if "
        "m.startswith(('fortuna._internal', 'pydantic.main', 'asyncio')))))")
    assert loaded == []


def test_validating_a_mandate_imports_neither_asyncio_nor_the_runtime() -> None:
    loaded = _modules_after(
        "import sys, json\n"
        "from fortuna import validate\n"
        "from tests.core import catalog_fixture\n"
        "report = validate({'service': '@bot', 'components': {\n"
        "    'v': {'id': 'test.venue'},\n"
        "    'p': {'id': 'test.price', 'args': {'venue': '@v', 'symbol': 'X/Y'}},\n"
        "    'bot': {'id': 'test.bot', 'args': {'venue': '@v', 'pricing': '@p', 'amount': 1}}}},\n"
        "    registry=catalog_fixture.registry())\n"
        "assert report.ok, report.findings\n"
        "print(json.dumps(sorted(m for m in sys.modules if m == 'asyncio' or m.startswith(\n"
        "    ('fortuna._internal.container', 'fortuna._internal.runtime',\n"
        "     'fortuna._internal.ticker', 'fortuna._internal.clock')))))")
    assert loaded == []
