"""The ``exchanges.ccxt.*`` family: one id per exchange the installed ccxt ships.

``members`` lists ``ccxt/async_support/*.py`` through ``importlib.util.find_spec``, which
locates the package without importing it, so validation, the catalog and the JSON Schema
never pay for importing ccxt. ``resolve`` returns the tuned subclass of a venue when there
is one, else a class made for the id.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fortuna import Component, Family

__all__ = ["FAMILY", "CcxtFamily", "installed_exchange_ids"]

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


class CcxtFamily(Family):
    description = "every exchange the installed ccxt ships, with exact decimals"

    def __init__(self) -> None:
        self._classes: dict[str, type[Component[Any]]] = {}

    def members(self) -> Sequence[str]:
        return installed_exchange_ids()

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
