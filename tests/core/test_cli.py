"""The ``fortuna`` command, run for real: exit codes, located findings, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FortunaRunner

GREETER = """\
# yaml-language-server: $schema=mandate.schema.json
service: "@greeter"
vars:
  loud: !decimal "1.50"
components:
  words: {id: extra.words, args: {words: [hello, world]}}
  greeter: {id: extra.greeter, args: {source: "@words", volume: "@loud"}}
"""


def write(tmp_path: Path, text: str, name: str = "m.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_file_exits_zero_and_prints_a_one_line_summary(
    fortuna_cli: FortunaRunner, tmp_path: Path
) -> None:
    result = fortuna_cli("validate", str(write(tmp_path, GREETER)))
    assert (result.returncode, result.stdout, result.stderr) == (0, "valid\n", "")


def test_invalid_file_exits_one_with_located_findings(
    fortuna_cli: FortunaRunner, tmp_path: Path
) -> None:
    path = write(tmp_path, GREETER.replace('"@words"', '"@wrods"'))
    result = fortuna_cli("validate", str(path))
    assert result.returncode == 1
    assert result.stdout == (f'{path}:7:47: components.greeter.args.source: "@wrods" is not a '
                             'component or var (did you mean "@words"?)\n')
    assert result.stderr.endswith("1 error in 1 file\n")


def test_several_files_are_all_checked(fortuna_cli: FortunaRunner, tmp_path: Path) -> None:
    good = write(tmp_path, GREETER, "good.yaml")
    bad = write(tmp_path, GREETER.replace("extra.words", "extra.word"), "bad.yaml")
    result = fortuna_cli("validate", str(good), str(bad))
    assert result.returncode == 1
    assert result.stdout.count("\n") == 1
    assert 'unknown component "extra.word" (did you mean "extra.words"?)' in result.stdout


def test_a_directory_is_searched_for_mandates(
    fortuna_cli: FortunaRunner, tmp_path: Path
) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", GREETER.replace("1.50", "-1"), "deep.yaml")
    result = fortuna_cli("validate", str(tmp_path))
    assert result.returncode == 1
    assert "deep.yaml:4:9: vars.loud: must be above 0 (got -1)" in result.stdout
    assert 'used by components.greeter.args.volume' in result.stdout


def test_json_format_gives_machine_readable_findings(
    fortuna_cli: FortunaRunner, tmp_path: Path
) -> None:
    path = write(tmp_path, GREETER.replace("volume:", "volum:"))
    result = fortuna_cli("validate", "--format", "json", str(path))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert {"file": str(path), "line": 7, "column": 57, "path": "components.greeter.args.volum",
            "message": 'unknown arg "volum" (did you mean "volume"?)', "severity": "error",
            } in report["findings"]


def test_missing_file_is_a_usage_error(fortuna_cli: FortunaRunner, tmp_path: Path) -> None:
    result = fortuna_cli("validate", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert "nope.yaml: no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_command_line_option_is_a_usage_error(fortuna_cli: FortunaRunner) -> None:
    assert fortuna_cli("validate", "--bogus", "x.yaml").returncode == 2


def test_catalog_lists_ids_with_their_first_docstring_line(fortuna_cli: FortunaRunner) -> None:
    result = fortuna_cli("catalog", "extra")
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "extra.greeter  Says the words of a source, from a plugin package.",
        "extra.words    A fixed list of words, from a plugin package.",
    ]


def test_catalog_describes_one_component_with_its_args(fortuna_cli: FortunaRunner) -> None:
    result = fortuna_cli("catalog", "extra.greeter")
    assert result.returncode == 0
    assert "    source: @WordSource  (required)\n        where the words come from" in (
        result.stdout)
    assert "    times: int  (default: 1; >= 1)" in result.stdout


def test_catalog_with_an_unknown_prefix_suggests(fortuna_cli: FortunaRunner) -> None:
    result = fortuna_cli("catalog", "extra.greter")
    assert result.returncode == 2
    assert 'did you mean "extra.greeter"?' in result.stderr


def test_graph_prints_the_wiring_as_mermaid(fortuna_cli: FortunaRunner, tmp_path: Path) -> None:
    result = fortuna_cli("graph", str(write(tmp_path, GREETER)))
    assert result.returncode == 0
    assert result.stdout.startswith("flowchart LR\n")
    assert '    n_greeter -- "source" --> n_words' in result.stdout


def test_graph_prints_dot_on_request(fortuna_cli: FortunaRunner, tmp_path: Path) -> None:
    result = fortuna_cli("graph", "--format", "dot", str(write(tmp_path, GREETER)))
    assert result.returncode == 0
    assert '    "greeter" -> "words" [label="source"];' in result.stdout


def test_schema_check_fails_on_a_stale_file(fortuna_cli: FortunaRunner, tmp_path: Path) -> None:
    stale = write(tmp_path, "{}", "schema.json")
    result = fortuna_cli("schema", "--check", str(stale))
    assert result.returncode == 1
    assert "is stale" in result.stderr


def test_schema_output_is_written_and_then_checks_clean(
    fortuna_cli: FortunaRunner, tmp_path: Path
) -> None:
    target = tmp_path / "schema.json"
    assert fortuna_cli("schema", "-o", str(target)).returncode == 0
    assert fortuna_cli("schema", "--check", str(target)).returncode == 0
    assert "extra.greeter" in target.read_text()


BAD_INPUTS = {
    "yaml syntax": "service: [\n",
    "tabs": "service:\t'@x'\n\tcomponents: {}\n",
    "not a mapping": "- a\n- b\n",
    "scalar document": "42\n",
    "duplicate key": GREETER + "service: '@words'\n",
    "python tag": "service: !!python/object/apply:os.system [ls]\ncomponents: {}\n",
    "billion laughs": "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcdef", "bcdefg",
                                                                     strict=True)),
    "deep nesting": "service: " + "[" * 5000 + "\n",
    "unknown id": GREETER.replace("extra.words", "extra.wrds"),
    "unknown arg": GREETER.replace("volume:", "volumes:"),
    "wrong type": GREETER.replace('"@loud"', "[1, 2]"),
    "float string": GREETER.replace('!decimal "1.50"', "one-and-a-half"),
    "wrong interface": GREETER.replace('source: "@words"', 'source: "@greeter"'),
    "missing arg": GREETER.replace(', volume: "@loud"', ""),
    "cycle": GREETER.replace('loud: !decimal "1.50"', 'loud: "@loud"'),
    "service not a service": GREETER.replace('service: "@greeter"', 'service: "@words"'),
    "service missing": GREETER.replace('service: "@greeter"\n', ""),
    "binary garbage": "\x00\x01\x02 service",
    "nan": GREETER.replace('!decimal "1.50"', ".nan"),
    "env with bad shape": GREETER.replace('!decimal "1.50"', "!env {a: b}"),
    "components a list": "service: '@x'\ncomponents: [a, b]\n",
    "args a list": GREETER.replace("args: {words: [hello, world]}", "args: [1]"),
    "empty": "",
    "only comments": "# nothing\n",
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_gets_a_located_message_and_exit_one_never_a_traceback(
    fortuna_cli: FortunaRunner, tmp_path: Path, name: str
) -> None:
    path = write(tmp_path, BAD_INPUTS[name])
    result = fortuna_cli("validate", str(path))
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.startswith(str(path) + ":"), result.stdout


def test_file_that_is_not_utf8_is_reported_not_crashed(
    fortuna_cli: FortunaRunner, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"service: '\xe9'\n")
    result = fortuna_cli("validate", str(path))
    assert result.returncode == 1
    assert "not UTF-8 text" in result.stdout


def test_run_starts_a_plugin_service_and_exits_zero_when_it_finishes(
    fortuna_cli: FortunaRunner, tmp_path: Path
) -> None:
    path = write(tmp_path, GREETER.replace('volume: "@loud"', 'volume: "@loud", times: 2'))
    result = fortuna_cli("run", "--log-format", "json", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == ["hello world 1.50", "hello world 1.50"]


def test_run_refuses_an_invalid_mandate_with_exit_one(
    fortuna_cli: FortunaRunner, tmp_path: Path
) -> None:
    result = fortuna_cli("run", str(write(tmp_path, GREETER.replace("extra.words", "nope"))))
    assert result.returncode == 1
    assert 'unknown component "nope"' in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_run_refuses_an_unset_env_variable_that_validate_tolerates(
    fortuna_cli: FortunaRunner, tmp_path: Path
) -> None:
    path = write(tmp_path, GREETER.replace('!decimal "1.50"', "!env GREETER_VOLUME"))
    assert fortuna_cli("validate", str(path)).returncode == 0
    result = fortuna_cli("run", str(path))
    assert result.returncode == 1
    assert "environment variable GREETER_VOLUME is not set" in result.stderr


def test_run_accepts_every_documented_setting_flag(
    fortuna_cli: FortunaRunner, tmp_path: Path
) -> None:
    path = write(tmp_path, GREETER)
    result = fortuna_cli("run", "--log-level", "critical", "--log-format", "json",
                         "--unload-timeout", "2.5", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # nothing is critical in a clean run


def test_run_refuses_a_negative_unload_timeout_as_a_usage_error(
    fortuna_cli: FortunaRunner, tmp_path: Path
) -> None:
    result = fortuna_cli("run", "--unload-timeout", "-1", str(write(tmp_path, GREETER)))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
