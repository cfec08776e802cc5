"""The README's promises, checked: its Python example runs and its commands exist."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)


def test_the_python_example_runs() -> None:
    (example,) = [block for block in python_blocks() if "fortuna.start" in block]
    result = subprocess.run([sys.executable, "-c", example], capture_output=True, text=True,
                            cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "balances=" in result.stdout


def test_the_two_commands_are_the_scripts_ci_uses() -> None:
    assert "./scripts/demo" in README
    assert "./scripts/test" in README
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/test" in ci
    assert (REPO / "scripts" / "demo").exists()
    assert (REPO / "scripts" / "test").exists()
