"""What ``validate`` and ``deploy`` say when the files of a book cannot be read at all."""

from __future__ import annotations

import sys

from fortuna._internal.book_validation import Book

__all__ = ["unreadable"]


def unreadable(book: Book) -> bool:
    """Print why the book cannot be checked (no file found, a file not readable) to
    stderr; True when so (a usage error, exit 2)."""
    for error in book.errors:
        print(f"fortuna: {error}", file=sys.stderr)
    if not book.files:
        print("fortuna: no mandate files found", file=sys.stderr)
    return not book.files or bool(book.errors)
