"""The exit codes of every ``fortuna`` command, defined once.

``validate``, ``schema``, ``catalog`` and ``graph`` use 0, 1, 2 and 3; ``run`` uses them all.
A supervisor can act on each without reading the logs: 4 means "look at the venue", 5 means
"the mandate stopped because nobody could read its logs", 6 "another runner has this
mandate".
"""

from __future__ import annotations

import signal

__all__ = [
    "EXIT_FAILED",
    "EXIT_INVALID",
    "EXIT_LEASE",
    "EXIT_LEFT_BEHIND",
    "EXIT_LOG_LOST",
    "EXIT_OK",
    "EXIT_USAGE",
    "exit_for_signal",
]

EXIT_OK = 0
"""Success: valid, written, or the run finished or stopped gracefully (a stop signal, a
duration, a kill switch with ``on_trip: stop``, a stop before trading started)."""

EXIT_INVALID = 1
"""The mandate is invalid (every finding printed), or ``schema --check`` found it stale."""

EXIT_USAGE = 2
"""Usage or I/O error: a bad flag or setting, an unreadable file, an absurd duration, an
``--http`` address that cannot be listened on."""

EXIT_FAILED = 3
"""A component failed to load, the service failed (after its cleanup confirmed nothing of
the mandate rests on a venue), or an internal error."""

EXIT_LEFT_BEHIND = 4
"""The run ended but its cleanup could not confirm everything released: orders may still
rest on a venue. The exact list is logged (``left behind``, field ``items``)."""

EXIT_LOG_LOST = 5
"""The log stream (stderr) was closed: the mandate stopped gracefully, since nobody could
see it trade any more."""

EXIT_LEASE = 6
"""``run --lease``: another runner holds the mandate's lease, so this one did not start
(nothing loaded, nothing sent); or this one lost its lease while running and stopped at
once, its orders cancelled. Restarting it is safe: it waits for or refuses the lease."""


def exit_for_signal(signum: int) -> int:
    """128 + N: the stop was forced by signal N (130 for SIGINT, 143 for SIGTERM)."""
    return 128 + int(signal.Signals(signum))
