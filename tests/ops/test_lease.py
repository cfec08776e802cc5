"""``fortuna run --lease``: at most one runner per mandate, against the real PostgreSQL.

Every test uses a key of its own (a fresh uuid), so tests running at once never meet.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from fortuna._internal.cli.exit_codes import EXIT_FAILED, EXIT_LEASE, EXIT_OK, EXIT_USAGE
from tests.ops.conftest import Spawn
from tests.ops.support import FORTUNA, Runner, quoting_mandate
from tests.sinks.support import (
    CuttableProxy,
    connect,
    postgres_dsn,
    unique_name,
    via_port,
)

TTL = 2.0


def lease(key: str, ttl: float = TTL, *more: str) -> tuple[str, ...]:
    return ("--lease", postgres_dsn(), "--lease-key", key, "--lease-ttl", f"{ttl}s", *more)


def trading(runner: Runner) -> None:
    runner.wait_event("lease acquired")
    runner.wait_event("status")


def holder_and_waiter(tmp_path: Path, spawn: Spawn, ttl: float = TTL
                      ) -> tuple[Runner, Runner]:
    """A runner trading under a fresh lease, and a second one waiting for that lease."""
    key = unique_name("lease")
    mandate = quoting_mandate(tmp_path)
    first = spawn(mandate, *lease(key, ttl))
    trading(first)
    second = spawn(mandate, *lease(key, ttl, "--lease-wait"), log=tmp_path / "second.log")
    second.wait_event("lease held by another runner; waiting")
    return first, second


def test_a_second_runner_of_the_same_mandate_refuses_to_start(
    tmp_path: Path, spawn: Spawn
) -> None:
    key = unique_name("lease")
    mandate = quoting_mandate(tmp_path)
    first = spawn(mandate, *lease(key))
    trading(first)
    second = spawn(mandate, *lease(key), log=tmp_path / "second.log")
    assert second.wait() == EXIT_LEASE
    assert second.named("graph loaded") == []  # refused before anything loaded
    [refused] = second.named("lease held by another runner; not started")
    assert f"lease {key!r} is held by" in refused["reason"]
    assert first.process.poll() is None
    assert first.stop() == EXIT_OK


def test_a_waiting_runner_takes_over_within_the_ttl_when_the_holder_is_killed(
    tmp_path: Path, spawn: Spawn
) -> None:
    first, second = holder_and_waiter(tmp_path, spawn)
    assert second.named("graph loaded") == []
    first.signal(signal.SIGKILL)
    killed = time.monotonic()
    taken = second.wait_event("lease acquired")
    took = time.monotonic() - killed
    assert took < TTL + 1.5, f"took over after {took:.2f} s"
    assert int(taken["fencing"]) == int(first.named("lease acquired")[0]["fencing"]) + 1
    second.wait_event("status")
    assert second.stop() == EXIT_OK


def test_a_holder_paused_past_its_lease_never_trades_again_and_cancels_its_orders(
    tmp_path: Path, spawn: Spawn
) -> None:
    first, second = holder_and_waiter(tmp_path, spawn)
    first.signal(signal.SIGSTOP)  # a frozen VM, a long GC pause, a partition
    try:
        second.wait_event("lease acquired")
        ticks_before = len(first.named("status"))
    finally:
        first.signal(signal.SIGCONT)
    assert first.wait() == EXIT_LEASE
    assert len(first.named("status")) == ticks_before  # not one tick after the loss
    [stopped] = first.named("market making stopped")
    assert stopped["resting_left"] == 0
    assert first.named("stopping without ticking") or first.named("lease lost; stopping at once")
    assert first.named("lease released") == []  # it was not its own any more
    assert second.process.poll() is None
    assert second.stop() == EXIT_OK


def test_a_graceful_stop_releases_the_lease_so_a_waiting_runner_starts_at_once(
    tmp_path: Path, spawn: Spawn
) -> None:
    first, second = holder_and_waiter(tmp_path, spawn, ttl=60.0)
    assert first.stop() == EXIT_OK
    assert first.named("lease released")
    second.wait_event("lease acquired", timeout=20)  # long before the 60 s ttl
    assert second.stop() == EXIT_OK


def test_a_stop_signal_while_waiting_for_the_lease_ends_the_run_before_it_loads(
    tmp_path: Path, spawn: Spawn
) -> None:
    first, second = holder_and_waiter(tmp_path, spawn, ttl=60.0)
    second.signal(signal.SIGTERM)
    assert second.wait() == EXIT_OK
    assert second.named("graph loaded") == []
    assert first.process.poll() is None
    assert first.stop() == EXIT_OK


def test_the_lease_key_defaults_to_the_mandate_file_name(tmp_path: Path, spawn: Spawn) -> None:
    name = unique_name("desk")
    runner = spawn(quoting_mandate(tmp_path, name), "--lease", postgres_dsn())
    assert runner.wait_event("lease acquired")["lease"] == name
    assert runner.stop() == EXIT_OK


@pytest.mark.parametrize("dsn", [
    "postgresql://trader:hunter2secret@127.0.0.1:1/test",  # nothing listens
    "postgresql://postgres:hunter2secret@127.0.0.1:5432/no_such_database_e1f0",
], ids=["no server", "no database"])
def test_an_unreachable_lease_database_fails_without_showing_its_password(
    tmp_path: Path, dsn: str
) -> None:
    done = subprocess.run(
        [FORTUNA, "run", str(quoting_mandate(tmp_path)), "--lease", dsn],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == EXIT_FAILED
    assert "cannot reach the lease database" in done.stderr
    assert "hunter2secret" not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


def test_a_lease_ttl_under_half_a_second_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [FORTUNA, "run", str(quoting_mandate(tmp_path)), "--lease", postgres_dsn(),
         "--lease-ttl", "100ms"], capture_output=True, text=True, timeout=60)
    assert done.returncode == EXIT_USAGE
    assert "lease_ttl" in done.stderr


@contextlib.contextmanager
def database_behind_a_proxy() -> Iterator[tuple[str, Callable[[float], None]]]:
    """The test server through a TCP proxy (on a thread of its own, since the test waits
    on its child synchronously): the DSN, and ``outage(seconds)`` cutting every connection
    and refusing new ones for that long."""
    url = make_url(postgres_dsn())
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    asyncio.run_coroutine_threadsafe(proxy.start(), loop).result(10)

    def outage(seconds: float) -> None:
        asyncio.run_coroutine_threadsafe(proxy.cut(), loop).result(10)
        time.sleep(seconds)
        loop.call_soon_threadsafe(proxy.restore)

    try:
        yield via_port(postgres_dsn(), proxy.port), outage
    finally:
        asyncio.run_coroutine_threadsafe(proxy.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def test_a_database_outage_shorter_than_the_lease_does_not_stop_the_holder(
    tmp_path: Path, spawn: Spawn
) -> None:
    with database_behind_a_proxy() as (dsn, outage):
        runner = spawn(quoting_mandate(tmp_path), "--lease", dsn, "--lease-key",
                       unique_name("lease"), "--lease-ttl", "6s")
        trading(runner)
        outage(2.5)  # renewals fail for 2.5 s; the lease lasts 4 s past the last one
        runner.wait_event("lease renewal failed")
        ticks = len(runner.named("status"))
        runner.wait_for(lambda: len(runner.named("status")) > ticks + 10, what="more ticks")
        assert runner.named("lease lost; stopping at once") == []
        assert runner.stop() == EXIT_OK


def test_a_holder_cut_off_from_the_database_stops_before_its_lease_can_expire(
    tmp_path: Path, spawn: Spawn
) -> None:
    with database_behind_a_proxy() as (dsn, outage):
        key = unique_name("lease")
        runner = spawn(quoting_mandate(tmp_path), "--lease", dsn, "--lease-key", key,
                       "--lease-ttl", "3s")
        trading(runner)
        assert int(runner.named("status")[-1]["resting"]) > 0
        outage(6.0)
        assert runner.wait() == EXIT_LEASE
    [lost] = runner.named("lease lost; stopping at once")
    assert "not renewed for 2 s" in lost["reason"]
    [stopped] = runner.named("market making stopped")
    assert stopped["resting_left"] == 0
    # On the server's clock, the lease could be taken from this moment on; by then the
    # runner had given it up and made its last tick.
    expires = asyncio.run(expiry(key))
    assert at(lost) < expires
    assert at(runner.named("status")[-1]) < expires


async def expiry(key: str) -> datetime:
    connection = await connect(postgres_dsn())
    try:
        found = await connection.fetchval(
            "SELECT expires_at FROM fortuna_leases WHERE key = $1", key)
    finally:
        await connection.close()
    assert isinstance(found, datetime)
    return found


def at(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(event["timestamp"]).replace("Z", "+00:00"))
