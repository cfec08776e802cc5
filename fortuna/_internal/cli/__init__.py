"""The ``fortuna`` command line.

Exit codes are defined once, in :mod:`fortuna._internal.cli.exit_codes`. Nothing a user can
type or write in a file produces a traceback; an unexpected internal error says so in one
line (``FORTUNA_DEBUG=1`` shows the traceback) and exits 3. A stop signal is handled from
the first moment (see :mod:`fortuna._internal.cli.stopping`).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

__all__ = ["main"]

from fortuna._internal.cli import deploy_command, rehearse_args, stopping

if TYPE_CHECKING:
    from fortuna._internal.validation import Report
from fortuna._internal.cli.exit_codes import (
    EXIT_FAILED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    exit_for_signal,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fortuna", description="Validate, inspect and run market-making mandates."
    )
    parser.add_argument("--version", action=_VersionAction, nargs=0,
                        help="show the version and exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser(
        "validate", help="check mandate files; report every problem at once"
    )
    validate.add_argument("files", nargs="+", metavar="FILE",
                          help="mandate files, or directories to search for *.yaml")
    validate.add_argument("--format", choices=("text", "json"), default="text",
                          help="json gives machine-readable findings for CI annotations")
    validate.add_argument("--strict", action="store_true",
                          help="warnings fail validation too (exit 1)")
    validate.add_argument("--require-env", action="store_true",
                          help="an unset !env variable a run needs is an error")

    schema = commands.add_parser("schema", help="print the JSON Schema of mandate files")
    schema.add_argument("-o", "--output", metavar="PATH", help="write to PATH instead")
    schema.add_argument("--check", metavar="PATH",
                        help="exit 1 if PATH differs from the schema of the installed catalog")

    index = commands.add_parser(
        "index", help="write the catalog index that makes validation fast (PACKAGE/"
        "fortuna_index.json)")
    index.add_argument("package", metavar="PACKAGE",
                       help="the package whose components to index, e.g. plugins")
    index.add_argument("-o", "--output", metavar="PATH",
                       help="write to PATH instead of PACKAGE/fortuna_index.json")
    index.add_argument("--check", action="store_true",
                       help="exit 1 if the index file is stale, instead of writing it")

    catalog = commands.add_parser("catalog", help="list components, or describe one")
    catalog.add_argument("target", nargs="?", default="", metavar="PREFIX|ID")

    graph = commands.add_parser("graph", help="print a mandate's wiring")
    graph.add_argument("file", metavar="FILE")
    graph.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    graph.add_argument("--args", action="store_true",
                       help="show each component's plain args (never secrets or !env values)")

    deploy_command.add_parser(commands)

    run = commands.add_parser("run", help="validate, then run a mandate until stopped")
    run.add_argument("file", metavar="FILE")
    run.add_argument("--log-level", choices=("debug", "info", "warning", "error", "critical"),
                     help="default: info, or FORTUNA_LOG_LEVEL")
    run.add_argument("--log-format", choices=("console", "json"),
                     help="default: console on a terminal, json otherwise, or FORTUNA_LOG_FORMAT")
    run.add_argument("--duration", metavar="DURATION", type=_duration,
                     help='stop gracefully after this long on the mandate\'s clock, e.g. '
                          '"90", "30s", "1h" (finite, above 0, at most ten years)')
    run.add_argument("--unload-timeout", metavar="DURATION", type=_duration,
                     help="longest wait for one component to unload (default 10, or "
                          "FORTUNA_UNLOAD_TIMEOUT)")
    run.add_argument("--http", metavar="HOST:PORT",
                     help="serve /healthz, /readyz and /metrics (Prometheus) there, e.g. "
                          "127.0.0.1:9108 (default: off, or FORTUNA_HTTP)")
    run.add_argument("--lease", metavar="DSN",
                     help="take the mandate's lease in this PostgreSQL database first, so it "
                          "never runs twice (default: off, or FORTUNA_LEASE)")
    run.add_argument("--lease-key", metavar="KEY",
                     help="the mandate's identity in the lease table (default: the file's "
                          "name without .yaml, or FORTUNA_LEASE_KEY)")
    run.add_argument("--lease-ttl", metavar="DURATION", type=_duration,
                     help="a lease not renewed for this long may be taken over (default 15s, "
                          "or FORTUNA_LEASE_TTL)")
    run.add_argument("--lease-wait", action="store_true", default=None,
                     help="wait while another runner holds the lease instead of exiting 6")
    run.add_argument("--format", choices=("text", "json"), default="text",
                     help="the format of the summary printed on stdout at the end")
    rehearse_args.add_parser(commands, _duration)
    return parser


class _VersionAction(argparse.Action):
    """``--version``: read from the installed metadata only when asked (reading it costs
    more than validating a mandate)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        print(f"fortuna {_version()}")
        parser.exit()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fortuna")
    except PackageNotFoundError:
        return "unknown"


def _duration(text: str) -> float:
    """A command-line duration: seconds, or a number with a unit as in mandates ("1h");
    NaN, inf, 0, negative and absurd values are usage errors (exit 2)."""
    from fortuna._internal.runtime import check_duration
    from fortuna._internal.types import parse_duration

    try:
        seconds = parse_duration(text)
    except ValueError as exc:  # pydantic's errors are ValueErrors
        message = getattr(exc, "message", None)
        reason = message() if callable(message) else str(exc)
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration: {reason}") from None
    try:
        return check_duration(seconds)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration to run for: {error}"
                                         ) from None


def _validate(args: argparse.Namespace) -> int:
    from fortuna._internal.book_validation import mandate_files, validate_book
    from fortuna._internal.cli.book_files import unreadable

    def show(report: Any) -> None:
        if args.format == "text":
            for finding in report.findings:
                print(finding)

    files = list(mandate_files(args.files))
    validator: Callable[[str], Report] | None = None
    if len(files) == 1:  # nothing to check it against: the fast path may prove it valid
        from fortuna._internal.validation_fast import Index, validate_file

        index = Index.load()

        def fast(path: str) -> Report:
            return validate_file(path, for_run=args.require_env, index=index)

        validator = fast
    book = validate_book(files, for_run=args.require_env, on_report=show, validator=validator)
    if args.format == "text":
        for finding in book.conflicts:
            print(finding)
    findings = [finding.as_dict() for finding in book.findings]
    unset = {} if args.require_env else book.unset_env
    failing = [f for f in findings if f["severity"] == "error" or args.strict]
    if args.format == "json":
        json.dump({"valid": not failing and not book.errors, "files": len(book.files),
                   "findings": findings, "unset_env": sorted(unset), "errors": book.errors},
                  sys.stdout, indent=2)
        print()
    if unreadable(book):
        return EXIT_USAGE
    if args.format == "text":
        _print_summary(findings, unset, len(book.files), strict=args.strict)
    return EXIT_INVALID if failing else EXIT_OK


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _print_summary(
    findings: list[dict[str, Any]], unset: dict[str, None], checked: int, *, strict: bool
) -> None:
    """One line: how many files, errors and warnings; then the unset !env variables."""
    n_errors = sum(1 for f in findings if f["severity"] == "error")
    n_warnings = len(findings) - n_errors
    files = _plural(checked, "file")
    if n_errors or (strict and n_warnings):
        parts = [_plural(n_errors, "error")] + (
            [_plural(n_warnings, "warning")] if n_warnings else [])
        print(f"{' and '.join(parts)} in {files}" + (" (--strict: warnings fail)"
              if strict and n_warnings else ""), file=sys.stderr)
    elif n_warnings:
        print(f"{files} valid, with {_plural(n_warnings, 'warning')} "
              "(--strict makes warnings fail)")
    else:
        print(f"{files} valid" if checked > 1 else "valid")
    if unset:
        names = sorted(unset)
        print(f"a run needs environment variables that are not set here: {', '.join(names)} "
              "(not an error; --require-env makes it one)")


def _schema(args: argparse.Namespace) -> int:
    from fortuna._internal.schema import mandate_schema_text

    text = mandate_schema_text()
    if args.check:
        return _check_generated(args.check, text, f"fortuna schema -o {args.check}",
                                missing=EXIT_USAGE)
    if args.output:
        return _write_generated(args.output, text)
    sys.stdout.write(text)
    return EXIT_OK


def _check_generated(path: str, text: str, regenerate: str, *, missing: int) -> int:
    """Exit 1 if the generated file at ``path`` is not ``text`` (``missing`` if unreadable)."""
    try:
        with open(path, encoding="utf-8") as handle:
            committed = handle.read()
    except OSError as exc:
        print(f"fortuna: {path}: {exc.strerror or exc}", file=sys.stderr)
        return missing
    if committed != text:
        print(f"fortuna: {path} is stale; regenerate it with `{regenerate}`", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def _write_generated(path: str, text: str) -> int:
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        print(f"fortuna: {path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _index(args: argparse.Namespace) -> int:
    from fortuna._internal.catalog_index import build_index, index_path, render

    path = args.output or index_path(args.package)
    if path is None:
        print(f"fortuna: no installed package {args.package!r}", file=sys.stderr)
        return EXIT_USAGE
    text = render(build_index(args.package))
    if args.check:
        where = f" -o {args.output}" if args.output else ""
        return _check_generated(path, text, f"fortuna index {args.package}{where}",
                                missing=EXIT_INVALID)
    return _write_generated(path, text)


def _catalog(args: argparse.Namespace) -> int:
    from fortuna._internal.catalog import describe_component, list_components
    from fortuna._internal.registry import Registry

    registry = Registry.default()
    if args.target and args.target in registry:
        print(describe_component(registry, args.target))
        return EXIT_OK
    rows = list_components(registry, args.target)
    if not rows:
        hints = registry.suggest(args.target)
        hint = f' (did you mean "{hints[0]}"?)' if hints else ""
        print(f'fortuna: no component id starts with "{args.target}"{hint}', file=sys.stderr)
        return EXIT_USAGE
    width = max(len(cid) for cid, _ in rows)
    for cid, description in rows:
        print(f"{cid:<{width}}  {description}".rstrip())
    return EXIT_OK


def _graph(args: argparse.Namespace) -> int:
    from fortuna._internal.validation import validate
    from fortuna._internal.wiring import to_dot, to_mermaid

    try:
        report = validate(args.file)
    except OSError as exc:
        print(f"fortuna: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if report.plan is None:
        for finding in report.findings:
            print(finding, file=sys.stderr)
        return EXIT_INVALID
    hidden: frozenset[str] = frozenset()
    if args.args:
        from fortuna._internal.loader import load_file

        hidden = frozenset(load_file(args.file).env_values)
    render = to_dot if args.format == "dot" else to_mermaid
    sys.stdout.write(render(report.plan, args=args.args, hidden=hidden))
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from fortuna._internal.cli.run_command import run_command

    return run_command(args.file, log_level=args.log_level, log_format=args.log_format,
                       unload_timeout=args.unload_timeout, duration=args.duration,
                       http=args.http, lease=args.lease, lease_key=args.lease_key,
                       lease_ttl=args.lease_ttl, lease_wait=args.lease_wait,
                       output_format=args.format)


_COMMANDS = {
    "validate": _validate,
    "schema": _schema,
    "index": _index,
    "catalog": _catalog,
    "graph": _graph,
    "run": _run,
    "deploy": deploy_command.deploy_command,
    "rehearse": rehearse_args.command,
}


def main(argv: Sequence[str] | None = None) -> int:
    previous = stopping.arm()  # a stop signal from here on ends the process cleanly
    try:
        return _main(argv)
    finally:
        stopping.disarm(previous)
        stopping.settle_if_cli()  # exiting now: a late stop signal must not change the code


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)  # --help or a usage error: SystemExit (0 or 2)
    try:
        return _COMMANDS[args.command](args)
    except KeyboardInterrupt:
        return exit_for_signal(signal.SIGINT)
    except BrokenPipeError:  # the reader of stdout went away (``| head``): not an error
        _silence_stdout()
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("FORTUNA_DEBUG"):
            raise
        from fortuna._internal.redaction import redact_text

        print(redact_text(f"fortuna: internal error: {type(exc).__name__}: {exc} "
                          "(set FORTUNA_DEBUG=1 for details)"), file=sys.stderr)
        return EXIT_FAILED


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's exit flush cannot fail (exit 120)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
