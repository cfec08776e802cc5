"""Validating a book: every mandate file on its own, then all of them against each other.

Files are validated one at a time and only their findings, ``!env`` names and claims are
kept, so a book of thousands of mandates costs what its largest file does in memory plus
a few claims per mandate. The conflicts between mandates (:func:`~fortuna._internal.book.
conflicts`) come last, located in every file involved. ``fortuna validate`` and
``fortuna deploy`` share this path, so what validates as a book also deploys.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fortuna._internal.book import Held, conflicts
from fortuna._internal.findings import Finding

if TYPE_CHECKING:
    from fortuna._internal.registry import Registry
    from fortuna._internal.validation import Report

__all__ = ["MANDATE_SUFFIXES", "Book", "mandate_files", "validate_book"]

MANDATE_SUFFIXES = (".yaml", ".yml")


@dataclass
class Book:
    """The outcome of validating many mandates together."""

    files: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    """Every file's findings, in file order, then the conflicts between mandates."""
    conflicts: list[Finding] = field(default_factory=list)
    env: dict[str, dict[str, bool]] = field(default_factory=dict)
    """By file: every ``!env`` variable it reads, and whether a run can do without it."""
    unset_env: dict[str, None] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    """Files that could not be read (a usage error, not a finding)."""

    @property
    def ok(self) -> bool:
        return not self.errors and not any(f.is_error for f in self.findings)


def mandate_files(targets: Iterable[str]) -> Iterator[str]:
    """The mandate files of ``targets`` (files as given, directories searched for
    ``*.yaml``/``*.yml`` in sorted order), each file once however often it is named."""
    seen: set[str] = set()
    for target in targets:
        if os.path.isdir(target):
            found: list[str] = []
            for root, dirs, files in os.walk(target):
                dirs.sort()
                found.extend(os.path.join(root, name) for name in sorted(files)
                             if name.endswith(MANDATE_SUFFIXES))
        else:
            found = [target]
        for path in found:
            real = os.path.realpath(path)
            if real not in seen:
                seen.add(real)
                yield path


def validate_book(
    targets: Iterable[str],
    *,
    for_run: bool = False,
    registry: Registry | None = None,
    on_report: Callable[[Report], None] | None = None,
    validator: Callable[[str], Report] | None = None,
) -> Book:
    """Validate every mandate file of ``targets``, then the book they make together.

    ``on_report`` hears each file's report as soon as it is made (to print its findings
    while the next file is read). ``validator`` validates one file instead of the full
    path (the command line's fast path, for a book of one file: a file's own claims never
    conflict, so a report without claims loses nothing there)."""
    book = Book()
    held: list[Held] = []
    if validator is None:
        from fortuna._internal.registry import Registry
        from fortuna._internal.validation import validate

        known = registry or Registry.default()

        def validator(path: str) -> Report:
            return validate(path, for_run=for_run, registry=known)

    for path in mandate_files(targets):
        book.files.append(path)
        try:
            report = validator(path)
        except OSError as exc:
            book.errors.append(str(exc))
            continue
        if on_report is not None:
            on_report(report)
        book.findings.extend(report.findings)
        book.unset_env.update(dict.fromkeys(report.unset_env))
        book.env[path] = dict(report.env)
        held.extend(report.claims)
    book.conflicts = conflicts(held)
    book.findings.extend(book.conflicts)
    return book
