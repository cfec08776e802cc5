"""Structured logs (component on every line, exact Decimals, redacted secrets) and settings."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal

import pytest
import structlog
from pydantic import SecretStr, ValidationError

from fortuna import Component, Context, NoArgs
from fortuna._internal.logging import REDACTED, configure_logging
from fortuna._internal.settings import Settings


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging("debug", "json", stream=stream)
    yield stream
    structlog.reset_defaults()
    logging.getLogger().handlers.clear()


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


class Quote(Component[NoArgs]):
    """A component that logs."""


def test_a_components_lines_carry_its_name(json_log: io.StringIO) -> None:
    Quote(NoArgs(), Context(name="quoter")).log.info("quoted", side="buy")
    (line,) = lines(json_log)
    assert line["component"] == "quoter"
    assert line["event"] == "quoted"
    assert line["level"] == "info"


def test_lines_without_a_component_are_the_runtimes(json_log: io.StringIO) -> None:
    structlog.get_logger().warning("hello")
    logging.getLogger("aiohttp.client").warning("from a library")
    first, second = lines(json_log)
    assert first["component"] == "fortuna"
    assert second["component"] == "aiohttp.client"


def test_decimals_are_logged_as_their_exact_strings(json_log: io.StringIO) -> None:
    structlog.get_logger().info(
        "fill", price=Decimal("0.1000000000000000055511"), amounts=[Decimal("1E-18")]
    )
    (line,) = lines(json_log)
    assert line["price"] == "0.1000000000000000055511"
    assert line["amounts"] == ["1E-18"]


def test_secrets_never_reach_the_output(json_log: io.StringIO) -> None:
    structlog.get_logger().info(
        "connecting",
        credentials=SecretStr("hunter2"),
        api_key="abc123",
        options={"password": "pw", "secretToken": "t", "venue": "binance"},
        note=SecretStr("s3cret"),
    )
    text = json_log.getvalue()
    for secret in ("hunter2", "abc123", '"pw"', '"t"', "s3cret"):
        assert secret not in text
    (line,) = lines(json_log)
    assert line["api_key"] == REDACTED
    assert line["options"] == {"password": REDACTED, "secretToken": REDACTED, "venue": "binance"}


def test_lines_below_the_level_are_dropped() -> None:
    stream = io.StringIO()
    configure_logging("warning", "json", stream=stream)
    try:
        log = structlog.get_logger()
        log.info("noise")
        log.warning("signal")
        assert [line["event"] for line in lines(stream)] == ["signal"]
    finally:
        structlog.reset_defaults()


def test_the_console_format_is_for_people_and_still_names_the_component() -> None:
    stream = io.StringIO()
    configure_logging("info", "console", stream=stream)
    try:
        Quote(NoArgs(), Context(name="quoter")).log.info("quoted", price=Decimal("2.50"))
        text = stream.getvalue()
        assert "quoted" in text
        assert "component=quoter" in text
        assert "price=2.50" in text
        assert not text.startswith("{")
    finally:
        structlog.reset_defaults()


def test_importing_fortuna_imports_no_structlog() -> None:
    code = "import sys, fortuna; print('structlog' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_settings_take_flags_over_environment_over_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings.resolve().log_level == "info"
    monkeypatch.setenv("FORTUNA_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("FORTUNA_UNLOAD_TIMEOUT", "30s")
    assert Settings.resolve().log_level == "warning"
    assert Settings.resolve().unload_timeout == 30
    assert Settings.resolve(log_level="debug", unload_timeout=None).log_level == "debug"
    assert Settings.resolve(log_level="debug", unload_timeout=None).unload_timeout == 30


def test_settings_refuse_an_unknown_log_format() -> None:
    with pytest.raises(ValidationError, match="log_format"):
        Settings.resolve(log_format="xml")
