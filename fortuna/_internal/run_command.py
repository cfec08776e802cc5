"""``fortuna run FILE``: validate, load, run until done or signalled, unload; an exit code.

Exit codes: 0 the service finished or stopped gracefully; 1 the mandate is invalid (every
finding printed, one per line, on stderr); 2 usage or I/O error; 3 a component failed to
load or the service failed; 128 + signal number when a second signal forced the stop.
User errors print a located message, never a traceback.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from fortuna._internal.findings import MandateError

__all__ = ["EXIT_FAILED", "EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "execute", "run_command"]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_FAILED = 3


def _print_findings(error: MandateError) -> None:
    for finding in error.findings:
        print(finding, file=sys.stderr)


def run_command(
    path: str,
    *,
    log_level: str | None = None,
    log_format: str | None = None,
    unload_timeout: float | None = None,
    duration: float | None = None,
) -> int:
    """Run the mandate at ``path``; returns the process exit code.

    ``duration``: stop gracefully after this many seconds of the mandate's clock.
    """
    settings = _settings(log_level=log_level, log_format=log_format, unload_timeout=unload_timeout)
    if settings is None:
        return EXIT_USAGE
    try:
        from fortuna._internal.validation import plan_for

        plan = plan_for(path, for_run=True)
    except MandateError as error:
        _print_findings(error)
        return EXIT_INVALID
    except OSError as error:  # unreadable file; validation's message already names it
        print(f"{path}: {error.strerror}" if error.strerror else error, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 128 + 2
    return execute(plan, settings, duration=duration)


def _settings(**flags: Any) -> Any:
    from pydantic import ValidationError

    from fortuna._internal.settings import Settings

    try:
        return Settings.resolve(**flags)
    except ValidationError as error:
        for problem in error.errors():
            where = ".".join(str(part) for part in problem["loc"])
            print(f"setting {where}: {problem['msg']}", file=sys.stderr)
        return None


def execute(plan: Any, settings: Any = None, *, duration: float | None = None) -> int:
    """Configure logging and run ``plan`` with signal handling; returns the exit code."""
    from fortuna._internal.container import LoadError
    from fortuna._internal.logging import configure_logging
    from fortuna._internal.runtime import ForcedStop, run
    from fortuna._internal.settings import Settings
    from fortuna._internal.ticker import TickerFailed

    settings = settings if settings is not None else Settings.resolve()
    configure_logging(settings.log_level, settings.log_format)
    import structlog

    log = structlog.get_logger("fortuna").bind(component="fortuna")
    try:
        asyncio.run(
            run(
                plan,
                unload_timeout=settings.unload_timeout,
                force_unload_timeout=settings.force_unload_timeout,
                handle_signals=True,
                duration=duration,
            )
        )
    except MandateError as error:
        _print_findings(error)
        return EXIT_INVALID
    except LoadError as error:
        print(error, file=sys.stderr)
        log.error("mandate failed to load", source=plan.source, error=str(error))
        return EXIT_FAILED
    except ForcedStop as stop:
        log.warning("stopped by force", signal=stop.signum)
        return 128 + stop.signum
    except KeyboardInterrupt:  # a signal outside the loop's handlers (before or after run)
        return 128 + 2
    except TickerFailed as error:  # each failed tick was already logged with its traceback
        log.error("service stopped", error=str(error))
        return EXIT_FAILED
    except Exception as error:
        log.error("service failed", error=f"{type(error).__name__}: {error}", exc_info=error)
        return EXIT_FAILED
    log.info("stopped", source=plan.source)
    return EXIT_OK
