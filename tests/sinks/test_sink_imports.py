"""Validating a mandate imports the sink and collector modules: that must stay cheap."""

from __future__ import annotations

import subprocess
import sys

MODULES = [
    "plugins.sinks.postgres", "plugins.sinks.sqlite", "plugins.sinks.log",
    "plugins.metrics.balances", "plugins.metrics.spread", "plugins.metrics.depth",
    "plugins.metrics.fills",
]
HEAVY = ["sqlalchemy", "asyncpg", "aiosqlite", "sqlite3"]


def test_importing_the_sinks_and_collectors_imports_no_database_library() -> None:
    code = (
        "import sys\n"
        f"for name in {MODULES!r}:\n"
        "    __import__(name)\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
