"""``fortuna validate`` with severities, the summary line, unset !env variables; graph
labels, --version, durations on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fortuna._internal.cli import main
from tests.checks.base import BASE, planted
from tests.conftest import FortunaRunner

REPO = Path(__file__).resolve().parents[2]
WARNED = planted(BASE, ("  mm:\n", "  spare:\n    id: prices.fixed\n    args: {price: 1}\n"
                                   "  mm:\n"))
WITH_ENV = planted(BASE, ("mandate: checks", "mandate: !env FORTUNA_CHECKS_TEST_NAME"))


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "mandate.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("config", sorted(str(p.relative_to(REPO))
                                          for p in (REPO / "configs").rglob("*.yaml")))
def test_every_shipped_config_is_clean_even_with_strict(
    config: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", "--strict", str(REPO / config)]) == 0
    assert "warning" not in capsys.readouterr().out


def test_a_warning_passes_and_the_summary_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", write(tmp_path, WARNED)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith('components.spare: warning: "spare" (prices.fixed) is referenced by '
                           'nothing, so it does nothing: use it as "@spare" in an arg, or '
                           "remove it")
    assert out[1] == "1 file valid, with 1 warning (--strict makes warnings fail)"


def test_strict_makes_a_warning_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--strict", write(tmp_path, WARNED)]) == 1
    assert capsys.readouterr().err == (
        "0 errors and 1 warning in 1 file (--strict: warnings fail)\n")


def test_json_findings_carry_their_severity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", "--format", "json", write(tmp_path, WARNED)]) == 0
    output = json.loads(capsys.readouterr().out)
    assert output["valid"] is True
    assert [f["severity"] for f in output["findings"]] == ["warning"]
    assert main(["validate", "--strict", "--format", "json", write(tmp_path, WARNED)]) == 1
    assert json.loads(capsys.readouterr().out)["valid"] is False


def test_unset_env_variables_are_listed_not_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FORTUNA_CHECKS_TEST_NAME", raising=False)
    assert main(["validate", write(tmp_path, WITH_ENV)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "valid",
        "a run needs environment variables that are not set here: FORTUNA_CHECKS_TEST_NAME "
        "(not an error; --require-env makes it one)",
    ]


def test_require_env_makes_an_unset_variable_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FORTUNA_CHECKS_TEST_NAME", raising=False)
    assert main(["validate", "--require-env", write(tmp_path, WITH_ENV)]) == 1
    assert "environment variable FORTUNA_CHECKS_TEST_NAME is not set" in (
        capsys.readouterr().out)


def test_graph_edges_are_labelled_with_the_arg(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", write(tmp_path, BASE)]) == 0
    out = capsys.readouterr().out
    assert 'n_mm -- "kill_switches" --> n_stale' in out
    assert 'n_reference -- "exchange" --> n_sim' in out
    assert main(["graph", "--format", "dot", write(tmp_path, BASE)]) == 0
    assert '"mm" -> "risk" [label="risk"];' in capsys.readouterr().out


def test_graph_shows_key_args_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", write(tmp_path, BASE)]) == 0
    assert "max_amount=" not in capsys.readouterr().out
    assert main(["graph", "--args", write(tmp_path, BASE)]) == 0
    out = capsys.readouterr().out
    assert "<small>max_amount=0.05, max_notional=5000</small>" in out
    assert "<small>mandate=checks, symbol=BTC/USDT, interval=1s</small>" in out


def test_graph_key_args_never_show_a_credential_or_an_environment_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORTUNA_CHECKS_TEST_NAME", "from_the_environment")
    text = planted(WITH_ENV, ("  clock:\n", "  binance:\n    id: exchanges.ccxt.binance\n"
                              "    args: {api_key: literal-key-1234, secret: literal-secret-99,"
                              " timeout: 5s}\n  clock:\n"))
    for form in ("mermaid", "dot"):
        assert main(["graph", "--args", "--format", form, write(tmp_path, text)]) == 0
        out = capsys.readouterr().out
        assert "timeout=5s" in out
        assert "literal-key-1234" not in out
        assert "literal-secret-99" not in out
        assert "from_the_environment" not in out


def test_version_prints_the_installed_version(fortuna_cli: FortunaRunner) -> None:
    from importlib.metadata import version

    result = fortuna_cli("--version")
    assert (result.returncode, result.stdout) == (0, f"fortuna {version('fortuna')}\n")


@pytest.mark.parametrize("text", ["nan", "-5", "0", "0s", "soon", "inf"])
def test_a_bad_run_duration_is_a_usage_error(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["run", write(tmp_path, BASE), "--duration", text])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --duration: {text!r} is not a duration" in err
    assert "Traceback" not in err


def test_a_run_duration_accepts_units_like_mandates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from fortuna._internal.cli import _duration

    assert (_duration("1h"), _duration("90"), _duration("250ms")) == (3600.0, 90.0, 0.25)
