"""``fortuna rehearse FILE``: the same mandate on simulated venues and the virtual clock.

The mandate is validated as written (exit 1 with every finding if it is invalid), then
rehearsed in memory (:mod:`fortuna._internal.rehearsal`): what became what is printed on
stderr, one line per component, before anything runs. A part that cannot be simulated, bad
recorded data or a mandate with no venue to simulate is a usage error (exit 2) naming the
component or the file and line. The run then goes exactly as ``fortuna run`` (same exit
codes), and the summary is printed on stdout (``--format json`` for machines); ``--report``
writes the HTML report once the run is over.

Without ``--duration`` the rehearsal lasts as long as the recorded data, or 24 hours of the
virtual clock (a service with a ``duration`` of its own may stop sooner).
"""

from __future__ import annotations

import sys
from typing import Any

from fortuna._internal.cli.exit_codes import EXIT_INVALID, EXIT_OK, EXIT_USAGE, exit_for_signal
from fortuna._internal.cli.run_command import _say, _settings, execute, run_observers
from fortuna._internal.findings import MandateError

__all__ = ["DEFAULT_DURATION", "parse_pairs", "rehearse_command"]

DEFAULT_DURATION = 86_400.0


def parse_pairs(values: list[str] | None, flag: str) -> dict[str, str]:
    """``["BTC/USDT=65000"]`` as a mapping; ``ValueError`` naming the flag otherwise."""
    found: dict[str, str] = {}
    for value in values or ():
        key, sep, text = value.partition("=")
        if not sep or not key.strip() or not text.strip():
            raise ValueError(f"{flag} {value!r}: write NAME=VALUE, e.g. {flag} "
                             + ("BTC/USDT=65000" if flag == "--price" else "USDT=100000"))
        found[key.strip()] = text.strip()
    return found


def rehearse_command(
    path: str,
    *,
    data: str | None = None,
    duration: float | None = None,
    seed: int | None = None,
    report: str | None = None,
    output_format: str = "text",
    prices: dict[str, str] | None = None,
    balances: dict[str, str] | None = None,
    log_level: str | None = None,
    log_format: str | None = None,
) -> int:
    """Rehearse the mandate at ``path``; returns the process exit code."""
    from fortuna._internal.mandate import Mandate
    from fortuna._internal.rehearsal import RehearsalRefused, rehearse_mandate
    from fortuna._internal.validation import plan_for

    settings = _settings(log_level=log_level, log_format=log_format, unload_timeout=None)
    if settings is None:
        return EXIT_USAGE
    try:
        mandate = Mandate.from_file(path)
        plan = plan_for(mandate, for_run=False)
    except MandateError as error:
        for finding in error.findings:
            _say(finding)
        return EXIT_INVALID
    except OSError as error:
        _say(f"{path}: {error.strerror}" if error.strerror else error)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return exit_for_signal(2)
    options: dict[str, Any] = {"data": data, "seed": seed, "prices": prices or {},
                               "balances": balances or {}}
    try:
        rehearsed, rehearsal = rehearse_mandate(mandate, plan, options)
    except RehearsalRefused as refused:
        _say(f"{path}: cannot be rehearsed:")
        for reason in refused.reasons:
            _say(f"  {reason}")
        return EXIT_USAGE
    if data and "data" not in rehearsal.used:
        _say(f"{path}: --data {data}: no venue of the mandate can replay it")
        return EXIT_USAGE
    lines = [str(s) for s in rehearsal.substitutions]
    _say(f"rehearsing {path} (the file is unchanged):")
    for line in lines:
        _say(line)
    try:
        rehearsed_plan = plan_for(rehearsed, for_run=True)
    except MandateError as error:
        _say("the rehearsal of the mandate is not valid:")
        for finding in error.findings:
            _say(finding)
        return EXIT_INVALID
    if duration is None:
        duration = rehearsal.span if rehearsal.span is not None else DEFAULT_DURATION
    observers = run_observers({"rehearsal": True, "substitutions": lines})
    code = execute(rehearsed_plan, settings, duration=duration, observers=observers,
                   output_format=output_format)
    if report is not None:
        code = _write_report(observers, report, code)
    return code


def _write_report(observers: list[Any], path: str, code: int) -> int:
    writers = [o for o in observers if hasattr(o, "write_report")]
    if not writers:
        _say("fortuna: --report: no installed observer writes reports")
        return code if code != EXIT_OK else EXIT_USAGE
    try:
        writers[0].write_report(path)
    except OSError as error:
        _say(f"fortuna: --report {path}: {error.strerror or error}")
        return code if code != EXIT_OK else EXIT_USAGE
    print(f"report written to {path}", file=sys.stderr)
    return code
