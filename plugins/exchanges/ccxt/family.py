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

__all__ = ["FAMILY", "CcxtFamily", "installed_exchange_ids", "pinned_exchange_ids"]

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


@functools.cache
def pinned_exchange_ids() -> tuple[str, ...]:
    """The ids of ``ids.txt``: one per line, ``#`` starts a comment."""
    lines = PINNED.read_text(encoding="utf-8").splitlines()
    return tuple(sorted({line.strip() for line in lines
                         if line.strip() and not line.startswith("#")}))


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
            made = type(
                f"Ccxt_{member}",
                (CcxtExchange,),
                {
                    "__doc__": f"{member} through ccxt (generic: capabilities as ccxt "
                    "reports them, emulated where possible).",
                    "__module__": CcxtExchange.__module__,
                    "exchange_id": member,
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
          "> plugins/exchanges/ccxt/ids.txt")
    print("\n".join(installed_exchange_ids()))
