"""A wallet's secret key, read once at load and never shown.

The key arrives as a ``SecretStr`` (given with ``!env``). Its text is handed to the
family's parser once; when the parser refuses it, the error says what was expected and
nothing else: libraries put the offending input in their messages, so their error is
dropped (``from None``: neither its message nor its traceback is kept). Some parsers
(solders, through pyo3) raise a ``BaseException`` for malformed input: every failure short
of an interrupt or an exit is a refused key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import SecretStr

from schemas import AuthenticationError

__all__ = ["secret_key"]

K = TypeVar("K")


def secret_key(secret: SecretStr, parse: Callable[[str], K], *, expected: str,
               venue: str) -> K:
    """``parse`` of the secret's text; ``AuthenticationError`` ("private_key is not
    {expected}") without the text when it fails."""
    try:
        return parse(secret.get_secret_value())
    except BaseException as error:
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        raise AuthenticationError(f"private_key is not {expected}", venue=venue) from None
