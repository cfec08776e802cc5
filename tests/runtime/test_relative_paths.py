"""A relative path in a mandate means the same file whatever folder the run starts from:
it is taken from the mandate file's folder, and the absolute path is logged at start."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from fortuna import Context, Mandate, start
from tests.market_making.mandates import mandate


def write_mandate(folder: Path, *, sink: str, halt: str) -> Path:
    """A market-making mandate on the sim with a SQLite sink and a halt file at the given
    (relative) paths."""
    spec = mandate(
        extra={
            "sink": {"id": "sinks.sqlite", "args": {"path": sink}},
            "halt": {"id": "kill_switches.manual_halt", "args": {"path": halt}},
        },
        kill_switches=["@halt"],
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mandate.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def test_a_relative_path_is_taken_from_the_mandate_folder() -> None:
    context = Context(name="x", directory="/srv/mandates")
    assert context.resolve_path("data/m.sqlite") == Path("/srv/mandates/data/m.sqlite")


def test_an_absolute_path_is_kept_as_written() -> None:
    context = Context(name="x", directory="/srv/mandates")
    assert context.resolve_path("/var/lib/m.sqlite") == Path("/var/lib/m.sqlite")


def test_a_path_climbing_out_of_the_mandate_folder_is_normalised() -> None:
    context = Context(name="x", directory="/srv/mandates/client")
    assert context.resolve_path("../shared/HALT") == Path("/srv/mandates/shared/HALT")


def test_a_home_path_is_expanded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/operator")
    context = Context(name="x", directory="/srv/mandates")
    assert context.resolve_path("~/HALT") == Path("/home/operator/HALT")


def test_without_a_mandate_file_a_relative_path_is_taken_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert Context(name="x").resolve_path("m.sqlite") == tmp_path / "m.sqlite"


def test_a_mandate_read_from_a_file_knows_its_folder(tmp_path: Path) -> None:
    path = write_mandate(tmp_path / "book", sink="m.sqlite", halt="HALT")
    assert Mandate.from_file(path).document.directory == str(tmp_path / "book")


async def test_the_sqlite_file_is_created_beside_the_mandate_whatever_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_mandate(tmp_path / "book", sink="data/m.sqlite", halt="HALT")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    async with start(Mandate.from_file(path)):
        pass
    assert (tmp_path / "book" / "data" / "m.sqlite").exists()
    assert os.listdir(elsewhere) == []


async def test_the_halt_file_is_looked_for_beside_the_mandate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_mandate(tmp_path / "book", sink="m.sqlite", halt="HALT")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "HALT").touch()  # in the working directory: not the mandate's halt file
    async with start(Mandate.from_file(path)) as graph:
        halt = graph["halt"]
        assert await halt.evaluate() is None  # type: ignore[attr-defined]
        (tmp_path / "book" / "HALT").touch()
        assert await halt.evaluate() is not None  # type: ignore[attr-defined]


async def test_the_absolute_paths_are_logged_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from fortuna._internal.logging import configure_logging

    path = write_mandate(tmp_path / "book", sink="m.sqlite", halt="HALT")
    monkeypatch.chdir(tmp_path)
    configure_logging("info", "json")
    async with start(Mandate.from_file(path)):
        pass
    err = capsys.readouterr().err
    assert str(tmp_path / "book" / "m.sqlite") in err
    assert str(tmp_path / "book" / "HALT") in err
