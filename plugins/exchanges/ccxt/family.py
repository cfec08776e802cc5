"""The ``exchanges.ccxt.*`` family: one id per exchange of the pinned ccxt id list.

``members`` reads ``ids.txt`` beside this module: the ids are pinned, so the committed
JSON Schema does not change when a newer ccxt is installed, and validation, the catalog
and the schema never pay for importing ccxt. A test compares the list with the installed
ccxt (``installed_exchange_ids`` lists ``ccxt/async_support/*.py`` without importing it)
and says how to regenerate it. ``resolve`` returns the tuned subclass of a venue when there
is one, else a class made for the id.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fortuna import Component, Family

__all__ = [
    "DERIVATIVES_ONLY",
    "FAMILY",
    "CcxtFamily",
    "derivatives_only",
    "installed_exchange_ids",
    "installed_tags",
    "pinned_exchange_ids",
]

_NOT_EXCHANGES = frozenset({"__init__", "base", "pro"})


@functools.cache
def installed_exchange_ids() -> tuple[str, ...]:
    """The exchange ids of the installed ccxt, found on disk without importing it."""
    spec = importlib.util.find_spec("ccxt")
    if spec is None or not spec.submodule_search_locations:
        return ()
    ids: set[str] = set()
    for location in spec.submodule_search_locations:
        folder = Path(location) / "async_support"
        if folder.is_dir():
            ids.update(
                path.stem for path in folder.glob("*.py")
                if path.stem not in _NOT_EXCHANGES and not path.stem.startswith("_")
            )
    return tuple(sorted(ids))


PINNED = Path(__file__).with_name("ids.txt")


DERIVATIVES_ONLY = "derivatives-only"
"""The tag of an id whose exchange lists no spot market in ccxt (``has["spot"]`` false):
perpetuals and futures only, with symbols such as ``BTC/USDT:USDT``."""


@functools.cache
def _pinned() -> dict[str, frozenset[str]]:
    """``ids.txt`` as id -> tags: one id per line, then its tags; ``#`` starts a comment."""
    pinned: dict[str, frozenset[str]] = {}
    for line in PINNED.read_text(encoding="utf-8").splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            pinned[words[0]] = frozenset(words[1:])
    return pinned


def pinned_exchange_ids() -> tuple[str, ...]:
    """The ids of ``ids.txt``, sorted."""
    return tuple(sorted(_pinned()))


def derivatives_only(member: str) -> bool:
    """Whether the pinned list tags ``member`` as listing no spot market."""
    return DERIVATIVES_ONLY in _pinned().get(member, frozenset())


def installed_tags(member: str) -> tuple[str, ...]:
    """The tags ``member`` gets from the installed ccxt's metadata (imports ccxt)."""
    import ccxt

    has = getattr(ccxt, member)().has
    return (DERIVATIVES_ONLY,) if has.get("spot") is not True else ()


class CcxtFamily(Family):
    description = "every exchange the installed ccxt ships, with exact decimals"

    def __init__(self) -> None:
        self._classes: dict[str, type[Component[Any]]] = {}

    def members(self) -> Sequence[str]:
        return pinned_exchange_ids()

    def resolve(self, member: str) -> type[Component[Any]]:
        cls = self._classes.get(member)
        if cls is not None:
            return cls
        from plugins.exchanges.ccxt.component import CcxtExchange
        from plugins.exchanges.ccxt.venues import TUNED

        made: type[CcxtExchange] | None = TUNED.get(member)
        if made is None:
            kind = ("derivatives only, no spot market; generic" if derivatives_only(member)
                    else "generic")
            made = type(
                f"Ccxt_{member}",
                (CcxtExchange,),
                {
                    "__doc__": f"{member} through ccxt ({kind}: capabilities as ccxt "
                    "reports them, emulated where possible).",
                    "__module__": CcxtExchange.__module__,
                    "exchange_id": member,
                    "derivatives_only": derivatives_only(member),
                },
            )
        self._classes[member] = made
        return made

    def args_model(self) -> type[Any] | None:
        from plugins.exchanges.ccxt.args import CcxtArgs

        return CcxtArgs


FAMILY = CcxtFamily()


if __name__ == "__main__":
    import importlib.metadata

    print("# The exchanges.ccxt.* ids, pinned so the committed JSON Schema does not change with"
          "\n# the installed ccxt release (these are the exchanges of ccxt "
          f"{importlib.metadata.version('ccxt')}). To follow a new release:"
          "\n#   .venv/bin/python -m plugins.exchanges.ccxt.family "
          "> plugins/exchanges/ccxt/ids.txt"
          f"\n# An id tagged {DERIVATIVES_ONLY} lists no spot market (perpetuals and futures "
          "only).")
    for member in installed_exchange_ids():
        print(" ".join((member, *installed_tags(member))))
