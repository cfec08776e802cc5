"""No secret in any output: recognisable secrets through every path a run or a
validation can print, in both log formats, on success and on each failure."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.ccxt.conftest import new_ledger
from tests.ccxt.standins.base import StandIn
from tests.ccxt.standins.binance import BinanceStandIn

ROOT = Path(__file__).resolve().parents[2]
FORTUNA = [sys.executable, "-m", "fortuna"]
KEY = "LEAKCHECK-apikey-7f3a9c51e0"
SECRET = "LEAKCHECK-secret-b81d22aa9f"
WRONG_KEY = "LEAKCHECK-wrongkey-44c0e1d7"
PG_PASSWORD = "LEAKCHECK-pgpass-55aa91"
ALL = (KEY, SECRET, WRONG_KEY, PG_PASSWORD)
FORMATS = ["console", "json"]


def assert_clean(output: str) -> None:
    """Not a secret, nor any fragment of one long enough to be recognised."""
    for secret in ALL:
        for form in (secret, quote(secret, safe=""), secret[len("LEAKCHECK-"):]):
            assert form not in output, f"{form!r} printed:\n{output}"


async def fortuna(*args: str, env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *args, cwd=ROOT, env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(120):
        out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode() + err.decode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def binance() -> AsyncIterator[StandIn]:
    standin = BinanceStandIn(new_ledger(), api_key=KEY, secret=SECRET)
    await standin.start()
    try:
        yield standin
    finally:
        await standin.stop()


def ccxt_mandate(tmp_path: Path, api_url: str) -> Path:
    path = tmp_path / "ccxt.yaml"
    path.write_text(f"""\
service: "@mm"
components:
  binance:
    id: exchanges.ccxt.binance
    args: {{api_key: !env LC_KEY, secret: !env LC_SECRET, api_url: "{api_url}",
            symbols: [BTC/USDT], retries: 1, retry_backoff: 0.01, timeout: 2}}
  price: {{id: prices.ticker, args: {{exchange: "@binance", symbol: BTC/USDT}}}}
  ladder: {{id: market_making.strategies.ladder, args: {{levels: 1, spread: 0.01, amount: 0.001}}}}
  executor: {{id: market_making.executors.exchange}}
  mm:
    id: market_making
    args: {{exchange: "@binance", symbol: BTC/USDT, price: "@price", strategy: "@ladder",
            executor: "@executor", mandate: leakcheck, interval: 200ms, cancel_timeout: 1s}}
""")
    return path


def sim_mandate_with_postgres(tmp_path: Path) -> Path:
    path = tmp_path / "pg.yaml"
    path.write_text("""\
service: "@mm"
components:
  clock: {id: clock.virtual}
  sim: {id: exchanges.sim, args: {markets: [{symbol: BTC/USDT, price: 100}],
                                  balances: {BTC: 1, USDT: 1000}}}
  price: {id: prices.ticker, args: {exchange: "@sim", symbol: BTC/USDT}}
  ladder: {id: market_making.strategies.ladder, args: {levels: 1, spread: 0.01, amount: 0.1}}
  executor: {id: market_making.executors.exchange}
  db: {id: sinks.postgres, args: {dsn: !env LC_DSN, connect_timeout: 2}}
  mm:
    id: market_making
    args: {exchange: "@sim", symbol: BTC/USDT, price: "@price", strategy: "@ladder",
           executor: "@executor", mandate: leakcheck, interval: 1s}
""")
    return path


# --- validate -----------------------------------------------------------------------------


@pytest.mark.parametrize("output", ["text", "json"])
async def test_validate_never_echoes_an_env_value_even_in_a_non_secret_arg(
    tmp_path: Path, output: str
) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("""\
service: "@mm"
components:
  binance: {id: exchanges.ccxt.binance, args: {api_key: !env LC_KEY, secret: !env LC_SECRET,
            timeout: !env LC_SECRET}}
  price: {id: prices.ticker, args: {exchange: "@binance", symbol: !env LC_KEY}}
""")
    code, printed = await fortuna(*FORTUNA, "validate", "--format", output, str(path),
                                  env={"LC_KEY": KEY, "LC_SECRET": SECRET})
    assert code == 1
    assert "components.price.args.symbol" in printed  # the mistake is reported...
    assert "the value of !env LC_KEY" in printed  # ...by where the value came from
    assert "the value of !env LC_SECRET" in printed
    assert_clean(printed)


# --- run ------------------------------------------------------------------------------------


@pytest.mark.parametrize("log_format", FORMATS)
async def test_a_run_that_trades_and_stops_prints_no_secret(
    tmp_path: Path, binance: StandIn, log_format: str
) -> None:
    code, printed = await fortuna(
        *FORTUNA, "run", str(ccxt_mandate(tmp_path, binance.url)), "--duration", "2",
        "--log-format", log_format, "--log-level", "debug",
        env={"LC_KEY": KEY, "LC_SECRET": SECRET},
    )
    assert code == 0, printed
    assert binance.creates()  # it did send signed orders
    assert_clean(printed)


@pytest.mark.parametrize("log_format", FORMATS)
async def test_a_venue_that_refuses_the_key_fails_the_run_without_printing_it(
    tmp_path: Path, binance: StandIn, log_format: str
) -> None:
    code, printed = await fortuna(
        *FORTUNA, "run", str(ccxt_mandate(tmp_path, binance.url)), "--duration", "5",
        "--log-format", log_format, env={"LC_KEY": WRONG_KEY, "LC_SECRET": SECRET},
    )
    assert code == 3, printed
    assert "AuthenticationError" in printed
    assert "Traceback" in printed or '"exception"' in printed  # the failure is shown...
    assert_clean(printed)  # ...with neither locals nor secrets


@pytest.mark.parametrize("log_format", FORMATS)
async def test_an_unreachable_venue_fails_the_run_without_printing_a_secret(
    tmp_path: Path, log_format: str
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    code, printed = await fortuna(
        *FORTUNA, "run", str(ccxt_mandate(tmp_path, url)), "--duration", "5",
        "--log-format", log_format, env={"LC_KEY": KEY, "LC_SECRET": SECRET},
    )
    assert code == 3, printed
    assert "failed to load" in printed
    assert_clean(printed)


@pytest.mark.parametrize("log_format", FORMATS)
async def test_a_bad_postgres_dsn_fails_the_run_without_printing_its_password(
    tmp_path: Path, log_format: str
) -> None:
    dsn = f"postgresql://leakcheck:{PG_PASSWORD}@127.0.0.1:{free_port()}/test"
    code, printed = await fortuna(
        *FORTUNA, "run", str(sim_mandate_with_postgres(tmp_path)), "--duration", "5",
        "--log-format", log_format, env={"LC_DSN": dsn},
    )
    assert code == 3, printed
    assert "db" in printed
    assert_clean(printed)


@pytest.mark.parametrize("log_format", FORMATS)
async def test_a_crash_in_a_tick_prints_neither_the_secret_nor_the_frames_locals(
    log_format: str,
) -> None:
    code, printed = await fortuna(
        sys.executable, str(Path(__file__).with_name("crash_child.py")), log_format,
        env={"CRASH_SECRET": KEY},
    )
    assert code == 3, printed
    assert "venue refused the request signed with **********" in printed
    assert "X-Nested" in printed  # the message's structure survives, the secret does not
    assert "locals" not in printed  # frames are rendered without their local variables
    assert_clean(printed)


async def test_a_graphs_secrets_are_redacted_while_it_lives_and_released_after() -> None:
    from fortuna import Position, start
    from fortuna._internal.plan import Plan, PlannedComponent
    from fortuna._internal.redaction import redact_text
    from tests.runtime.crash_child import Leaky

    args = {"interval": "1s", "api_key": KEY}
    plan = Plan(source="leaky.yaml", service="svc", components={
        "svc": PlannedComponent("svc", "tests.leaky", Leaky, args, (), Position(1, 1))})
    async with start(plan):
        assert redact_text(f"signed with {KEY}!") == "signed with **********!"
        assert redact_text(quote(KEY, safe="")) == "**********"
    assert redact_text(KEY) == KEY  # an embedding process does not collect them forever
