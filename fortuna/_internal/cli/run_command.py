"""``fortuna run FILE``: validate, load, run until done or signalled, unload; an exit code.

The exit codes are those of :mod:`fortuna._internal.cli.exit_codes`: 0 the service
finished or stopped gracefully; 1 the mandate is invalid (every finding printed, one per
line, on stderr); 2 usage or I/O error; 3 a component failed to load or the service failed;
4 the run ended with things that may still rest on a venue (listed in the log); 5 the log
stream died, so the mandate stopped gracefully; 128 + N when a second signal N forced the
stop. User errors print a located message, never a traceback, and nothing printed or
logged shows a secret of the mandate.

A dead log stream (``fortuna run m.yaml 2>&1 | head``) is a designed failure: a mandate
nobody can watch must not trade on, and it must not die in the middle of a tick either.
The first failed write asks for the same graceful stop as a signal (no new tick, resting
orders cancelled, components unloaded), nothing more is written, and the exit code is 5
(4 if orders may still rest).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import Any

from fortuna._internal.cli.exit_codes import (
    EXIT_FAILED,
    EXIT_INVALID,
    EXIT_LEASE,
    EXIT_LEFT_BEHIND,
    EXIT_LOG_LOST,
    EXIT_OK,
    EXIT_USAGE,
    exit_for_signal,
)
from fortuna._internal.findings import MandateError
from fortuna._internal.redaction import redact_text

__all__ = ["execute", "run_command"]


def _say(message: object) -> None:
    """One line on stderr, redacted; a dead stderr is not an error here."""
    with contextlib.suppress(OSError, ValueError):
        print(redact_text(str(message)), file=sys.stderr)


def _print_findings(error: MandateError) -> None:
    for finding in error.findings:
        _say(finding)


def run_command(
    path: str,
    *,
    log_level: str | None = None,
    log_format: str | None = None,
    unload_timeout: float | None = None,
    duration: float | None = None,
    output_format: str = "text",
    **service_flags: Any,
) -> int:
    """Run the mandate at ``path``; returns the process exit code.

    ``duration``: stop gracefully after this many seconds of the mandate's clock;
    ``output_format``: the summary's, ``text`` or ``json``.
    ``service_flags``: ``http``, ``lease``, ``lease_key``, ``lease_ttl``, ``lease_wait``
    (:class:`~fortuna._internal.settings.Settings`); the lease key defaults to the file's
    name without ``.yaml``.
    """
    settings = _settings(log_level=log_level, log_format=log_format, unload_timeout=unload_timeout,
                         **service_flags)
    if settings is None:
        return EXIT_USAGE
    if duration is not None:
        from fortuna._internal.runtime import check_duration

        try:
            check_duration(duration)
        except ValueError as error:
            _say(f"fortuna: --duration: {error}")
            return EXIT_USAGE
    try:
        from fortuna._internal.validation import plan_for

        plan = plan_for(path, for_run=True)
    except MandateError as error:
        _print_findings(error)
        return EXIT_INVALID
    except OSError as error:  # unreadable file; validation's message already names it
        _say(f"{path}: {error.strerror}" if error.strerror else error)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return exit_for_signal(2)
    return execute(plan, settings, duration=duration, lease_key=_stem(path),
                   observers=run_observers(), output_format=output_format)


def _stem(path: str) -> str:
    import os

    name = os.path.basename(path)
    for suffix in (".yaml", ".yml"):
        if name.endswith(suffix):
            return name[: -len(suffix)] or name
    return name


def run_observers(options: dict[str, Any] | None = None) -> list[Any]:
    """The observers the catalog declares (entry-point group ``fortuna.observers``: a
    factory taking the options), such as the run summary printed at the end of every run."""
    from importlib.metadata import entry_points

    found = []
    for entry in entry_points(group="fortuna.observers"):
        found.append(entry.load()(dict(options or {})))
    return found


def print_outcome(observers: list[Any], output_format: str = "text") -> None:
    """What each observer makes of the run (the summary), on stdout."""
    for observer in observers:
        text = observer.render(output_format)
        if text:
            with contextlib.suppress(OSError, ValueError):
                sys.stdout.write(redact_text(text))
                sys.stdout.flush()


def _settings(**flags: Any) -> Any:
    from pydantic import ValidationError

    from fortuna._internal.settings import Settings

    try:
        return Settings.resolve(**flags)
    except ValidationError as error:
        for problem in error.errors():
            where = ".".join(str(part) for part in problem["loc"])
            _say(f"setting {where}: {problem['msg']}")
        return None


class _LogLoss:
    """Turns the death of the log stream into a graceful stop of the run."""

    def __init__(self) -> None:
        self.lost = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stop: asyncio.Event | None = None

    def __call__(self) -> None:  # called from a failed write, on any thread
        self.lost = True
        loop, stop = self.loop, self.stop
        if loop is not None and stop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stop.set)

    async def run(self, plan: Any, settings: Any, duration: float | None,
                  progress: Any = None, lease: Any = None,
                  observers: list[Any] | None = None) -> None:
        from fortuna._internal.runtime import run
        from fortuna._internal.status import parse_address

        self.loop = asyncio.get_running_loop()
        self.stop = asyncio.Event()
        if self.lost:  # the stream died before the loop existed
            self.stop.set()
        await run(
            plan,
            unload_timeout=settings.unload_timeout,
            force_unload_timeout=settings.force_unload_timeout,
            handle_signals=True,
            stop=self.stop,
            duration=duration,
            keep_secrets=True,  # the outcome is logged after the run: still redacted
            progress=progress,
            http=None if settings.http is None else parse_address(settings.http),
            lease=lease,
            observers=observers or (),
        )


def execute(plan: Any, settings: Any = None, *, duration: float | None = None,
            lease_key: str = "mandate", observers: list[Any] | None = None,
            output_format: str = "text") -> int:
    """Configure logging and run ``plan`` with signal handling; returns the exit code.
    Each observer's outcome (the run summary) is printed on stdout once the run is over.

    ``lease_key`` is the lease's key unless the settings name one."""
    observers = list(observers or ())
    code = _execute(plan, settings, duration, observers, lease_key)
    print_outcome(observers, output_format)
    return code


def _execute(plan: Any, settings: Any, duration: float | None, observers: list[Any],
             lease_key: str) -> int:
    from fortuna._internal.cli.stopping import mark_run_started
    from fortuna._internal.container import LoadError
    from fortuna._internal.lease import LeaseConfig, LeaseHeld, LeaseUnavailable
    from fortuna._internal.logging import configure_logging, progress_for
    from fortuna._internal.runtime import ForcedStop, LeaseLost
    from fortuna._internal.settings import Settings
    from fortuna._internal.status import HttpUnavailable
    from fortuna._internal.ticker import LeftBehind, TickerFailed

    settings = settings if settings is not None else Settings.resolve()
    log_loss = _LogLoss()
    out = configure_logging(settings.log_level, settings.log_format, on_lost=log_loss)
    import structlog

    log = structlog.get_logger("fortuna").bind(component="fortuna")
    lease = None
    if settings.lease is not None:
        from fortuna._internal.redaction import register_secrets

        dsn = settings.lease.get_secret_value()
        register_secrets([dsn])  # the DSN may carry a password: never in any output
        lease = LeaseConfig(dsn, settings.lease_key or lease_key, settings.lease_ttl,
                            settings.lease_wait)
    mark_run_started()
    try:
        asyncio.run(log_loss.run(
            plan, settings, duration, lambda simulated: progress_for(out, simulated=simulated),
            lease, observers))
    except HttpUnavailable as error:  # nothing loaded yet: the server starts first
        _say(f"fortuna: {error}")
        log.error("http endpoints not served; not started", error=str(error))
        return EXIT_USAGE
    except LeaseHeld as held:
        _say(f"fortuna: {held}")
        log.error("lease held by another runner; not started", reason=str(held))
        return EXIT_LEASE
    except LeaseUnavailable as error:
        _say(f"fortuna: {error}")
        log.error("lease not taken", error=str(error))
        return EXIT_FAILED
    except LeaseLost as lost:
        log.error("stopped: lease lost", reason=str(lost), source=plan.source)
        return EXIT_LEASE
    except MandateError as error:
        _print_findings(error)
        return EXIT_INVALID
    except LoadError as error:
        _say(error)
        log.error("mandate failed to load", source=plan.source, error=str(error))
        return EXIT_FAILED
    except ForcedStop as stop:
        log.warning("stopped by force", signal=stop.signum)
        return exit_for_signal(stop.signum)
    except KeyboardInterrupt:  # a signal outside the loop's handlers (before or after run)
        return exit_for_signal(2)
    except LeftBehind as left:
        cause = left.__cause__
        log.error(
            "left behind",
            service=left.name,
            count=len(left.items),
            items=left.items,
            why=left.why,
            after=f"{type(cause).__name__}: {cause}" if cause is not None else "a stop",
        )
        return EXIT_LEFT_BEHIND
    except TickerFailed as error:  # each failed tick was already logged, without locals
        log.error("service stopped", error=str(error))
        return EXIT_FAILED
    except Exception as error:
        log.error("service failed", error=f"{type(error).__name__}: {error}", exc_info=error)
        return EXIT_FAILED
    if log_loss.lost:
        return EXIT_LOG_LOST
    log.info("stopped", source=plan.source)
    return EXIT_OK
