"""``fortuna run FILE`` as a function: exit codes and messages, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from fortuna._internal.cli.exit_codes import EXIT_INVALID, EXIT_USAGE
from fortuna._internal.cli.run_command import run_command


def test_a_missing_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "absent.yaml"
    assert run_command(str(path)) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count(str(path)) == 1
    assert "Traceback" not in err


def test_an_invalid_mandate_prints_each_finding_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "clockwork.yaml"
    path.write_text('service: "@tick"\ncomponents:\n  tick: {id: clock.virtual}\n')
    assert run_command(str(path)) == EXIT_INVALID
    err = capsys.readouterr().err.strip().splitlines()
    assert err
    assert all(line.startswith(f"{path}:") for line in err)


def test_a_bad_setting_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_command(str(tmp_path / "x.yaml"), log_format="xml") == EXIT_USAGE
    assert "log_format" in capsys.readouterr().err
