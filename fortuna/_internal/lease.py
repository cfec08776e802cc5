"""At most one runner per mandate: a lease row in PostgreSQL, renewed, with a fencing token.

``fortuna run --lease postgresql://...`` takes the lease of the mandate (its key,
``--lease-key``, defaults to the mandate file's name without ``.yaml``) before anything
loads, so a second runner never even cancels the first one's orders at start-up. While
another runner holds it, the second refuses to start (exit 6), or with ``--lease-wait``
waits for it.

Why a lease row, not an advisory lock. A session-level ``pg_advisory_lock`` is held as long
as its connection lives, and only the server decides when that ends: after a network
partition the server may keep the dead session (and the lock) until TCP keepalive gives up,
minutes or hours, and the holder learns it lost the lock only when its next query fails.
A row ``(key, holder, token, expires_at)`` makes the timeout explicit and the same for
everyone: the holder renews ``expires_at = now() + ttl`` every ``ttl / 3``; anyone may take
the row once ``expires_at`` has passed on the *server's* clock (one clock decides), and
taking it increments ``token``, the fencing token, which every renewal must present: a
runner that was paused, partitioned or slow cannot renew a lease someone else took.

When the holder stops holding. The holder cannot see the server's clock, but it knows
when it sent its last successful renewal; the server set the expiry *after* receiving it,
so the row expires at least ``ttl`` after that send. The holder gives the lease up on its
own monotonic clock at ``sent + ttl - margin`` (``margin = ttl / 3``) if no renewal has
succeeded since: always before anyone else can take it, with ``margin`` left for a step
already in flight. Giving up asks the service to stop at once (it cancels its orders, as
on any stop), and the service checks the lease before every step it starts (``Service``
guards; market making asks again between reading the market and sending orders), so a
runner resumed after a long pause (SIGSTOP, a frozen VM) sees its lease expired before it
trades again. The exit code is then 6 too. A graceful stop releases the
row, so a waiting runner takes over at once instead of after ``ttl``.

Why a command-line flag (and ``FORTUNA_LEASE``) rather than a component of the mandate: the
lease belongs to the process, not to the trading. The same file runs under a lease in
production and without one in a rehearsal, and an orchestrator sets the variable once for
every mandate it deploys; a component would have to be written into every file, and the
one file that forgot it would run twice.

The table ``fortuna_leases`` is created if missing, in the connection's schema (``?options=
-csearch_path%3Dops`` or the user's default).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["LeaseConfig", "LeaseHeld", "LeaseUnavailable", "holding"]

TABLE = "fortuna_leases"
_CREATE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    key text PRIMARY KEY,
    holder text NOT NULL,
    token bigint NOT NULL,
    acquired_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
)"""
_ACQUIRE = f"""
INSERT INTO {TABLE} AS lease (key, holder, token, acquired_at, expires_at)
VALUES ($1, $2, 1, now(), now() + make_interval(secs => $3))
ON CONFLICT (key) DO UPDATE
    SET holder = EXCLUDED.holder, token = lease.token + 1,
        acquired_at = now(), expires_at = EXCLUDED.expires_at
    WHERE lease.expires_at < now()
RETURNING token"""
_RENEW = f"""
UPDATE {TABLE} SET expires_at = now() + make_interval(secs => $4)
WHERE key = $1 AND holder = $2 AND token = $3 AND expires_at >= now()
RETURNING token"""
_RELEASE = f"DELETE FROM {TABLE} WHERE key = $1 AND holder = $2 AND token = $3"
_HOLDER = f"SELECT holder, expires_at - now() FROM {TABLE} WHERE key = $1"


class LeaseHeld(Exception):
    """Another runner holds the mandate's lease (and ``--lease-wait`` was not given)."""


class LeaseUnavailable(Exception):
    """The lease could not be taken: the database refused or could not be reached."""


@dataclass(frozen=True, slots=True)
class LeaseConfig:
    """Where the lease lives, its key, its ``ttl`` in seconds, and whether to wait for it."""

    dsn: str
    key: str
    ttl: float = 15.0
    wait: bool = False


def _dsn(dsn: str) -> str:
    """asyncpg's DSN: ``postgresql+asyncpg://`` (SQLAlchemy's spelling) accepted too."""
    scheme, sep, rest = dsn.partition("://")
    return f"{scheme.split('+', 1)[0]}{sep}{rest}"


class Lease:
    """One taken lease: its fencing ``token`` and whether it is still held (``lost``)."""

    def __init__(self, config: LeaseConfig, connection: Any, holder: str, token: int,
                 sent: float) -> None:
        self.config = config
        self.connection = connection
        self.holder = holder
        self.token = token
        self.margin = config.ttl / 3
        self.valid_until = sent + config.ttl - self.margin
        self.lost: str | None = None

    def check(self) -> str | None:
        """Why the lease is no longer held, or ``None``: cheap, called before every step."""
        if self.lost is None and time.monotonic() >= self.valid_until:
            self.lost = (f"lease {self.config.key!r} not renewed for "
                         f"{self.config.ttl - self.margin:g} s")
        return self.lost

    async def renew(self) -> bool:
        sent = time.monotonic()
        timeout = max(0.1, self.valid_until - sent)
        row = await self.connection.fetchrow(_RENEW, self.config.key, self.holder, self.token,
                                             self.config.ttl, timeout=timeout)
        if row is None:
            self.lost = f"lease {self.config.key!r} taken over by another runner"
            return False
        if self.check() is None:
            self.valid_until = sent + self.config.ttl - self.margin
        return self.lost is None


def _failures() -> tuple[type[BaseException], ...]:
    """What a database that is away, refuses or is misconfigured raises."""
    import asyncpg

    return (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError)


async def _connect(config: LeaseConfig) -> Any:
    import asyncpg

    try:
        connection = await asyncpg.connect(_dsn(config.dsn), timeout=10)
    except _failures() as error:
        raise LeaseUnavailable(f"cannot reach the lease database: {type(error).__name__}: "
                               f"{error}") from None
    try:
        # Another runner may create it at the same moment: one of the two gets a duplicate.
        with contextlib.suppress(asyncpg.UniqueViolationError, asyncpg.DuplicateTableError):
            await connection.execute(_CREATE)
    except _failures() as error:
        await _close(connection)
        raise LeaseUnavailable(f"cannot create the table {TABLE}: {type(error).__name__}: "
                               f"{error}") from None
    return connection


async def _take(config: LeaseConfig, log: Any) -> Lease:
    connection = await _connect(config)
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    announced = False
    try:
        while True:
            sent = time.monotonic()
            token = await connection.fetchval(_ACQUIRE, config.key, holder, config.ttl)
            if token is not None:
                log.info("lease acquired", lease=config.key, fencing=token, ttl=config.ttl)
                return Lease(config, connection, holder, token, sent)
            row = await connection.fetchrow(_HOLDER, config.key)
            other = row[0] if row is not None else "another runner"
            left = row[1].total_seconds() if row is not None else 0.0
            if not config.wait:
                raise LeaseHeld(f"the mandate's lease {config.key!r} is held by {other} "
                                f"(expires in {max(left, 0):.1f} s unless renewed); "
                                "--lease-wait waits for it")
            if not announced:
                log.warning("lease held by another runner; waiting", lease=config.key,
                            holder=other)
                announced = True
            await asyncio.sleep(min(max(left, 0.05), config.ttl / 3, 1.0))
    except _failures() as error:
        await _close(connection)
        raise LeaseUnavailable(f"the lease could not be taken: {type(error).__name__}: "
                               f"{error}") from None
    except BaseException:
        await _close(connection)
        raise


async def _close(connection: Any) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(connection.close(), 2)


async def _keep(lease: Lease, on_lost: Callable[[str], None], log: Any) -> None:
    """Renew every ``ttl / 3`` until cancelled; on loss, call ``on_lost`` once and return.

    After a failed renewal (the database away) the connection is replaced and the renewal
    retried every ``ttl / 12``, until one succeeds or the lease runs out locally."""
    period = lease.config.ttl / 3
    due = time.monotonic() + period
    while True:
        await asyncio.sleep(max(0.0, min(due, lease.valid_until) - time.monotonic()))
        if lease.check() is not None:
            break
        try:
            await lease.renew()
        except Exception as error:
            log.warning("lease renewal failed", lease=lease.config.key,
                        error=f"{type(error).__name__}: {error}",
                        gives_up_in=round(lease.valid_until - time.monotonic(), 3))
            due = time.monotonic() + period / 4
            await _reconnect(lease)
            continue
        if lease.lost is not None:
            break
        due = time.monotonic() + period
    assert lease.lost is not None
    on_lost(lease.lost)


async def _reconnect(lease: Lease) -> None:
    """A fresh connection for the next renewal, tried for no longer than the lease lasts."""
    with contextlib.suppress(Exception):
        lease.connection.terminate()
    left = lease.valid_until - time.monotonic()
    if left <= 0:
        return
    with contextlib.suppress(LeaseUnavailable, TimeoutError):
        lease.connection = await asyncio.wait_for(_connect(lease.config), left)


@contextlib.asynccontextmanager
async def holding(config: LeaseConfig, log: Any,
                  on_lost: Callable[[str], None]) -> AsyncIterator[Lease]:
    """Take the lease (or raise :class:`LeaseHeld` / :class:`LeaseUnavailable`), keep it
    renewed while the block runs, and release it when the block ends."""
    lease = await _take(config, log)
    keeper = asyncio.ensure_future(_keep(lease, on_lost, log))
    try:
        yield lease
    finally:
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper
        if lease.check() is None:
            with contextlib.suppress(Exception):
                await lease.connection.execute(_RELEASE, config.key, lease.holder, lease.token,
                                               timeout=2)
            log.info("lease released", lease=config.key, fencing=lease.token)
        await _close(lease.connection)
