"""What each venue does natively, what the component emulates, and what it cannot do.

Pure data: no ccxt import, so the catalog, the docs generator and validation read it for
free. A tuned venue declares its :class:`Profile` (checked against ccxt's ``has`` and
``features`` by the tests); any other venue gets one derived from ccxt at load time by
:func:`derive_profile`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "CAPABILITIES",
    "CancelAll",
    "ClientIds",
    "ClosedOrders",
    "OpenOrders",
    "PostOnly",
    "Profile",
    "capability_table",
    "derive_profile",
]


class ClosedOrders(StrEnum):
    NATIVE = "native"
    NATIVE_PER_SYMBOL = "native per symbol"  # the venue needs a symbol: looped over symbols
    FROM_ALL_ORDERS = "emulated from all orders"  # fetchOrders, final ones kept
    FROM_MY_TRADES = "emulated from my trades"  # filled orders rebuilt from fills
    NONE = "none"


class OpenOrders(StrEnum):
    """Open orders of every market at once (``fetch_open_orders(None)``)."""

    NATIVE = "native"
    PER_SYMBOL = "emulated per symbol"  # looped over the watched and traded symbols
    NONE = "none"


class CancelAll(StrEnum):
    NATIVE = "native"
    NATIVE_PER_SYMBOL = "native per symbol"
    ONE_BY_ONE = "emulated one by one"  # open orders fetched, each cancelled
    NONE = "none"


class ClientIds(StrEnum):
    NATIVE = "native"  # the venue stores and echoes our id; lookups by it work
    LOCAL = "emulated locally"  # remembered in memory for this session only


class PostOnly(StrEnum):
    """Maker-only orders (``postOnly``): without them a post-only order is refused before
    the wire, never sent as an order that could take."""

    NATIVE = "native"
    NONE = "none"


CAPABILITIES = ("closed orders", "open orders, all markets", "cancel all", "client order ids",
                "post-only")


@dataclass(frozen=True)
class Profile:
    closed_orders: ClosedOrders
    open_orders: OpenOrders
    cancel_all: CancelAll
    client_ids: ClientIds = ClientIds.NATIVE
    post_only: PostOnly = PostOnly.NATIVE

    def cells(self) -> tuple[str, str, str, str, str]:
        return (self.closed_orders.value, self.open_orders.value, self.cancel_all.value,
                self.client_ids.value, self.post_only.value)

    def summary(self) -> str:
        """What differs from a fully native venue, for a catalog line."""
        notes = [
            f"{name} {cell}"
            for name, cell in zip(CAPABILITIES, self.cells(), strict=True)
            if cell != "native"
        ]
        return "; ".join(notes) if notes else "all native"


def _feature(features: Mapping[str, Any], method: str) -> Mapping[str, Any] | None:
    spot = features.get("spot") if isinstance(features, Mapping) else None
    entry = spot.get(method) if isinstance(spot, Mapping) else None
    return entry if isinstance(entry, Mapping) else None


def _time_in_force(features: Mapping[str, Any], name: str) -> bool | None:
    """What ccxt's ``features`` say of a time in force on spot orders (None: nothing)."""
    entry = _feature(features, "createOrder")
    supported = entry.get("timeInForce") if entry else None
    value = supported.get(name) if isinstance(supported, Mapping) else None
    return value if isinstance(value, bool) else None


def _native(has: Mapping[str, Any], method: str) -> bool:
    return has.get(method) is True


def _symbol_required(features: Mapping[str, Any], method: str) -> bool:
    entry = _feature(features, method)
    return bool(entry and entry.get("symbolRequired"))


def derive_profile(has: Mapping[str, Any], features: Mapping[str, Any]) -> Profile:
    """A profile from ccxt's own metadata (``exchange.has``, ``exchange.features``)."""
    if _native(has, "fetchClosedOrders"):
        closed = (ClosedOrders.NATIVE_PER_SYMBOL if _symbol_required(features, "fetchClosedOrders")
                  else ClosedOrders.NATIVE)
    elif has.get("fetchOrders"):
        closed = ClosedOrders.FROM_ALL_ORDERS
    elif has.get("fetchMyTrades"):
        closed = ClosedOrders.FROM_MY_TRADES
    else:
        closed = ClosedOrders.NONE
    if not has.get("fetchOpenOrders"):
        open_orders = OpenOrders.NONE
    elif _symbol_required(features, "fetchOpenOrders"):
        open_orders = OpenOrders.PER_SYMBOL
    else:
        open_orders = OpenOrders.NATIVE
    if has.get("cancelAllOrders") is True:
        cancel_all = CancelAll.NATIVE
    elif has.get("fetchOpenOrders") and has.get("cancelOrder"):
        cancel_all = CancelAll.ONE_BY_ONE
    else:
        cancel_all = CancelAll.NONE
    post_only = PostOnly.NONE if _time_in_force(features, "PO") is False else PostOnly.NATIVE
    return Profile(closed, open_orders, cancel_all, ClientIds.NATIVE, post_only)


def capability_table(profiles: Mapping[str, Profile]) -> str:
    """The Markdown table of venue x capability."""
    header = "| venue | " + " | ".join(CAPABILITIES) + " |"
    rule = "|---" * (len(CAPABILITIES) + 1) + "|"
    rows = [f"| {venue} | " + " | ".join(profiles[venue].cells()) + " |"
            for venue in sorted(profiles)]
    return "\n".join([header, rule, *rows])
