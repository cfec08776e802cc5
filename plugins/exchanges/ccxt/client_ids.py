"""The client order ids this component placed, indexed both ways and bounded.

Why it exists: some venues echo the client order id on every order and fill, others only
on the order that was created (or never in fills). The index remembers, for the orders this
session placed, ``client id <-> (order id, symbol)``, so a parsed order or fill the venue
describes without its client id gets it back.

Why it is built this way: it is consulted once per parsed order or fill (every open-orders
poll of a market-making tick parses every resting order), so a lookup is one dict access
in either direction, never a scan. And a long-running mandate places orders without end,
so the index keeps the ``capacity`` most recently used entries (least recently used
evicted first, in O(1) through an ordered dict). An evicted entry costs only the echo of
a client id on an old order the venue no longer names; the order itself is never lost, and
on a venue that echoes ids (most) nothing is lost at all.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from typing import NamedTuple

__all__ = ["ClientIdIndex", "Placed", "fresh_client_id"]


def fresh_client_id(prefix: str, length: int) -> str:
    """A client order id for an order the caller gave none: the prefix's letters and
    digits and a random hex tail, ``length`` characters at most (letters and digits only:
    the strictest venues accept nothing else)."""
    kept = "".join(ch for ch in prefix if ch.isalnum())
    return (kept + uuid.uuid4().hex)[:length]


class Placed(NamedTuple):
    """Where a client order id landed: the venue's order id and the market."""

    order_id: str
    symbol: str


class ClientIdIndex:
    """``client id -> Placed`` and ``order id -> client id``, least recently used evicted."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"a client-id index holds at least one entry, not {capacity}")
        self.capacity = capacity
        self._by_client: OrderedDict[str, Placed] = OrderedDict()
        self._by_order: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._by_client)

    def remember(self, client_id: str, order_id: str, symbol: str) -> None:
        """Record that ``client_id`` is the venue's ``order_id`` on ``symbol`` (the latest
        record for either id wins; the other way stays consistent)."""
        old = self._by_client.pop(client_id, None)
        if old is not None and self._by_order.get(old.order_id) == client_id:
            del self._by_order[old.order_id]
        previous = self._by_order.get(order_id)
        if previous is not None and previous != client_id:
            self._by_client.pop(previous, None)
        self._by_client[client_id] = Placed(order_id, symbol)
        self._by_order[order_id] = client_id
        while len(self._by_client) > self.capacity:
            _, evicted = self._by_client.popitem(last=False)
            self._by_order.pop(evicted.order_id, None)

    def client_id_of(self, order_id: str) -> str | None:
        """The client id of a venue order id this session placed, or None."""
        client_id = self._by_order.get(order_id)
        if client_id is not None:
            self._by_client.move_to_end(client_id)
        return client_id

    def placed(self, client_id: str) -> Placed | None:
        """Where ``client_id`` landed, or None when unknown (or evicted)."""
        found = self._by_client.get(client_id)
        if found is not None:
            self._by_client.move_to_end(client_id)
        return found
